"""`flask --app app loomio import FILE --admin EMAIL` (and its alias `import-loomio`): a Loomio export becomes groups, people, threads and decisions
that members see as they were, and a second run imports nothing."""

import json
from pathlib import Path

from sqlalchemy import func, select

from platform6.accounts.service import password_reset_token
from platform6.extensions import db
from platform6.forums.models import Comment, Discussion, Reaction
from platform6.governance.models import Poll, Vote, VoteRevision
from platform6.groups.models import Group, Membership
from platform6.loomio import service
from platform6.markup import find_mentions

EXPORT = Path(__file__).parent / "data" / "riverside-food-coop.json"


def run_import(app, path=EXPORT, admin="operator@example.org"):
    return app.test_cli_runner().invoke(args=["import-loomio", str(path), "--admin", admin])


def imported(app, create_user, path=EXPORT) -> dict:
    if db.session.scalar(select(func.count()).select_from(Group)) == 0:
        create_user(name="Operator", email="operator@example.org")
    result = run_import(app, path)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def group(handle: str) -> Group:
    return db.session.scalar(select(Group).where(Group.handle == handle))


def role_of(email: str, group: Group) -> str | None:
    from platform6.accounts.service import user_by_email

    return db.session.scalar(
        select(Membership.role).where(Membership.group_id == group.id, Membership.user_id == user_by_email(email).id)
    )


def totals() -> tuple[int, ...]:
    from platform6.accounts.models import User

    models = (User, Group, Membership, Discussion, Comment, Reaction, Poll, Vote, VoteRevision)
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in models)


def test_groups_and_members_arrive_with_the_named_admin(app, create_user):
    ana = create_user(name="Ana here already", email="ana@example.org")
    summary = imported(app, create_user)
    assert summary["counts"]["groups"] == {"imported": 2, "skipped": 0}
    assert summary["counts"]["users"] == {"imported": 6, "skipped": 0, "linked": 1, "stand-in": 1}
    assert [g["name"] for g in summary["groups"]] == ["Riverside Food Co-op", "Bakery Working Group"]
    coop, bakery = group("riverside-food"), group(summary["groups"][1]["handle"])
    assert bakery.parent_id == coop.id
    assert (coop.privacy, bakery.privacy) == ("closed", "secret")
    assert coop.created_at.isoformat() == "2024-06-01T09:00:00"
    assert "<strong>member-owned</strong>" in coop.description_html
    assert role_of("operator@example.org", coop) == role_of("operator@example.org", bakery) == "admin"
    assert role_of("ana@example.org", coop) == "admin"  # a Loomio admin stays one
    assert role_of("ben.okafor@example.org", coop) == "member"
    assert role_of("chloe@example.org", bakery) == "admin"
    assert role_of("gita@example.org", coop) is None  # her invitation was never accepted
    assert coop.members_count == 7 and bakery.members_count == 4
    assert db.session.get(type(ana), ana.id).name == "Ana here already"  # an existing account is linked, not changed


def test_members_claim_their_account_through_the_password_reset(app, create_user, client):
    create_user(name="Ana", email="ana@example.org", password="ana's own password")
    imported(app, create_user)
    from platform6.accounts.service import user_by_email

    ben = user_by_email("ben.okafor@example.org")
    assert ben.name == "Ben Okafor" and ben.handle == "benokafor"
    refused = client.post("/sign-in", data={"email": ben.email, "password": "!unclaimed"})
    assert refused.status_code != 302
    token = password_reset_token(ben)
    reset = client.post(
        f"/reset-password/{token}", data={"new_password": "bread and roses", "confirm": "bread and roses"}
    )
    assert reset.status_code == 302
    client.post("/sign-out")
    assert client.post("/sign-in", data={"email": ben.email, "password": "bread and roses"}).status_code == 302
    client.post("/sign-out")
    assert (
        client.post("/sign-in", data={"email": "ana@example.org", "password": "ana's own password"}).status_code == 302
    )


