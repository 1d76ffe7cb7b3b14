"""Export a group, empty the instance, import the file: the same threads, votes and ledger come back."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from platform6.accounts.models import User
from platform6.accounts.service import password_reset_token, reset_password
from platform6.credit.models import Account, Transfer
from platform6.credit.queries import ledger_violations
from platform6.errors import Conflict, Forbidden, NotFound, ValidationFailed
from platform6.exports.export import export_group
from platform6.exports.restore import import_group
from platform6.extensions import db
from platform6.forums.models import Comment, Discussion
from platform6.governance import service as governance
from platform6.governance.models import Poll, Vote
from platform6.groups.models import Group, Membership
from platform6.skills.models import SkillRequest
from platform6.timeutil import utcnow


def _by(model, **where):
    return db.session.scalar(select(model).filter_by(**where))


def _user(email: str) -> User:
    return _by(User, email=email)


def _seen(api, story) -> dict:
    """What members see through the API: threads, comments, polls with votes and results."""
    bea = _user("bea@example.org")
    group = _by(Group, handle="riverside")
    threads = api.get(f"/groups/{group.id}/discussions", user=bea).get_json()["items"]
    comments = api.get(f"/discussions/{threads[0]['id']}/comments", user=bea).get_json()["items"]
    by_id = {c["id"]: c for c in comments}
    polls = {}
    for poll in db.session.scalars(select(Poll).order_by(Poll.id)):
        votes = api.get(f"/polls/{poll.id}/votes", user=bea).get_json()["items"]
        polls[poll.title] = {
            "votes": sorted((v["user"]["name"] if v["user"] else None, json.dumps(v["choices"])) for v in votes),
            "results": api.get(f"/polls/{poll.id}/results", user=bea).get_json(),
            "closed": poll.closed_at is not None,
        }
    return {
        "threads": [(t["title"], t["description_html"], t["comments_count"]) for t in threads],
        "comments": [
            (
                c["author"]["name"] if c["author"] else None,
                c["body"],
                by_id[c["parent_id"]]["body"] if c["parent_id"] else None,
                c["reactions"],
                c["deleted"],
                c["edited_at"] is not None,
            )
            for c in comments
        ],
        "polls": polls,
    }


def _balances() -> dict:
    names = {}
    for account in db.session.scalars(select(Account).where(Account.purpose == "member")):
        holder = db.session.get(User if account.holder_type == "user" else Group, account.holder_id)
        names[holder.name] = account.balance
    return names


def test_a_group_comes_back_whole_on_a_fresh_instance(app, api, story, wipe, create_user):
    before, balances = _seen(api, story), _balances()
    data = export_group(group=story.group, actor=story.admin)
    wipe()
    root = create_user(name="Root", email="root@example.org")
    summary = import_group(data=json.dumps(data).encode(), admin=root)
    db.session.commit()

    assert summary["groups"] == 2 and summary["transfers"] == 4 and summary["people_created"] == 4
    after = _seen(api, story)
    # an anonymous poll's proxy ballot comes back as a ballot of its own: the same results, one more listed vote
    assert after["polls"]["Which supplier?"]["votes"] == [(None, '{"Bright": 1}')] * 2 + [(None, '{"Sunny": 1}')]
    after["polls"]["Which supplier?"]["votes"] = before["polls"]["Which supplier?"]["votes"]
    assert after == before
    assert _balances() == balances
    assert ledger_violations() == []
    verify = app.test_cli_runner().invoke(args=["credit", "verify"])
    assert verify.exit_code == 0, verify.output
    board = _by(Group, handle="riverside-board")
    assert board.privacy == "secret" and board.parent_id == _by(Group, handle="riverside").id
    roles = {
        m.user_id: m.role for m in db.session.scalars(select(Membership).where(Membership.group_id == board.parent_id))
    }
    assert roles[_user("ada@example.org").id] == "admin" and roles[_user("cy@example.org").id] == "member"
    assert root.id not in roles  # the file's admins are the group's admins; the importer steps back
    assert {t.description: t.state for t in db.session.scalars(select(Transfer))}["Typo"] == "reversed"
    request = _by(SkillRequest, title="Fit the panels")
    assert request.state == "assigned" and request.reward_amount == 3000
    running = _by(Poll, title="Meet on Friday?")
    assert running.closed_at is None and running.voters_count == 1
    hits = api.get("/search?q=quote", user=_user("bea@example.org")).get_json()["items"]
    assert [(h["type"], h["title"]) for h in hits] == [("comment", "Solar panels")]
    found = api.get("/search?q=supplier", user=_user("bea@example.org")).get_json()["items"]
    assert ("poll", "Which supplier?") in [(h["type"], h["title"]) for h in found]
    found = api.get("/search?q=panels", user=_user("bea@example.org")).get_json()["items"]
    assert ("request", "Fit the panels") in [(h["type"], h["title"]) for h in found]


def test_the_open_poll_goes_on_and_imported_people_claim_their_accounts(app, api, client, story, wipe, create_user):
    data = export_group(group=story.group, actor=story.admin)
    wipe()
    import_group(data=data, admin=create_user(email="root@example.org"))
    db.session.commit()
    bea = _user("bea@example.org")
    assert not bea.check_password("correct horse")
    assert client.post("/sign-in", data={"email": bea.email, "password": "correct horse"}).status_code != 302
    reset_password(token=password_reset_token(bea), new_password="a new password")
    db.session.commit()
    assert client.post("/sign-in", data={"email": bea.email, "password": "a new password"}).status_code == 302
    running = _by(Poll, title="Meet on Friday?")
    vote = api.post(f"/polls/{running.id}/votes", json={"choices": {"no": 1}}, user=bea)
    assert vote.status_code == 201
    assert api.get(f"/polls/{running.id}/results", user=bea).get_json()["voters_count"] == 2


def test_anonymous_votes_leave_no_voter_in_the_file(story):
    data = export_group(group=story.group, actor=story.admin)
    secret = next(p for p in data["polls"] if p["anonymous"])
    assert secret["votes"] == [] and secret["proxies"] == []
    assert [set(b) for b in secret["ballots"]] == [{"choices", "reason"}] * 3
    assert sorted(json.dumps(b["choices"]) for b in secret["ballots"]) == sorted(
        ['{"Sunny": 1}', '{"Bright": 1}', '{"Bright": 1}']
    )
    public = next(p for p in data["polls"] if p["title"] == "Buy the panels")
    voters = {next(x["email"] for x in data["people"] if x["ref"] == v["voter"]) for v in public["votes"]}
    assert voters == {"bea@example.org", "cy@example.org"}
    assert public["votes"][1]["revisions"][0]["choices"] == {"disagree": 1}


def test_anonymous_ballots_import_without_voters_and_count_the_same(api, story, wipe, create_user):
    data = export_group(group=story.group, actor=story.admin)
    wipe()
    import_group(data=data, admin=create_user(email="root@example.org"))
    db.session.commit()
    secret = _by(Poll, title="Which supplier?")
    members = set(db.session.scalars(select(Membership.user_id)))
    assert not set(db.session.scalars(select(Vote.user_id).where(Vote.poll_id == secret.id))) & members
    results = api.get(f"/polls/{secret.id}/results", user=_user("bea@example.org")).get_json()
    assert results["voters_count"] == 3 and results["winner"] == "Bright"


def test_an_open_anonymous_poll_is_closed_by_the_import(story, wipe, create_user):
    data = export_group(group=story.group, actor=story.admin)
    secret = next(p for p in data["polls"] if p["anonymous"])
    secret["closed_at"] = None
    wipe()
    summary = import_group(data=data, admin=create_user(email="root@example.org"))
    assert summary["closed_polls"] == ["Which supplier?"]
    assert _by(Poll, title="Which supplier?").closed_at is not None


def test_only_the_groups_admins_export(story, create_user):
    with pytest.raises(Forbidden):
        export_group(group=story.group, actor=story.people["bea"])
    with pytest.raises(NotFound):
        export_group(group=story.subgroup, actor=story.people["cy"])  # secret: not even there
    assert export_group(group=story.subgroup, actor=story.admin)["group"] == "riverside-board"


def test_the_file_holds_no_secrets_and_no_html(story):
    text = json.dumps(export_group(group=story.group, actor=story.admin))
    for user in db.session.scalars(select(User)):
        assert user.password_hash not in text
    assert "_html" not in text and "token" not in text
    assert '"format_version": 1' in text


def _counts() -> tuple:
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (User, Group, Discussion, Transfer))


def _refused(data, admin, error=ValidationFailed):
    before = _counts()
    with pytest.raises(error) as caught:
        import_group(data=data, admin=admin)
    db.session.rollback()
    assert _counts() == before
    return caught.value


def test_a_tampered_ledger_is_refused_and_nothing_is_written(exported):
    data, root = exported
    data["transfers"][0]["legs"][0]["amount"] += 100
    err = _refused(data, root)
    assert "transfers.0" in err.message and "entries" in err.message


def test_a_balance_that_is_not_the_sum_of_the_entries_is_refused(exported):
    data, root = exported
    data["networks"][0]["accounts"][0]["balance"] += 1
    assert "not the sum of its entries" in _refused(data, root).message


def test_a_vote_its_poll_would_not_take_is_refused(exported):
    data, root = exported
    data["polls"][0]["votes"][0]["choices"] = {"agree": 1, "block": 1}
    assert "polls.0.votes.0" in _refused(data, root).message


def test_a_reference_to_nobody_is_refused(exported):
    data, root = exported
    data["discussions"][0]["comments"][0]["author"] = 999
    assert "person 999" in _refused(data, root).message


def test_a_reply_to_a_later_comment_is_refused(exported):
    data, root = exported
    comments = data["discussions"][0]["comments"]
    comments[0]["parent"] = comments[1]["ref"]
    assert "discussions.0.comments.0" in _refused(data, root).message


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"{}", b'{"format": "platform6-group-export", "format_version": 2}', b"[1, 2]"],
)
def test_what_is_not_an_export_is_refused(exported, raw):
    err = _refused(raw, exported[1])
    assert err.message.startswith("This is not a Platform 6 group export")


def test_html_in_the_file_is_refused_and_markdown_is_sanitised_again(exported):
    data, root = exported
    data["discussions"][0]["description_html"] = "<b>trusted?</b>"
    assert "description_html" in json.dumps(_refused(data, root).fields)
    del data["discussions"][0]["description_html"]
    data["discussions"][0]["description"] = 'Hi <script>alert(1)</script> <a href="javascript:x()">x</a>'
    data["discussions"][0]["comments"][0]["body"] = "<img src=x onerror=alert(1)>"
    import_group(data=data, admin=root)
    thread = _by(Discussion, title="Solar panels")
    assert "<script" not in thread.description_html and "javascript:" not in thread.description_html
    assert all("onerror" not in c.body_html for c in db.session.scalars(select(Comment)))


def test_a_reward_from_an_account_the_requests_group_does_not_hold_is_refused(exported):
    """API.md 1.1: a reward comes from the request's own group's account, in a file as anywhere else."""
    data, root = exported
    accounts = data["networks"][0]["accounts"]
    person_held = next(a["ref"] for a in accounts if a["holder"]["type"] == "person")
    data["requests"][0]["reward"]["account"] = person_held
    assert "requests.0.reward" in _refused(data, root).fields


def test_a_group_whose_handle_exists_is_refused(exported, create_group):
    data, root = exported
    create_group(admin=root, handle="riverside-board", name="Someone else's board")
    err = _refused(data, root, Conflict)
    assert "riverside-board" in err.message and "nothing was imported" in err.message


def test_a_person_who_has_an_account_already_keeps_it(exported, create_user):
    data, root = exported
    bea = create_user(name="Bea Here", email="BEA@example.org")
    summary = import_group(data=data, admin=root)
    assert summary["people_existing"] == 1
    assert bea.check_password("correct horse")
    assert db.session.scalar(select(func.count()).select_from(Membership).where(Membership.user_id == bea.id)) == 2


def _ledger(data: dict) -> dict:
    """Each account's balance, keyed by its network and holder (refs differ from file to file)."""
    names = {("person", p["ref"]): p["email"] for p in data["people"]}
    names |= {("group", g["ref"]): g["handle"] for g in data["groups"]}
    names |= {("outside_group", g["ref"]): g["handle"] for g in data["outside_groups"]}
    return {
        (n["name"], names.get((a["holder"]["type"], a["holder"]["ref"]), "network"), a["purpose"]): a["balance"]
        for n in data["networks"]
        for a in n["accounts"]
    }


