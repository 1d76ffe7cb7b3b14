"""A real group moved from Loomio (issue 16): fixtures written from Loomio's exporter (events shape,
2025, and topic shape, 2026; loomio-export-format.md), expected results worked out by hand."""

import json
from pathlib import Path

from sqlalchemy import select

from platform6.accounts.service import user_by_email
from platform6.extensions import db
from platform6.forums.models import Comment, Discussion
from platform6.governance.models import Poll, Vote, VoteRevision
from tests.loomio.test_import import imported, run_import, totals

DATA = Path(__file__).parent / "data"
EVENTS = DATA / "harbour-housing-2025.json"
TOPICS = DATA / "harbour-housing-2026.json"


def polls() -> dict[str, Poll]:
    return {p.title: p for p in db.session.scalars(select(Poll))}


def results(api, poll: Poll, user=None) -> tuple[dict, dict]:
    found = api.get(f"/polls/{poll.id}/results", user=user or user_by_email("operator@example.org"))
    assert found.status_code == 200, found.get_json()
    body = found.get_json()
    return body, {row["name"]: row["value"] for row in body["options"]}


def vote_of(email: str, poll: Poll) -> Vote:
    return db.session.scalar(select(Vote).where(Vote.poll_id == poll.id, Vote.user_id == user_by_email(email).id))


def test_ranked_choice_keeps_loomios_number_of_choices_and_totals(app, create_user, api):
    imported(app, create_user, EVENTS)
    poll = polls()["Which contractor?"]
    # N = 2 of 4 options: Loomio's scores 2 (first) and 1 (second) are ranks 1 and 2
    assert poll.kind == "ranked_choice" and poll.settings["places"] == 2
    assert vote_of("ines@harbour.example", poll).choices == {"CoastBuild": 1, "Acme Roofing": 2}
    body, values = results(api, poll)
    # by hand: CoastBuild 2 + 2 + 1, Acme 1 + 2, DeltaRoof 1, Brick & Co never ranked
    assert values == {"CoastBuild": 5, "Acme Roofing": 3, "DeltaRoof": 1, "Brick & Co": 0}
    assert body["winner"] == "CoastBuild" and body["voters_count"] == 3


def test_a_deactivated_voters_block_is_kept(app, create_user, api):
    summary = imported(app, create_user, EVENTS)
    poll = polls()["Adopt the repair budget"]
    mo = user_by_email("mo@harbour.example")
    assert mo is None  # a stand-in, not an account anyone can claim or sign in to
    from platform6.accounts.models import User

    rows = db.session.execute(
        select(User.name, Vote.choices).join(Vote, Vote.user_id == User.id).where(Vote.poll_id == poll.id)
    )
    votes = dict(rows.all())
    assert votes["Mo Deane"] == {"block": 1}
    body, values = results(api, poll)
    # by hand: Ines agree, Jon agree (his abstain replaced), Lars abstain, Mo block; Kemi undecided
    assert values == {"agree": 2, "abstain": 1, "disagree": 0, "block": 1}
    assert body["passed"] is False and body["voters_count"] == 4 and body["eligible_count"] == 5
    assert summary["counts"]["users"]["stand-in"] == 2  # Mo and the nameless, deleted account


def test_a_draft_poll_arrives_closed_with_no_votes_and_nobody_told(app, create_user, api):
    from platform6.notifications.models import Notification

    summary = imported(app, create_user, EVENTS)
    poll = polls()["Ban barbecues on the roof"]
    assert poll.closed_at is not None and poll.closed_at == poll.created_at == poll.closing_at
    assert db.session.scalar(select(Vote).where(Vote.poll_id == poll.id)) is None
    assert db.session.scalar(select(Notification)) is None
    assert any("draft" in note["note"] for note in summary["notes"] if note["id"] == 101007)


def test_proposal_wording_is_loomios_and_none_of_the_above_counts(app, create_user, api):
    summary = imported(app, create_user, EVENTS)
    found = polls()
    consent = found["Paint the stairwell green"]
    assert consent.kind == "poll" and consent.options == ["Consent", "Objection"]
    assert results(api, consent)[1] == {"Consent": 1, "Objection": 1}
    assert found["Join the garden rota"].options == ["Accept", "Decline"]
    agm = found["Which evening for the AGM?"]
    assert agm.options == ["Tuesday", "Thursday", "None of the above"]
    assert results(api, agm)[1] == {"Tuesday": 1, "Thursday": 1, "None of the above": 1}
    assert not [e for e in summary["skipped_records"] if e["table"] == "stances" and "fit" in e["reason"]]
