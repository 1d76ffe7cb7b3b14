"""Demo groups: Platform 6 (open), Open Credit Network (closed) with Kirklees as a subgroup, secret OCN core."""

from sqlalchemy import select

from ..extensions import db
from . import service
from .models import Group, Membership

GROUPS = [
    # key, handle, name, privacy, parent key, creator (an admin), other admins, members, description
    ("platform6", "platform6", "Platform 6", "open", None, "alice", ["chiara"],
     ["ben", "dev", "ellie", "farid", "grace", "ines", "kwame"],
     "Platform 6 connects people who want to help co-ops with co-ops that need help: "
     "video editing, setting up a Mastodon instance, speaking Italian, and much more."),
    ("ocn", "ocn", "Open Credit Network", "closed", None, "jo", ["lena"],
     ["alice", "ben", "hamish", "kwame", "grace"],
     "A national network of co-ops and small businesses trading in **mutual credit**."),
    ("kirklees", "kirklees", "Kirklees Solidarity Economy Network", "closed", "ocn", "jo", ["hamish"],
     ["ellie", "dev", "lena", "ben"],
     "The local network for Huddersfield, Dewsbury and the Kirklees valleys."),
    ("ocn-core", "ocn-core", "OCN core", "secret", "ocn", "jo", [], ["alice", "lena"],
     "The core team that runs the Open Credit Network day to day."),
]  # fmt: skip


def seed(story: dict) -> None:
    users = story["users"]
    groups: dict[str, Group] = story.setdefault("groups", {})
    for key, handle, name, privacy, parent_key, admin, admins, members, description in GROUPS:
        group = db.session.scalar(select(Group).where(Group.handle == handle))
        if group is None:
            group = service.create_group(
                actor=users[admin],
                name=name,
                handle=handle,
                description=description,
                privacy=privacy,
                parent_id=groups[parent_key].id if parent_key else None,
            )
        groups[key] = group
        present = set(db.session.scalars(select(Membership.user_id).where(Membership.group_id == group.id)))
        for member in admins + members:
            if users[member].id not in present:
                role = "admin" if member in admins else "member"
                service.add_member(actor=users[admin], group=group, user_id=users[member].id, role=role)
    story.setdefault("summary", {})["groups"] = len(groups)
