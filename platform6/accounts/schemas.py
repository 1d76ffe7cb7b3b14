"""The JSON shape of a person."""

from ..timeutil import iso
from .models import User


def user_json(user: User, *, with_email: bool = False) -> dict:
    data = {"id": user.id, "name": user.name, "handle": user.handle}
    if with_email:
        data |= {"email": user.email, "created_at": iso(user.created_at)}
    return data
