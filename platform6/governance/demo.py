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
    ("ocn", "jo", "Raise Kwame Asante's credit limit to £1,000",
     {"kind": "proposal", "details": "Kwame's catering co-op trades steadily and keeps hitting its £500 limit.",
      "action": {"type": "set_credit_limit", "account_of": ("national", "kwame"), "credit_limit": 100000}},
     {"lena": ({"agree": 1}, "Their trade record is good."), "ben": ({"agree": 1}, ""),
      "grace": ({"abstain": 1}, "")},
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
        action = body.get("action")
        if action and action["type"] == "add_member":
            body["action"] = {**action, "user_id": users[action["user_id"]].id}
        elif action:
            account = _account_of(story, *action["account_of"])
            if account is None:  # no demo credit: leave the binding proposal out
                continue
            body["action"] = {"type": action["type"], "account_id": account.id, "credit_limit": action["credit_limit"]}
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


def _account_of(story: dict, network_key: str, user_key: str):
    """The user's account in a demo network (credit's demo runs before this one), or None."""
    credit = story.get("credit") or {}
    network = credit.get("networks", {}).get(network_key)
    user = story["users"][user_key]
    for account in credit.get("accounts", []):
        if (
            network
            and account.network_id == network.id
            and account.holder_type == "user"
            and account.holder_id == user.id
        ):
            return account
    return None
