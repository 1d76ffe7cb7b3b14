"""Time in one convention: naive UTC datetimes in the database, ISO 8601 with a Z suffix on the wire."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def iso(moment: datetime | None) -> str | None:
    """`2026-11-22T10:00:00Z` (microseconds dropped): the API's time format."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="seconds") + "Z"


def to_utc_naive(moment: datetime) -> datetime:
    """An aware datetime to naive UTC; a naive one is taken as UTC already."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)
