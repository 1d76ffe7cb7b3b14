"""Telling members about thread activity by their group's volume: mute, app (in-app), digest, email."""

from flask import current_app, url_for
from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db
from ..groups.models import Group, Membership
from ..mail import send_email
from ..markup import plain_text
from ..notifications.service import notify
from ..outbox import after_commit


def deliver(*, user_ids, kind: str, url: str, group: Group, actor: User, text: str, body: str = "") -> list[int]:
    """Notify the members among `user_ids` (not the actor, not those who muted the group); email the loud ones.

    Returns the ids notified.
    """
    wanted = {uid for uid in user_ids if uid != actor.id}
    if not wanted:
        return []
    rows = db.session.execute(
        select(Membership.user_id, Membership.volume, User.email, User.name)
        .join(User, User.id == Membership.user_id)
        .where(Membership.group_id == group.id, Membership.user_id.in_(wanted), Membership.volume != "mute")
    ).all()
    if not rows:
        return []
    notify(user_ids=[r.user_id for r in rows], kind=kind, url=url, text=text, actor_id=actor.id, group_id=group.id)
    emails = [(r.email, r.name) for r in rows if r.volume == "email"]
    if emails:
        link = _absolute(url)
        preview = plain_text(body, limit=600)
        subject = f"[{group.name}] {text}"[:200]

        def send() -> None:
            for address, name in emails:
                send_email(
                    to=address,
                    subject=subject,
                    text=f"Hello {name},\n\n{text}.\n\n{preview}\n\nOpen it: {link}\n\n"
                    f"You get these emails because your volume for {group.name} is 'email'; "
                    "change it on the group's page.\n",
                )

        after_commit(send)
    return [r.user_id for r in rows]


def _absolute(path: str) -> str:
    base = current_app.config.get("SITE_URL")
    if base:
        return base.rstrip("/") + path
    try:
        return url_for("pages.home", _external=True).rstrip("/") + path
    except RuntimeError:
        return path
