"""API.md "Decisions (polls)", to the letter: raising, voting, results, closing, outcomes."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from platform6.extensions import db
from platform6.governance.models import Poll, Vote, VoteRevision
from platform6.groups.service import add_member, set_role
from platform6.notifications.models import Notification
from platform6.timeutil import utcnow

from .conftest import in_days


def error_code(response):
    return response.get_json()["error"]["code"]


def notified(user, kind):
    return db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
    )


def expire(poll_id):
    """Move closing_at into the past without closing the poll (as if time passed)."""
    db.session.execute(update(Poll).where(Poll.id == poll_id).values(closing_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


# --- raising polls ------------------------------------------------------------------------------


def test_a_member_raises_a_proposal_with_fixed_options_and_default_settings(raise_poll, group, people):
    poll = raise_poll(group, people["bob"], details="We need **one**.")
    assert set(poll) >= {
        "id", "group_id", "discussion_id", "kind", "title", "details", "details_html", "options", "settings",
        "closing_at", "closed_at", "anonymous", "hide_results", "voters_count", "eligible_count", "author",
        "outcome", "action",
    }  # fmt: skip
    assert poll["options"] == ["agree", "abstain", "disagree", "block"]
    assert poll["settings"] == {"reasons": "optional"}
    assert poll["author"] == {"id": people["bob"].id, "name": "Bob"}
    assert poll["eligible_count"] == 4 and poll["voters_count"] == 0
    assert poll["closed_at"] is None and poll["closing_at"].endswith("Z")
    assert "<strong>one</strong>" in poll["details_html"]
    assert poll["outcome"] is None and poll["action"] is None
    # the other members hear of it; the author does not
    assert notified(people["ann"], "poll_created") == 1 and notified(people["bob"], "poll_created") == 0


def test_settings_are_echoed_back_with_their_defaults(raise_poll, group, people):
    ann = people["ann"]
    assert raise_poll(group, ann, kind="poll", options=["a", "b", "c"])["settings"] == {
        "reasons": "optional", "min_choices": 1, "max_choices": 1,
    }  # fmt: skip
    assert raise_poll(group, ann, kind="dot_vote", options=["a", "b"])["settings"]["dots_per_voter"] == 8
    score = raise_poll(group, ann, kind="score", options=["a", "b"], settings={"max_score": 10})["settings"]
    assert (score["min_score"], score["max_score"]) == (0, 10)
    ranked = raise_poll(group, ann, kind="ranked_choice", options=["a", "b"])["settings"]
    assert ranked["method"] == "borda"
    assert raise_poll(group, ann, kind="count")["options"] == ["yes", "no"]
    assert raise_poll(group, ann, kind="check")["options"] == ["looks_good", "not_sure", "concerned"]
    assert raise_poll(group, ann, kind="question")["settings"]["reasons"] == "required"


def test_meeting_options_are_normalised_to_utc(raise_poll, group, people):
    poll = raise_poll(group, people["ann"], kind="meeting", options=["2026-12-01T10:00:00+01:00", "2026-12-02 09:30"])
    assert poll["options"] == ["2026-12-01T09:00:00Z", "2026-12-02T09:30:00Z"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "poll", "options": ["only one"]}, "options"),
        ({"kind": "poll", "options": ["a", "a"]}, "options"),
        ({"kind": "poll", "options": ["a", "b"], "settings": {"max_choices": 3}}, "settings.max_choices"),
        ({"kind": "poll", "options": ["a", "b"], "settings": {"colour": "red"}}, "settings"),
        ({"kind": "ranked_choice", "options": ["a", "b"], "settings": {"method": "coin"}}, "settings.method"),
        ({"kind": "ranked_choice", "options": ["a", "b"], "settings": {"method": "stv", "seats": 2}}, "settings.seats"),
        ({"kind": "meeting", "options": ["tomorrow", "2026-12-01T10:00Z"]}, "options"),
        ({"closing_at": "2020-01-01T00:00:00Z"}, "closing_at"),
        ({"kind": "raffle"}, "kind"),
        ({"title": ""}, "title"),
        ({"quorum_percent": 101}, "quorum_percent"),
        ({"closing_at": 5}, "closing_at"),
    ],
)
def test_bad_polls_are_422_with_the_field(api, group, people, body, field):
    full = {"kind": "proposal", "title": "T", "closing_at": in_days(2), **body}
    response = api.post(f"/groups/{group.id}/polls", full, user=people["ann"])
    assert response.status_code == 422, response.get_json()
    assert error_code(response) == "validation_failed"
    assert field in response.get_json()["error"]["fields"]


def test_outsiders_get_404_and_members_need_the_groups_permission(api, group, people, create_group):
    body = {"kind": "proposal", "title": "T", "closing_at": in_days(2)}
    assert api.post(f"/groups/{group.id}/polls", body, user=people["eve"]).status_code == 404
    strict = create_group(admin=people["ann"], members=[people["bob"]], settings={"members_can_raise_polls": False})
    response = api.post(f"/groups/{strict.id}/polls", body, user=people["bob"])
    assert response.status_code == 403
    assert api.post(f"/groups/{strict.id}/polls", body, user=people["ann"]).status_code == 201
    assert api.post(f"/groups/{group.id}/polls", body).status_code == 401


def test_polls_of_a_closed_group_are_hidden_from_outsiders(api, raise_poll, group, people):
    poll = raise_poll(group, people["ann"])
    for path in (f"/polls/{poll['id']}", f"/polls/{poll['id']}/results", f"/polls/{poll['id']}/votes"):
        assert api.get(path, user=people["eve"]).status_code == 404
        assert api.get(path).status_code == 404
    assert api.get(f"/groups/{group.id}/polls", user=people["eve"]).status_code == 404


# --- votes --------------------------------------------------------------------------------------


def test_a_vote_answers_201_and_a_second_vote_replaces_the_first(api, raise_poll, vote, group, people):
    poll = raise_poll(group, people["ann"])
    first = vote(poll, people["bob"], {"agree": 1}, reason="Good idea")
    assert set(first) >= {"id", "poll_id", "choices", "reason", "created_at"}
    assert first["choices"] == {"agree": 1} and first["reason"] == "Good idea" and first["poll_id"] == poll["id"]
    second = vote(poll, people["bob"], {"disagree": 1})
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 1
    history = db.session.scalars(select(VoteRevision)).all()
    assert len(history) == 1 and history[0].choices == {"agree": 1} and history[0].vote_id == second["id"]
    results = api.get(f"/polls/{poll['id']}/results", user=people["ann"]).get_json()
    assert results["voters_count"] == 1
    assert {row["name"]: row["value"] for row in results["options"]}["disagree"] == 1
    assert api.get(f"/polls/{poll['id']}", user=people["ann"]).get_json()["voters_count"] == 1


@pytest.mark.parametrize(
    "kind, options, settings, choices",
    [
        ("proposal", None, None, {"agree": 1, "block": 1}),
        ("proposal", None, None, {"agree": 2}),
        ("proposal", None, None, {"maybe": 1}),
        ("proposal", None, None, {}),
        ("count", None, None, {"yes": 1, "no": 1}),
        ("poll", ["a", "b", "c"], {"max_choices": 2}, {"a": 1, "b": 1, "c": 1}),
        ("poll", ["a", "b", "c"], {"min_choices": 2, "max_choices": 3}, {"a": 1}),
        ("dot_vote", ["a", "b"], {"dots_per_voter": 5}, {"a": 4, "b": 2}),
        ("dot_vote", ["a", "b"], None, {"a": 0, "b": 0}),
        ("dot_vote", ["a", "b"], None, {"a": -1, "b": 3}),
        ("score", ["a", "b"], None, {"a": 3}),
        ("score", ["a", "b"], None, {"a": 3, "b": 6}),
        ("ranked_choice", ["a", "b", "c"], None, {"a": 1, "b": 1}),
        ("ranked_choice", ["a", "b", "c"], None, {"a": 4}),
        ("meeting", ["2026-12-01T10:00:00Z", "2026-12-02T10:00:00Z"], None, {"2026-12-01T10:00:00Z": 2}),
        ("meeting", ["2026-12-01T10:00:00Z", "2026-12-02T10:00:00Z"], None,
         {"2026-12-01T10:00:00Z": 3, "2026-12-02T10:00:00Z": 0}),
        ("check", None, None, {"looks_good": 1, "concerned": 1}),
        ("question", None, None, {"a": 1}),
    ],
)  # fmt: skip
def test_votes_that_break_their_kinds_rule_are_422(raise_poll, vote, group, people, kind, options, settings, choices):
    body = {"kind": kind}
    if options:
        body["options"] = options
    if settings:
        body["settings"] = settings
    poll = raise_poll(group, people["ann"], **body)
    response = vote(poll, people["bob"], choices, expect=422, reason="because")
    assert response["error"]["code"] == "validation_failed"


def test_votes_that_keep_their_kinds_rule_are_accepted(raise_poll, vote, group, people):
    ann, bob = people["ann"], people["bob"]
    poll = raise_poll(group, ann, kind="poll", options=["a", "b", "c"], settings={"max_choices": 2})
    vote(poll, bob, {"a": 1, "c": 1})
    dots = raise_poll(group, ann, kind="dot_vote", options=["a", "b"])
    assert vote(dots, bob, {"a": 8, "b": 0})["choices"] == {"a": 8}
    ranked = raise_poll(group, ann, kind="ranked_choice", options=["a", "b", "c"])
    vote(ranked, bob, {"c": 1, "a": 2})
    question = raise_poll(group, ann, kind="question")
    vote(question, bob, {}, reason="On Tuesdays")


def test_reasons_off_optional_and_required(raise_poll, vote, group, people):
    required = raise_poll(group, people["ann"], settings={"reasons": "required"})
    assert "reason" in vote(required, people["bob"], {"agree": 1}, expect=422)["error"]["fields"]
    vote(required, people["bob"], {"agree": 1}, reason="Cheaper than a van")
    off = raise_poll(group, people["ann"], settings={"reasons": "off"})
    vote(off, people["bob"], {"agree": 1}, reason="Why not", expect=422)
    vote(off, people["bob"], {"agree": 1})
    question = raise_poll(group, people["ann"], kind="question")
    vote(question, people["bob"], {}, expect=422)


def test_voting_on_a_closed_or_expired_poll_is_409_poll_closed(api, raise_poll, vote, group, people):
    poll = raise_poll(group, people["ann"])
    expire(poll["id"])
    assert vote(poll, people["bob"], {"agree": 1}, expect=409)["error"]["code"] == "poll_closed"
    other = raise_poll(group, people["ann"])
    assert api.post(f"/polls/{other['id']}/close", user=people["ann"]).status_code == 200
    assert vote(other, people["bob"], {"agree": 1}, expect=409)["error"]["code"] == "poll_closed"


def test_outsiders_and_observers_cannot_vote(api, create_group, raise_poll, vote, people, create_user):
    observer = create_user(name="Olive")
    group = create_group(admin=people["ann"], privacy="open", members=[people["bob"], observer])
    set_role(actor=people["ann"], group=group, user_id=observer.id, role="observer")
    db.session.commit()
    poll = raise_poll(group, people["ann"])
    assert poll["eligible_count"] == 2  # Ann and Bob; the observer is not counted
    assert vote(poll, observer, {"agree": 1}, expect=403)["error"]["code"] == "forbidden"
    assert vote(poll, people["eve"], {"agree": 1}, expect=403)["error"]["code"] == "forbidden"
    # an observer still sees the poll (and can discuss it)
    assert api.get(f"/polls/{poll['id']}", user=observer).status_code == 200


def test_a_named_voter_list_limits_who_votes(raise_poll, vote, group, people):
    poll = raise_poll(group, people["ann"], voter_ids=[people["bob"].id, people["cat"].id])
    assert poll["eligible_count"] == 2 and poll["voter_ids"] == sorted([people["bob"].id, people["cat"].id])
    vote(poll, people["bob"], {"agree": 1})
    vote(poll, people["dan"], {"agree": 1}, expect=403)
    bad = raise_poll(group, people["ann"], voter_ids=[people["eve"].id], expect=422)
    assert "voter_ids" in bad["error"]["fields"]


def test_eligible_count_is_live_while_open_and_frozen_at_close(api, raise_poll, vote, group, people, create_user):
    poll = raise_poll(group, people["ann"])
    newcomer = create_user()
    add_member(actor=people["ann"], group=group, user_id=newcomer.id)
    db.session.commit()
    assert api.get(f"/polls/{poll['id']}", user=people["ann"]).get_json()["eligible_count"] == 5
    vote(poll, people["bob"], {"agree": 1})
    closed = api.post(f"/polls/{poll['id']}/close", user=people["ann"]).get_json()
    assert (closed["eligible_count"], closed["voters_count"]) == (5, 1)
    add_member(actor=people["ann"], group=group, user_id=create_user().id)
    db.session.commit()
    again = api.get(f"/polls/{poll['id']}/results", user=people["ann"]).get_json()
    assert (again["eligible_count"], again["voters_count"]) == (5, 1)


def test_a_member_who_leaves_keeps_the_vote_they_cast(api, raise_poll, vote, group, people):
    poll = raise_poll(group, people["ann"])
    vote(poll, people["bob"], {"agree": 1})
    assert api.delete(f"/groups/{group.id}/members/{people['bob'].id}", user=people["bob"]).status_code == 204
    results = api.get(f"/polls/{poll['id']}/results", user=people["ann"]).get_json()
    # bob's vote counts, so bob stays in the electorate: 3 members now + bob
    assert results["voters_count"] == 1 and results["eligible_count"] == 4


# --- results, anonymity, hidden results ----------------------------------------------------------


def test_results_have_the_contracts_shape_best_first(api, raise_poll, vote, group, people):
    poll = raise_poll(group, people["ann"], kind="poll", options=["tea", "coffee", "water"])
    vote(poll, people["bob"], {"coffee": 1})
    vote(poll, people["cat"], {"coffee": 1})
    vote(poll, people["dan"], {"water": 1})
    results = api.get(f"/polls/{poll['id']}/results", user=people["ann"]).get_json()
    assert results == {
        "kind": "poll",
        "closed": False,
        "voters_count": 3,
        "eligible_count": 4,
        "options": [
            {"name": "coffee", "value": 2, "voters": 2},
            {"name": "water", "value": 1, "voters": 1},
            {"name": "tea", "value": 0, "voters": 0},
        ],
        "winner": "coffee",
        "passed": None,
    }


def test_votes_name_their_voters_unless_anonymous(api, raise_poll, vote, group, people):
    open_poll = raise_poll(group, people["ann"])
    vote(open_poll, people["bob"], {"agree": 1})
    items = api.get(f"/polls/{open_poll['id']}/votes", user=people["cat"]).get_json()["items"]
    assert items[0]["user"] == {"id": people["bob"].id, "name": "Bob"}

    secret = raise_poll(group, people["ann"], anonymous=True)
    mine = vote(secret, people["bob"], {"block": 1}, reason="Too costly")
    assert mine["user"] is None
    vote(secret, people["ann"], {"agree": 1})
    # an anonymous poll shows its votes once closed, with no voter, id or time
    assert api.get(f"/polls/{secret['id']}/votes", user=people["ann"]).status_code == 403
    api.post(f"/polls/{secret['id']}/close", user=people["ann"])
    listed = api.get(f"/polls/{secret['id']}/votes", user=people["ann"]).get_json()
    assert [(item["id"], item["created_at"]) for item in listed["items"]] == [(None, None)] * 2
    assert [item["user"] for item in listed["items"]] == [None, None]
    assert "Bob" not in str(listed) and str(people["bob"].id) not in [str(i.get("user")) for i in listed["items"]]
    assert api.get(f"/polls/{secret['id']}", user=people["ann"]).get_json()["anonymous"] is True


def test_hidden_results_answer_403_results_hidden_until_close(api, raise_poll, vote, group, people):
    poll = raise_poll(group, people["ann"], hide_results=True)
    vote(poll, people["bob"], {"agree": 1})
    for path in ("results", "votes", "results.csv"):
        response = api.get(f"/polls/{poll['id']}/{path}", user=people["ann"])
        assert response.status_code == 403 and error_code(response) == "results_hidden"
    api.post(f"/polls/{poll['id']}/close", user=people["ann"])
    assert api.get(f"/polls/{poll['id']}/results", user=people["ann"]).get_json()["options"][0]["value"] == 1
    assert api.get(f"/polls/{poll['id']}/votes", user=people["ann"]).status_code == 200


def test_the_results_csv_names_no_voter(api, raise_poll, vote, group, people):
    poll = raise_poll(group, people["ann"], anonymous=True, title="=cmd()")
    vote(poll, people["bob"], {"agree": 1}, reason="Bob's reason")
    api.post(f"/polls/{poll['id']}/close", user=people["ann"])  # an anonymous poll's results show at close
    response = api.get(f"/polls/{poll['id']}/results.csv", user=people["ann"])
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.splitlines()[0] == "option,label,value,voters"
    assert "agree,Agree,1,1" in text
    assert "Bob" not in text and "'=cmd()" in text


def test_my_vote_is_a_receipt_for_the_voter_only(api, raise_poll, vote, group, people):
    poll = raise_poll(group, people["ann"], anonymous=True)
    vote(poll, people["bob"], {"agree": 1})
    receipt = api.get(f"/polls/{poll['id']}/my-vote", user=people["bob"]).get_json()
    assert receipt["vote"]["choices"] == {"agree": 1} and receipt["counted"] is True
    assert api.get(f"/polls/{poll['id']}/my-vote", user=people["ann"]).get_json()["vote"] is None


# --- proxies ------------------------------------------------------------------------------------


def test_a_proxy_votes_for_the_delegator_until_revoked_and_a_direct_vote_overrides(
    api, raise_poll, vote, group, people
):
    poll = raise_poll(group, people["ann"])
    path = f"/polls/{poll['id']}/proxy"
    response = api.put(path, {"proxy_id": people["bob"].id}, user=people["cat"])
    assert response.status_code == 200 and response.get_json()["proxy"]["id"] == people["bob"].id
    vote(poll, people["bob"], {"agree": 1})
    results = api.get(f"/polls/{poll['id']}/results", user=people["ann"]).get_json()
    assert results["voters_count"] == 2 and results["options"][0] == {"name": "agree", "value": 2, "voters": 2}
    assert api.get(f"/polls/{poll['id']}/my-vote", user=people["cat"]).get_json()["counted"] is True
    # Cat votes herself: her own vote counts, not Bob's for her
    vote(poll, people["cat"], {"disagree": 1})
    values = {
        r["name"]: r["value"] for r in api.get(f"/polls/{poll['id']}/results", user=people["ann"]).get_json()["options"]
    }
    assert values["agree"] == 1 and values["disagree"] == 1
    # Dan delegates, then revokes
    api.put(path, {"proxy_id": people["bob"].id}, user=people["dan"])
    assert api.get(f"/polls/{poll['id']}", user=people["ann"]).get_json()["voters_count"] == 3
    assert api.delete(path, user=people["dan"]).status_code == 204
    assert api.get(f"/polls/{poll['id']}", user=people["ann"]).get_json()["voters_count"] == 2
    assert api.put(path, {"proxy_id": people["dan"].id}, user=people["dan"]).status_code == 422
    assert api.put(path, {"proxy_id": people["eve"].id}, user=people["dan"]).status_code == 422
    api.post(f"/polls/{poll['id']}/close", user=people["ann"])
    assert api.put(path, {"proxy_id": people["bob"].id}, user=people["dan"]).status_code == 409


# --- closing and outcomes -----------------------------------------------------------------------


def test_only_the_author_or_admins_close_and_only_once(api, raise_poll, group, people):
    poll = raise_poll(group, people["bob"])
    assert api.post(f"/polls/{poll['id']}/close", user=people["cat"]).status_code == 403
    response = api.post(f"/polls/{poll['id']}/close", user=people["bob"])
    assert response.status_code == 200 and response.get_json()["closed_at"].endswith("Z")
    again = api.post(f"/polls/{poll['id']}/close", user=people["ann"])
    assert again.status_code == 409 and error_code(again) == "poll_closed"
    assert notified(people["cat"], "poll_closed") == 1
    assert api.post(f"/polls/{poll['id']}/close", user=people["eve"]).status_code == 404


def test_a_proposal_passes_with_quorum_no_block_and_more_agree(api, raise_poll, vote, group, people):
    poll = raise_poll(group, people["ann"], quorum_percent=50)
    vote(poll, people["bob"], {"agree": 1})
    assert api.get(f"/polls/{poll['id']}/results", user=people["ann"]).get_json()["passed"] is False  # open
    vote(poll, people["cat"], {"agree": 1})
    api.post(f"/polls/{poll['id']}/close", user=people["ann"])
    assert api.get(f"/polls/{poll['id']}/results", user=people["ann"]).get_json()["passed"] is True

    short = raise_poll(group, people["ann"], quorum_percent=50)
    vote(short, people["bob"], {"agree": 1})
    api.post(f"/polls/{short['id']}/close", user=people["ann"])
    assert api.get(f"/polls/{short['id']}/results", user=people["ann"]).get_json()["passed"] is False

    blocked = raise_poll(group, people["ann"])
    vote(blocked, people["bob"], {"agree": 1})
    vote(blocked, people["cat"], {"agree": 1})
    vote(blocked, people["dan"], {"block": 1})
    api.post(f"/polls/{blocked['id']}/close", user=people["ann"])
    assert api.get(f"/polls/{blocked['id']}/results", user=people["ann"]).get_json()["passed"] is False


def test_the_outcome_comes_after_close_and_notifies_members(api, raise_poll, group, people):
    poll = raise_poll(group, people["bob"], kind="poll", options=["red", "blue"])
    path = f"/polls/{poll['id']}/outcome"
    early = api.post(path, {"statement": "Red it is"}, user=people["bob"])
    assert early.status_code == 409
    api.post(f"/polls/{poll['id']}/close", user=people["bob"])
    assert api.post(path, {"statement": "Red"}, user=people["cat"]).status_code == 403
    assert api.post(path, {"statement": "Red", "option": "green"}, user=people["bob"]).status_code == 422
    review = (utcnow() + timedelta(days=90)).date().isoformat()
    response = api.post(path, {"statement": "Red it is", "option": "red", "review_on": review}, user=people["bob"])
    assert response.status_code == 200
    outcome = response.get_json()["outcome"]
    assert outcome["statement"] == "Red it is" and outcome["option"] == "red" and outcome["review_on"] == review
    assert outcome["author"]["id"] == people["bob"].id
    assert notified(people["cat"], "outcome") == 1 and notified(people["bob"], "outcome") == 0


def test_polls_list_open_first_then_latest_closed_first(api, raise_poll, group, people):
    first = raise_poll(group, people["ann"], title="first")
    second = raise_poll(group, people["ann"], title="second")
    third = raise_poll(group, people["ann"], title="third")
    api.post(f"/polls/{first['id']}/close", user=people["ann"])
    db.session.execute(update(Poll).where(Poll.id == first["id"]).values(listed_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    api.post(f"/polls/{third['id']}/close", user=people["ann"])
    items = api.get(f"/groups/{group.id}/polls", user=people["bob"]).get_json()["items"]
    assert [p["title"] for p in items] == ["second", "third", "first"]
    open_only = api.get(f"/groups/{group.id}/polls?state=open", user=people["bob"]).get_json()["items"]
    assert [p["title"] for p in open_only] == ["second"]
    closed = api.get(f"/groups/{group.id}/polls?state=closed&limit=1", user=people["bob"]).get_json()
    assert [p["title"] for p in closed["items"]] == ["third"]
    more = api.get(f"/groups/{group.id}/polls?state=closed&limit=1&cursor={closed['next']}", user=people["bob"])
    assert [p["title"] for p in more.get_json()["items"]] == ["first"]
    assert api.get(f"/groups/{group.id}/polls?state=maybe", user=people["bob"]).status_code == 422
    assert second["id"]


def test_malformed_input_never_gives_a_500(api, raise_poll, group, people):
    poll = raise_poll(group, people["ann"])
    bob = people["bob"]
    assert (
        api.post(
            f"/polls/{poll['id']}/votes", data="{", headers={"Content-Type": "application/json"}, user=bob
        ).status_code
        == 400
    )
    for body in (
        [1],
        {"choices": "agree"},
        {"choices": {"agree": "1"}},
        {"choices": {"agree": 2**60}},
        {"choices": {"agree": True}},
    ):
        assert api.post(f"/polls/{poll['id']}/votes", body, user=bob).status_code == 422
    assert api.get(f"/polls/{2**60}", user=bob).status_code == 404
    assert (
        api.post(
            f"/groups/{group.id}/polls", {"kind": "proposal", "title": "x", "closing_at": "soon"}, user=bob
        ).status_code
        == 422
    )
    assert (
        api.post(
            f"/groups/{group.id}/polls",
            {"kind": "poll", "title": "x", "closing_at": in_days(1), "options": [1, 2]},
            user=bob,
        ).status_code
        == 422
    )


def test_search_finds_polls_for_those_who_may_see_them(api, raise_poll, group, people):
    """API.md's search items include `type: "poll"`, only where the caller may see the poll."""
    poll = raise_poll(group, people["bob"], title="Adopt the solar roof", details="Panels on the **warehouse**")
    found = api.get("/search?q=warehouse", user=people["cat"]).get_json()["items"]
    assert [(item["type"], item["id"], item["title"]) for item in found] == [
        ("poll", poll["id"], "Adopt the solar roof")
    ]
    assert "warehouse" in found[0]["snippet"] and "**" not in found[0]["snippet"]
    assert api.get("/search?q=solar&type=poll", user=people["ann"]).get_json()["items"][0]["id"] == poll["id"]
    assert api.get("/search?q=warehouse", user=people["eve"]).get_json()["items"] == []