def test_threads_keep_their_replies_times_mentions_and_reactions(app, create_user, api):
    summary = imported(app, create_user)
    assert summary["counts"]["comments"] == {"imported": 10, "skipped": 0}
    from platform6.accounts.service import user_by_email

    admin = user_by_email("operator@example.org")
    thread = db.session.scalar(select(Discussion).where(Discussion.title == "Opening hours for winter"))
    shown = api.get(f"/discussions/{thread.id}", user=admin).get_json()
    assert shown["created_at"] == "2025-01-10T09:00:00Z" and shown["pinned"] is True
    assert 'href="/people/benokafor"' in shown["description_html"]
    comments = api.get(f"/discussions/{thread.id}/comments", user=admin).get_json()["items"]
    by_start = {(c["body"] or "(deleted)")[:12]: c for c in comments}
    ids = {key: c["id"] for key, c in by_start.items()}
    parent = {key: c["parent_id"] for key, c in by_start.items()}
    assert parent["<p>6pm works"] is None
    assert parent["Saturdays st"] == ids["<p>6pm works"]
    assert parent["Agree with y"] == ids["Saturdays st"]  # three levels deep
    assert parent["(deleted)"] == ids["<p>What do t"] and by_start["(deleted)"]["deleted"] is True
    assert parent["Staff are fi"] == ids["(deleted)"]  # a reply to a deleted comment keeps its place
    assert parent["Erin, quiet "] is None  # it replied to a vote: here it is a top-level comment
    # a deactivated, nameless Loomio account is a stand-in who cannot sign in, named as Loomio names it
    assert by_start["I used to sh"]["author"]["name"] == "Deleted account"
    assert by_start["<p>6pm works"]["created_at"] == "2025-01-10T10:00:00Z"
    assert by_start["<p>What do t"]["edited_at"] == "2025-01-10T12:05:00Z"
    assert [c["position"] for c in comments] == sorted(c["position"] for c in comments)
    assert shown["comments_count"] == 7  # the deleted one is not counted
    # mentions: HTML spans (by username or id) and Markdown @usernames become our @handles
    assert find_mentions(by_start["<p>6pm works"]["body"]) == {"anaortiz"}
    assert find_mentions(by_start["<p>What do t"]["body"]) == {"erinwalsh"}
    assert '<a class="mention" href="/people/benokafor"' in by_start["Saturdays st"]["body_html"]
    assert "Q&amp;A" in by_start["Saturdays st"]["body_html"]  # Loomio's escaped Markdown is unescaped once
    assert by_start["<p>6pm works"]["reactions"] == {"👍": 1, "❤️": 1}
    assert by_start["Saturdays st"]["reactions"] == {"🎉": 1}
    mill = db.session.scalar(select(Comment).where(Comment.body.like("I asked%")))
    assert find_mentions(mill.body) == {"chloedubois"}  # @nobodyhere was not imported: no link to anyone
    assert "/people/nobodyhere" not in mill.body_html and "@nobodyhere" in mill.body_html


def test_polls_of_every_kind_count_their_imported_ballots(app, create_user, api):
    summary = imported(app, create_user)
    from platform6.accounts.service import user_by_email

    admin = user_by_email("operator@example.org")
    polls = {p.title: p for p in db.session.scalars(select(Poll))}
    assert len(polls) == 9 and "A deleted proposal" not in polls

    def results(title):
        found = api.get(f"/polls/{polls[title].id}/results", user=admin)
        assert found.status_code == 200, found.get_json()
        body = found.get_json()
        return body, {row["name"]: row["value"] for row in body["options"]}

    body, values = results("Close at 6pm from November")
    assert values == {"agree": 4, "disagree": 1, "abstain": 0, "block": 0}  # Ben's replaced abstain is history
    assert (body["winner"], body["passed"], body["voters_count"], body["eligible_count"]) == ("agree", True, 5, 6)
    assert polls["Close at 6pm from November"].discussion_id is not None
    body, values = results("Which days for the bulk-buy pickup?")
    assert values == {"Saturday": 3, "Monday": 2, "Wednesday": 1} and body["winner"] == "Saturday"
    body, values = results("Which flour supplier?")
    assert values == {"Millers Co-op": 8, "Green Fields": 6, "Stoneground Ltd": 4}  # Loomio's Borda points
    body, values = results("Where should the surplus go?")
    assert values == {"Food bank": 21, "Staff bonus": 5, "New fridge": 4}
    body, values = results("Next bakery meeting")
    assert body["winner"] == "2025-03-10T18:00:00Z" and values == {"2025-03-10T18:00:00Z": 5, "2025-03-12T18:00:00Z": 3}
    body, values = results("Rate the new suppliers")
    assert values == {"Fresh Farm": 9, "Valley Dairy": 5}
    body, values = results("Who can help at the spring fair?")
    assert values == {"yes": 2, "no": 1} and body["closed"] is False  # still open: members here can vote on
    body, values = results("Paint the shop front")
    assert polls["Paint the shop front"].kind == "poll" and values == {"Green": 1, "Blue": 0}
    assert [n["id"] for n in summary["notes"]] == [5007]
    body, _ = results("Which bread should we add?")
    assert body["voters_count"] == 2
    ben = user_by_email("ben.okafor@example.org")
    vote = db.session.scalar(
        select(Vote).where(Vote.poll_id == polls["Close at 6pm from November"].id, Vote.user_id == ben.id)
    )
    history = db.session.scalars(select(VoteRevision).where(VoteRevision.vote_id == vote.id)).all()
    assert [h.choices for h in history] == [{"abstain": 1}] and vote.choices == {"agree": 1}
    assert vote.created_at.isoformat() == "2025-01-12T08:00:00"
    found = api.get("/search?q=flour supplier", user=admin).get_json()["items"]
    assert ("poll", "Which flour supplier?") in [(hit["type"], hit["title"]) for hit in found]


