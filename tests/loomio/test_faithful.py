"""A real group moved from Loomio (issue 16): fixtures written from Loomio's exporter (events shape,
2025, and topic shape, 2026; loomio-export-format.md), expected results worked out by hand."""

import json
from pathlib import Path

from sqlalchemy import select

from platform6.accounts.service import user_by_email
from platform6.extensions import db
from platform6.forums.models import Comment, CommentVersion, Discussion
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


def test_todays_topic_shaped_export_imports_its_threads_polls_and_comments(app, create_user, api):
    summary = imported(app, create_user, TOPICS)
    thread = db.session.scalar(select(Discussion).where(Discussion.title == "The garden gate"))
    assert thread is not None
    found = polls()
    # a poll in a thread hangs off the thread's topic; standalone polls have topics of their own
    assert found["Fix the gate ourselves"].discussion_id == thread.id
    assert found["Raise the service charge"].discussion_id is None
    comments = {c.body: c for c in db.session.scalars(select(Comment))}
    assert comments["I can bring a spare latch."].discussion_id == thread.id
    assert comments["@jonb thank you!"].parent_id == comments["I can bring a spare latch."].id
    assert comments["Kemi, we will buy one."].discussion_id == thread.id  # it replied to a vote in that thread
    assert comments["Good result."].discussion_id == thread.id  # it replied to the thread's poll
    body, values = results(api, found["Fix the gate ourselves"])
    assert values == {"agree": 2, "abstain": 0, "disagree": 1, "block": 0} and body["passed"] is True
    assert not [e for e in summary["skipped_records"] if "group was not imported" in e["reason"]]


def test_anonymous_ballots_are_counted_without_voters(app, create_user, api):
    imported(app, create_user, TOPICS)
    poll = polls()["Raise the service charge"]
    assert poll.anonymous and poll.closed_at is not None
    body, values = results(api, poll)
    # by hand: three ballots, agree, agree, disagree; nobody here is named as their voter
    assert values == {"agree": 2, "abstain": 0, "disagree": 1, "block": 0} and body["voters_count"] == 3
    members = {user_by_email(f"{who}@harbour.example").id for who in ("ines", "jon", "kemi", "lars")}
    assert not members & set(db.session.scalars(select(Vote.user_id).where(Vote.poll_id == poll.id)))


def test_an_stv_poll_is_a_ranked_choice_counted_by_stv(app, create_user, api):
    imported(app, create_user, TOPICS)
    poll = polls()["Elect the garden steward"]
    assert poll.kind == "ranked_choice" and poll.settings["method"] == "stv" and poll.settings["seats"] == 1
    assert vote_of("kemi@harbour.example", poll).choices == {"Cy": 1, "Ben": 2}
    body, _ = results(api, poll)
    # by hand: quota 4 // 2 + 1 = 3; first preferences Ana 1, Ben 2, Cy 1; Ana and Cy out, Ben 4 of 4
    assert body["winner"] == "Ben"


def test_a_file_of_neither_shape_is_refused_naming_the_line(app, create_user, tmp_path):
    create_user(name="Operator", email="operator@example.org")
    lines = TOPICS.read_bytes().split(b"\n")
    number = next(i for i, line in enumerate(lines, 1) if line.startswith(b'{"table":"discussions"'))
    item = json.loads(lines[number - 1])
    del item["record"]["topic_id"]
    lines[number - 1] = json.dumps(item).encode()
    odd = tmp_path / "odd.json"
    odd.write_bytes(b"\n".join(lines))
    result = run_import(app, odd)
    assert result.exit_code == 1
    assert (
        f"Nothing was imported: line {number} " in result.output and "shape this import does not know" in result.output
    )
    assert totals()[1:] == (0, 0, 0, 0, 0, 0, 0, 0)


def test_a_truncated_file_imports_nothing_and_exits_1(app, create_user, tmp_path):
    create_user(name="Operator", email="operator@example.org")
    data = EVENTS.read_bytes()
    cut = tmp_path / "cut.json"
    cut.write_bytes(data[: int(len(data) * 0.55)])  # Loomio writes comments last: this file has none
    result = run_import(app, cut)
    assert result.exit_code == 1 and "Nothing was imported: line " in result.output
    assert totals()[1:] == (0, 0, 0, 0, 0, 0, 0, 0)
    # the whole file afterwards imports as if the cut one had never been tried
    assert run_import(app, EVENTS).exit_code == 0
    assert polls()["Adopt the repair budget"].eligible_count == 5


def test_a_corrupted_choice_line_imports_nothing_and_names_the_line(app, create_user, tmp_path):
    create_user(name="Operator", email="operator@example.org")
    lines = EVENTS.read_bytes().split(b"\n")
    # Ines's 7 dots on Garden moved to an option of another poll: her vote would silently change
    number = next(i for i, line in enumerate(lines, 1) if b'"id":191051,' in line)
    lines[number - 1] = lines[number - 1].replace(b'"poll_option_id":181051', b'"poll_option_id":181001')
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\n".join(lines))
    result = run_import(app, bad)
    assert result.exit_code == 1 and f"Nothing was imported: line {number} " in result.output
    assert "another poll" in result.output
    assert totals()[1:] == (0, 0, 0, 0, 0, 0, 0, 0)


def test_results_hidden_until_one_votes_show_to_voters_only(app, create_user, api):
    imported(app, create_user, EVENTS)
    poll = polls()["Where should the surplus go?"]
    assert poll.closed_at is None and poll.hide_results and poll.results_after_vote
    ines, jon = user_by_email("ines@harbour.example"), user_by_email("jon@harbour.example")
    _, values = results(api, poll, user=ines)
    assert values == {"Garden": 7, "Bikes": 3}  # Lars's withdrawn dots do not count
    hidden = api.get(f"/polls/{poll.id}/results", user=jon)
    assert hidden.status_code == 403 and hidden.get_json()["error"]["code"] == "results_hidden"
    assert api.get(f"/polls/{poll.id}/votes", user=jon).status_code == 403
    assert api.get(f"/polls/{poll.id}/votes", user=ines).status_code == 200