def test_the_demo_network_tree_round_trips_and_verifies(app, wipe, create_user):
    app.test_cli_runner().invoke(args=["demo"])
    ocn = _by(Group, handle="ocn")
    data = export_group(group=ocn, actor=_user("jo@example.org"))
    balances = _ledger(data)
    wipe()
    summary = import_group(data=data, admin=create_user(email="root@example.org"))
    db.session.commit()
    assert summary["groups"] == 3 and summary["networks"] == 2
    assert sorted(summary["placeholder_groups"]) == ["platform6", "valley-bakery"]
    assert ledger_violations() == []
    again = export_group(group=_by(Group, handle="ocn"), actor=_user("jo@example.org"))
    assert _ledger(again) == balances
    kirklees = next(n for n in again["networks"] if n["parent"] is not None)
    assert kirklees["clearing_account"] is not None and kirklees["settlement_account"] is not None


def test_nul_characters_are_refused_before_the_database_sees_them(exported):
    data, root = exported
    data["discussions"][0]["comments"][0]["body"] = "a\x00b"
    data["polls"][0]["votes"][0]["choices"] = {"agree\x00": 1}
    err = _refused(data, root)
    assert "discussions.0.comments.0.body" in err.fields and "polls.0.votes.0.choices" in err.fields


def test_a_child_network_that_no_longer_mirrors_its_clearing_account_is_refused(app, wipe, create_user):
    app.test_cli_runner().invoke(args=["demo"])
    data = export_group(group=_by(Group, handle="ocn"), actor=_user("jo@example.org"))
    wipe()
    kirklees = next(n for n in data["networks"] if n["parent"] is not None)
    kirklees["exchange_rate"] = "2"
    err = _refused(data, create_user(email="root@example.org"))
    assert "does not mirror" in err.message


def test_identical_ballots_on_an_anonymous_question_round_trip(story, wipe, create_user):
    bea, cy = story.people["bea"], story.people["cy"]
    poll = governance.create_poll(
        actor=bea, group=story.group, kind="question", title="Why solar?", closing_at=utcnow() + timedelta(days=1),
        anonymous=True,
    )  # fmt: skip
    governance.cast_vote(actor=cy, poll=poll, choices={}, reason="The roof faces south")
    governance.cast_vote(actor=bea, poll=poll, choices={}, reason="The roof faces south")  # no proxies here
    governance.close_poll(poll=poll, actor=bea)
    db.session.commit()
    data = export_group(group=story.group, actor=story.admin)
    exported = next(p for p in data["polls"] if p["title"] == "Why solar?")
    assert exported["ballots"] == [{"choices": {}, "reason": "The roof faces south"}] * 2
    wipe()
    import_group(data=data, admin=create_user(email="root@example.org"))
    imported = _by(Poll, title="Why solar?")
    assert imported.voters_count == 2
    assert (
        sorted(db.session.scalars(select(Vote.reason).where(Vote.poll_id == imported.id)))
        == ["The roof faces south"] * 2
    )