def test_outcomes_arrive_with_their_poll(app, create_user, api):
    imported(app, create_user)
    from platform6.accounts.service import user_by_email

    admin = user_by_email("operator@example.org")
    polls = {p.title: p for p in db.session.scalars(select(Poll))}
    proposal = api.get(f"/polls/{polls['Close at 6pm from November'].id}", user=admin).get_json()
    outcome = proposal["outcome"]
    assert "<strong>1 November</strong>" in outcome["statement_html"]
    assert 'href="/people/anaortiz"' in outcome["statement_html"]
    assert outcome["review_on"] == "2025-04-01" and outcome["author"]["name"] == "Ana Ortiz"
    assert outcome["created_at"] == "2025-01-17T10:00:00Z"
    meeting = api.get(f"/polls/{polls['Next bakery meeting'].id}", user=admin).get_json()
    assert meeting["outcome"]["option"] == "2025-03-10T18:00:00Z"


def test_no_script_from_the_export_survives(app, create_user, client, login):
    imported(app, create_user)
    html_columns = [
        *db.session.scalars(select(Comment.body_html)),
        *db.session.scalars(select(Discussion.description_html)),
        *db.session.scalars(select(Group.description_html)),
        *db.session.scalars(select(Poll.details_html)),
        *db.session.scalars(select(Vote.reason_html)),
    ]
    assert not [html for html in html_columns if "<script" in html or "onerror" in html]
    html_sources = db.session.scalars(select(Comment.body).where(Comment.body.like("<%"))).all()
    assert html_sources and not [body for body in html_sources if "<script" in body]  # HTML is stored sanitised
    from platform6.accounts.service import user_by_email

    login(user_by_email("operator@example.org"))
    thread = db.session.scalar(select(Discussion).where(Discussion.title == "Opening hours for winter"))
    page = client.get(f"/d/{thread.id}").get_data(as_text=True)
    assert "6pm works for me" in page and "evil.example" not in page and "alert(" not in page


def test_a_second_run_imports_nothing(app, create_user):
    first = imported(app, create_user)
    before = totals()
    second = imported(app, create_user)
    assert totals() == before
    assert second["imported"] == 0 and second["skipped"] == first["imported"] + first["skipped"]
    assert all(counts["imported"] == 0 for counts in second["counts"].values())
    already = {e["table"]: e["count"] for e in second["skipped_records"] if e["reason"] == "already imported"}
    assert already["comments"] == 10 and already["polls"] == 9 and already["users"] == 8


def test_tables_loomio_writes_that_have_no_counterpart_here_are_reported_not_refused(app, create_user, tmp_path):
    topic_era = tmp_path / "topic-era.json"
    receipt = {"id": 77, "poll_id": 5001, "voter_id": 2001, "vote_cast": True}
    extra = json.dumps({"table": "stance_receipts", "record": receipt}).encode()
    topic_era.write_bytes(EXPORT.read_bytes() + extra + b"\n")
    summary = imported(app, create_user, topic_era)
    reasons = {(e["table"], tuple(e["lines"])) for e in summary["skipped_records"]}
    assert ("stance_receipts", (157,)) in reasons
    assert summary["counts"]["comments"]["imported"] == 10


def test_a_file_that_is_not_an_export_is_refused_whole(app, create_user, tmp_path):
    create_user(name="Operator", email="operator@example.org")
    wrong = tmp_path / "export.json"
    wrong.write_text(json.dumps({"groups": [{"id": 1}]}, indent=2))
    result = run_import(app, wrong)
    assert result.exit_code != 0 and "not a Loomio group export" in result.output
    unknown = run_import(app, EXPORT, admin="nobody@example.org")
    assert unknown.exit_code != 0 and "No account has the email nobody@example.org" in unknown.output
    assert totals()[1:] == (0, 0, 0, 0, 0, 0, 0, 0)


def test_a_failure_part_way_leaves_nothing_written(app, create_user, monkeypatch):
    create_user(name="Operator", email="operator@example.org")

    def broken(self, line):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(service._Importer, "reaction", broken)
    result = run_import(app)
    assert result.exit_code != 0 and isinstance(result.exception, RuntimeError)
    db.session.rollback()
    assert totals()[1:] == (0, 0, 0, 0, 0, 0, 0, 0)


def test_every_imported_page_opens_for_a_member(app, create_user, client, login):
    imported(app, create_user)
    from platform6.accounts.service import user_by_email

    login(user_by_email("operator@example.org"))
    pages = [f"/groups/{g.handle}" for g in db.session.scalars(select(Group))]
    pages += [f"/d/{d.id}" for d in db.session.scalars(select(Discussion))]
    pages += [f"/polls/{p.id}" for p in db.session.scalars(select(Poll))]
    answers = {page: client.get(page).status_code for page in pages}
    assert set(answers.values()) == {200}, answers
    meeting = db.session.scalar(select(Poll).where(Poll.kind == "meeting"))
    assert "We meet on <strong>10 March</strong> at 18:00." in client.get(f"/polls/{meeting.id}").get_data(as_text=True)