def _later_export() -> bytes:
    """The same group exported a week later: Jon changed his AGM vote in place, Lars voted again
    (a new stance row, the old one no longer latest), and Kemi edited her reply."""
    out = []
    for raw in EVENTS.read_bytes().splitlines():
        item = json.loads(raw)
        record = item["record"]
        if item["table"] == "stances" and record["id"] == 161022:
            record.update(none_of_the_above=False, cast_at="2025-03-06T11:00:00.000Z")
        if item["table"] == "stances" and record["id"] == 161006:
            record["latest"] = False
        if item["table"] == "comments" and record["id"] == 111004:
            record.update(body="Mo, which line of the budget worries you?", edited_at="2025-03-04T08:00:00.000Z")
        out.append(json.dumps(item))
        if item["table"] == "stances" and record["id"] == 161006:
            lars = dict(record, id=161007, latest=True, cast_at="2025-03-06T12:00:00.000Z")
            out.append(json.dumps({"table": "stances", "record": lars}))
        if item["table"] == "stance_choices" and record["id"] == 191032:
            for new in ({"id": 191033, "stance_id": 161022, "poll_option_id": 181032, "score": 1},
                        {"id": 191034, "stance_id": 161007, "poll_option_id": 181011, "score": 1}):  # fmt: skip
                out.append(json.dumps({"table": "stance_choices", "record": new}))
    return "\n".join(out).encode() + b"\n"


def test_a_later_export_brings_changed_votes_and_edits(app, create_user, api, tmp_path):
    imported(app, create_user, EVENTS)
    later = tmp_path / "later.json"
    later.write_bytes(_later_export())
    result = run_import(app, later)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["counts"]["stances"]["updated"] == 1  # Jon's, changed in place
    assert summary["counts"]["stances"]["imported"] == 1  # Lars's new stance, which replaces his vote
    assert summary["counts"]["comments"]["updated"] == 1
    found = polls()
    # by hand: Tuesday Ines, Thursday Kemi and now Jon; nobody is left on None of the above
    assert results(api, found["Which evening for the AGM?"])[1] == {"Tuesday": 1, "Thursday": 2, "None of the above": 0}
    jon = vote_of("jon@harbour.example", found["Which evening for the AGM?"])
    history = db.session.scalars(select(VoteRevision).where(VoteRevision.vote_id == jon.id)).all()
    assert [h.choices for h in history] == [{"None of the above": 1}]
    # Lars's abstain became agree: agree Ines, Jon, Lars; Mo's block still stands
    budget = results(api, found["Adopt the repair budget"])
    assert budget[1] == {"agree": 3, "abstain": 0, "disagree": 0, "block": 1} and budget[0]["voters_count"] == 4
    reply = db.session.scalar(select(Comment).where(Comment.body.like("Mo, which line%")))
    assert reply is not None and reply.edited_at.isoformat() == "2025-03-04T08:00:00"
    assert [
        v.body for v in db.session.scalars(select(CommentVersion).where(CommentVersion.comment_id == reply.id))
    ] == ["Mo, what would make this acceptable?"]
    again = run_import(app, later)  # the same later file once more changes nothing
    assert json.loads(again.output)["imported"] == 0


def test_files_stay_on_loomio_as_links_with_their_names(app, create_user):
    summary = imported(app, create_user, EVENTS)
    thread = db.session.scalar(select(Discussion).where(Discussion.title == "Roof repairs"))
    roof = "https://www.loomio.com/rails/active_storage/blobs/redirect/eyJfcmFpbHMiOnsiZGF0YSI6NzcxfX0--roof/roof.jpg"
    assert f'<a href="{roof}"' in thread.description_html and ">roof.jpg</a>" in thread.description_html
    assert "<img" not in thread.description_html and "quote.pdf</a>" in thread.description_html
    first = db.session.scalar(select(Comment).where(Comment.body.like("%first%")))
    assert "invoice.pdf</a>" in first.body_html and "Files (kept on the Loomio server)" in first.body_html
    assert summary["counts"]["attachments"] == {"imported": 0, "skipped": 0, "as a link": 3}


def test_the_summary_tells_the_admin_in_plain_words(create_user, client, login):
    from html import unescape

    from tests.loomio.test_routes import site_admin, upload

    login(site_admin(create_user))
    response = upload(client, EVENTS.read_bytes())
    assert response.status_code == 200
    page = unescape(response.get_data(as_text=True))
    came = page[page.index("<h3>What came across</h3>") : page.index("<h3>What came across as something else</h3>")]
    assert (
        "7 people (2 as stand-ins who cannot sign in)" in came and "3 files (3 as links to the Loomio server)" in came
    )
    mapped = page[page.index("as something else</h3>") : page.index("<h3>What was left behind</h3>")]
    assert "Deactivated Loomio accounts are stand-ins" in mapped and "Replies to votes are comments" in mapped
    assert "Thread guests are guests of that one thread here" in mapped
    assert "Ban barbecues on the roof" in mapped and "Paint the stairwell green" in mapped
    assert "The tags of the thread “Roof repairs” (maintenance, budget) are its labels" in mapped
    left = page[page.index("<h3>What was left behind</h3>") :]
    assert "Tags" not in left and "tags" not in left
    assert "Nia Guest" not in left
    for target in ("a thread's opening post", "a poll", "a vote", "an outcome"):
        assert f"reactions to {target}: reactions here are on comments only" in left
