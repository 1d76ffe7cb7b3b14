"""The anonymity property: in an anonymous poll, swapping two voters' ballots changes nothing anyone else can read.

Two worlds are built on an emptied database with the same people, the same poll and the same
actions at the same moments; they differ only in that voter A casts B's ballot and B casts A's.
A third member and an admin then read everything they can: the poll, results, votes and receipt
through the API; the poll page; the results CSV; the group export; the Socket.IO events and
notifications that reached them; their emails. Whatever the generated ballots, both worlds must
read the same, byte for byte, once wall-clock stamps (when a request ran, not what anyone chose)
and per-request tokens are set aside.
"""

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from platform6.accounts.service import create_user
from platform6.extensions import db, socketio
from platform6.governance import service
from platform6.groups.models import Membership
from platform6.groups.permissions import forget_memberships
from platform6.groups.service import add_member, create_group
from platform6.mail import outbox
from platform6.timeutil import utcnow

from ..conftest import PASSWORD, ApiClient, _empty_all_tables

#: each world takes about a second: no long shrinking (a failure still shows its example)
QUICK = [Phase.explicit, Phase.generate]
OPTIONS = {"ranked_choice": ["alder", "birch", "cedar"], "score": ["alder", "birch"], "dot_vote": ["alder", "birch"]}
PROPOSAL = ["agree", "abstain", "disagree", "block"]


def ballots(kind: str):
    """One valid vote's choices for the kind (the rules of kinds.check_choices)."""
    if kind == "proposal":
        return st.sampled_from(PROPOSAL).map(lambda option: {option: 1})
    options = OPTIONS[kind]
    if kind == "ranked_choice":
        return st.permutations(options).map(lambda order: {name: rank for rank, name in enumerate(order, 1)})
    if kind == "score":
        return st.tuples(*(st.integers(0, 5) for _ in options)).map(lambda s: dict(zip(options, s, strict=True)))
    dots = st.tuples(*(st.integers(0, 4) for _ in options)).filter(any)
    return dots.map(lambda d: {name: n for name, n in zip(options, d, strict=True) if n})


def votes(kind: str):
    return st.tuples(ballots(kind), st.sampled_from(["", "Cheaper", "Closer to home"]))


@dataclass
class Story:
    kind: str
    hide_results: bool
    a: tuple
    b: tuple
    third: tuple | None
    admin: tuple | None


def stories(kind: str):
    optional = st.none() | votes(kind)
    return st.builds(Story, st.just(kind), st.booleans(), votes(kind), votes(kind), optional, optional)


TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|\+00:00)?")
TOKENS = [
    re.compile(r'(name="csrf_token" type="hidden" value=")[^"]*'),
    re.compile(r'(name="csrf-token" content=")[^"]*'),
    re.compile(r'(nonce=")[^"]*'),
]


def normalised(text: str, started: datetime) -> str:
    """Stamps of the wall clock (a notification's or the export's time) and per-request tokens set aside.

    The story's own moments lie days before `started`, so they are compared as they are.
    """

    def stamp(match: re.Match) -> str:
        moment = datetime.fromisoformat(match.group(0).replace("Z", "").replace("+00:00", ""))
        return "<wall clock>" if moment >= started - timedelta(minutes=1) else match.group(0)

    text = TIMESTAMP.sub(stamp, text)
    for token in TOKENS:
        text = token.sub(r"\1<token>", text)
    return text


def live_world(app, story: Story, swapped: bool, base: datetime) -> dict:
    """Build the story on an empty database; everything the third member and the admin can read."""
    db.session.rollback()
    _empty_all_tables()
    forget_memberships()
    outbox().clear()
    started = utcnow()
    people = {
        name: create_user(name=name.title(), email=f"{name}@example.org", password=PASSWORD)
        for name in ("admin", "third", "ann", "bob")
    }
    group = create_group(actor=people["admin"], name="Riverside", privacy="closed")
    for name in ("third", "ann", "bob"):
        add_member(actor=people["admin"], group=group, user_id=people[name].id)
    db.session.execute(update(Membership).values(volume="email"))
    db.session.commit()
    api = ApiClient(app.test_client())
    observers = {name: people[name] for name in ("third", "admin")}
    sockets = {name: socketio.test_client(app, auth={"token": api.token(user)}) for name, user in observers.items()}
    pages = {}
    for name, user in observers.items():
        pages[name] = app.test_client()
        with pages[name].session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True

    poll = service.create_poll(
        actor=people["admin"],
        group=group,
        kind=story.kind,
        title="Which wood?",
        options=OPTIONS.get(story.kind),
        closing_at=base + timedelta(days=20),
        anonymous=True,
        hide_results=story.hide_results,
        now=base - timedelta(days=10),
    )
    db.session.commit()
    for socket in sockets.values():
        assert socket.emit("join", {"poll_id": poll.id}, callback=True) == {"ok": True}
    a, b = (story.b, story.a) if swapped else (story.a, story.b)
    cast = [("ann", a), ("third", story.third), ("bob", b), ("admin", story.admin)]
    for minute, (name, ballot) in enumerate(cast):
        if ballot is not None:
            choices, reason = ballot
            moment = base - timedelta(days=9) + timedelta(minutes=minute)
            service.cast_vote(actor=people[name], poll=poll, choices=choices, reason=reason, now=moment)
            db.session.commit()

    def read(moment: str) -> dict:
        seen = {}
        for name, user in observers.items():
            for path in ("", "/results", "/votes", "/my-vote", "/results.csv"):
                response = api.get(f"/polls/{poll.id}{path}", user=user)
                seen[f"{moment} {name} api{path}"] = (response.status_code, response.get_data(as_text=True))
            for path in ("", "/results.csv"):
                response = pages[name].get(f"/polls/{poll.id}{path}")
                seen[f"{moment} {name} page{path}"] = (response.status_code, response.get_data(as_text=True))
        response = api.get(f"/groups/{group.id}/export", user=people["admin"])
        seen[f"{moment} export"] = (response.status_code, response.get_data(as_text=True))
        return seen

    seen = read("open")
    service.close_poll(poll=poll, actor=people["admin"], now=base - timedelta(days=2))
    db.session.commit()
    seen |= read("closed")
    for name, user in observers.items():
        seen[f"{name} events"] = json.dumps(sockets[name].get_received(), sort_keys=True, default=str)
        seen[f"{name} notifications"] = api.get("/notifications", user=user).get_data(as_text=True)
        sockets[name].disconnect()
    seen["emails"] = [(m["To"], m["Subject"], m.get_body(("plain",)).get_content()) for m in outbox()]
    return json.loads(normalised(json.dumps(seen, sort_keys=True), started))


@pytest.mark.parametrize("kind", ["proposal", "ranked_choice", "score", "dot_vote"])
def test_swapping_two_ballots_changes_nothing_anyone_else_reads(app, kind):
    app.config["MAIL_BACKEND"] = "memory"
    base = utcnow().replace(minute=0, second=0, microsecond=0)

    @settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow], phases=QUICK)
    @given(story=stories(kind))
    def swap_is_invisible(story: Story):
        as_cast = live_world(app, story, swapped=False, base=base)
        swapped = live_world(app, story, swapped=True, base=base)
        differing = sorted(key for key in as_cast if as_cast[key] != swapped[key])
        assert not differing, {key: (as_cast[key], swapped[key]) for key in differing[:2]}

    swap_is_invisible()
