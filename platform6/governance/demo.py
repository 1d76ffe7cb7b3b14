"""Demo decisions in the seed groups: open and closed polls of several kinds, a binding proposal, an election."""

from datetime import timedelta

from sqlalchemy import select

from ..extensions import db
from ..timeutil import utcnow
from . import service
from .models import Poll

# group key, author, title, body (create_poll arguments), votes {person: (choices, reason)}, close with outcome
DECISIONS = [
    ("platform6", "alice", "Adopt the volunteer code of conduct",
     {"kind": "proposal", "details": "The draft is in the handbook. It covers **respect**, **reliability** and "
      "**confidentiality** when we work inside a co-op.", "quorum_percent": 30},
     {"chiara": ({"agree": 1}, "Clear and short."), "ben": ({"agree": 1}, ""),
      "dev": ({"abstain": 1}, "I have not read it all yet.")},
     None),
    ("platform6", "chiara", "Which co-op do we help first?",
     {"kind": "ranked_choice", "options": ["Calder Valley Bakery", "Leeds Bike Kitchen", "Radical Routes", "Unicorn Grocery"],
      "settings": {"method": "instant_runoff"}},
     {"alice": ({"Leeds Bike Kitchen": 1, "Unicorn Grocery": 2}, ""),
      "ben": ({"Calder Valley Bakery": 1, "Leeds Bike Kitchen": 2}, ""),
      "grace": ({"Leeds Bike Kitchen": 1}, "They asked first."),
      "ines": ({"Unicorn Grocery": 1, "Calder Valley Bakery": 2}, "")},
     None),
    ("platform6", "alice", "How should we spend the training budget?",
     {"kind": "dot_vote", "options": ["Video editing", "Mastodon admin", "Italian lessons", "Bookkeeping"]},
     {"ben": ({"Video editing": 5, "Bookkeeping": 3}, ""), "farid": ({"Mastodon admin": 8}, "Our instance needs help."),
      "kwame": ({"Bookkeeping": 4, "Video editing": 4}, "")},
     ("We fund video editing and bookkeeping this quarter.", "Video editing")),
    ("ocn", "jo", "Make Hamish an admin of the Open Credit Network",
     {"kind": "proposal", "details": "Hamish runs the Kirklees node and should be able to open accounts.",
      "action": {"type": "add_member", "user_id": "hamish", "role": "admin"}},
     {"lena": ({"agree": 1}, "Long overdue."), "alice": ({"agree": 1}, "")},
     None),
    ("kirklees", "jo", "Elect the Kirklees steering group",
     {"kind": "ranked_choice", "options": ["Ben", "Dev", "Ellie", "Hamish", "Lena"], "anonymous": True,
      "settings": {"method": "stv", "seats": 2}, "details": "Two seats, single transferable vote."},
     {"ellie": ({"Ellie": 1, "Dev": 2}, ""), "dev": ({"Dev": 1, "Ellie": 2}, ""),
      "lena": ({"Lena": 1, "Hamish": 2}, ""), "ben": ({"Hamish": 1, "Ben": 2}, "")},
     None),
]  # fmt: skip


def seed(story: dict) -> None:
    users, groups = story["users"], story["groups"]
    for group_key, author, title, body, votes, outcome in DECISIONS:
        group = groups[group_key]
        if db.session.scalar(select(Poll.id).where(Poll.group_id == group.id, Poll.title == title)):
            continue
        body = dict(body)
        if body.get("action", {}).get("type") == "add_member":
            body["action"] = {**body["action"], "user_id": users[body["action"]["user_id"]].id}
        poll = service.create_poll(
            actor=users[author], group=group, title=title, closing_at=utcnow() + timedelta(days=5), **body
        )
        for person, (choices, reason) in votes.items():
            service.cast_vote(actor=users[person], poll=poll, choices=choices, reason=reason or None)
        if outcome:
            service.close_poll(poll=poll, actor=users[author])
            statement, option = outcome
            service.set_outcome(actor=users[author], poll=poll, statement=statement, option=option)
    story.setdefault("summary", {})["decisions"] = len(DECISIONS)
