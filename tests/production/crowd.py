"""Big groups fast: `add_crowd(group, 10_000, "m")` bulk-inserts people who joined at volume "email"."""

from sqlalchemy import insert, select, update

from platform6.accounts.models import User
from platform6.extensions import db
from platform6.groups.models import Group, Membership
from platform6.timeutil import utcnow


def add_crowd(group: Group, count: int, prefix: str) -> list[int]:
    """`count` people (no password: they never sign in) added to `group`, reading it by email; commits."""
    now = utcnow()
    people = [
        {"email": f"{prefix}{i}@example.org", "name": f"Member {prefix}{i}", "handle": f"{prefix}{i}",
         "password_hash": "!", "is_site_admin": False, "created_at": now}
        for i in range(count)
    ]  # fmt: skip
    db.session.execute(insert(User), people)
    ids = list(db.session.scalars(select(User.id).where(User.email.like(f"{prefix}%@example.org"))))
    db.session.execute(
        insert(Membership),
        [{"group_id": group.id, "user_id": uid, "role": "member", "joined_at": now, "volume": "email"} for uid in ids],
    )
    db.session.execute(update(Group).where(Group.id == group.id).values(members_count=Group.members_count + count))
    db.session.commit()
    return ids
