"""The JSON shape of a person."""

from ..extensions import db
from ..timeutil import iso
from .models import User


def user_json(user: User, *, with_email: bool = False) -> dict:
    data = {"id": user.id, "name": user.name, "handle": user.handle}
    if with_email:
        data |= {
            "email": user.email,
            "created_at": iso(user.created_at),
            "locale": user.locale,
            "time_zone": user.time_zone,
        }
    return data


def person_json(user_id: int | None) -> dict | None:
    """{id, name} of an author (from the identity map when already loaded), None if their account is gone."""
    user = db.session.get(User, user_id) if user_id else None
    return {"id": user.id, "name": user.name} if user else None
