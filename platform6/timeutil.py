"""Time in one convention: naive UTC datetimes in the database, ISO 8601 with a Z suffix on the wire."""

from datetime import UTC, date, datetime

from flask_babel import gettext as _

from .errors import invalid

#: the span of moments a person may set (a poll's closing time, a deadline, a review date): far
#: enough either way for any real plan, and far from the years where shifting a moment by a time
#: zone or a reminder's interval overflows Python's datetime
EARLIEST, LATEST = datetime(1970, 1, 1), datetime(3000, 1, 1)


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
    """An aware datetime to naive UTC; a naive one is taken as UTC already.

    Raises ValueError (as a parse error would) for a moment whose UTC time is past year 9999 or before year 1.
    """
    if moment.tzinfo is None:
        return moment
    try:
        return moment.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:
        raise ValueError(f"{moment.isoformat()} has no UTC time a datetime can hold.") from None


def utc_moment(moment: datetime, field: str) -> datetime:
    """A moment a person set, as naive UTC: refused on `field` (422) unless between EARLIEST and LATEST."""
    try:
        naive = to_utc_naive(moment)
    except ValueError:
        naive = None
    if naive is None or not EARLIEST <= naive < LATEST:
        raise invalid(
            field, _("Give a time between the years %(first)d and %(last)d.", first=EARLIEST.year, last=LATEST.year - 1)
        )
    return naive


def within_bounds(day: date, field: str) -> date:
    """A calendar day a person set (a statement's range, a review date): refused on `field` (422) unless
    between EARLIEST and LATEST, so a day plus or minus a few days is still a date."""
    if not EARLIEST.date() <= day < LATEST.date():
        raise invalid(
            field, _("Give a date between the years %(first)d and %(last)d.", first=EARLIEST.year, last=LATEST.year - 1)
        )
    return day
