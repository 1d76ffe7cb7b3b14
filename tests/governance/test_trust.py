"""Issue 11's holes: proxies that show ballots, binding proposals without a real vote, exports of hidden votes."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from platform6.credit.models import Account
from platform6.errors import ValidationFailed
from platform6.exports.export import export_group
from platform6.exports.restore import import_group
from platform6.extensions import db
from platform6.governance import jobs, service
from platform6.governance.models import Poll, Proxy
from platform6.groups.service import remove_member, set_role
from platform6.timeutil import utcnow

from .test_service import network, open_account  # noqa: F401 (a fixture, and its helper)

# --- proxies --------------------------------------------------------------------------------------


def test_an_anonymous_poll_takes_no_proxies(api, client, login, raise_poll, group, people):
    poll = raise_poll(group, people["ann"], anonymous=True)
    response = api.put(f"/polls/{poll['id']}/proxy", {"proxy_id": people["cat"].id}, user=people["bob"])
    assert response.status_code == 422 and "proxy_id" in response.get_json()["error"]["fields"]
    login(people["bob"])
    response = client.post(f"/polls/{poll['id']}/proxy", data={"proxy_id": people["cat"].id})
    assert response.status_code == 422 and "takes no proxies" in response.get_data(as_text=True)
    assert db.session.scalar(select(Proxy.id)) is None


def test_a_proxy_set_before_the_rule_counts_nowhere_in_an_anonymous_poll(api, raise_poll, vote, group, people):
    poll = raise_poll(group, people["ann"], anonymous=True)
    db.session.add(Proxy(poll_id=poll["id"], delegator_id=people["bob"].id, proxy_id=people["cat"].id))
    db.session.commit()
    vote(poll, people["cat"], {"block": 1})
    assert api.get(f"/polls/{poll['id']}/my-vote", user=people["bob"]).get_json()["counted"] is False
    closed = api.post(f"/polls/{poll['id']}/close", user=people["ann"]).get_json()
    assert closed["voters_count"] == 1
    results = api.get(f"/polls/{poll['id']}/results", user=people["bob"]).get_json()
    assert [(o["name"], o["value"]) for o in results["options"] if o["value"]] == [("block", 1)]


def test_with_hidden_results_a_delegator_cannot_tell_whether_their_proxy_voted(
    api, client, login, raise_poll, vote, group, people
):
    poll = raise_poll(group, people["ann"], hide_results=True)
    assert api.put(f"/polls/{poll['id']}/proxy", {"proxy_id": people["cat"].id}, user=people["bob"]).status_code == 200
    login(people["bob"])

    def what_bob_reads():
        receipt = api.get(f"/polls/{poll['id']}/my-vote", user=people["bob"]).get_json()
        count = api.get(f"/polls/{poll['id']}", user=people["bob"]).get_json()["voters_count"]
        html = client.get(f"/polls/{poll['id']}").get_data(as_text=True)
        return receipt["counted"], count - (1 if "Cat</li>" not in html else 0), "has voted" in html

    before = what_bob_reads()
    vote(poll, people["cat"], {"disagree": 1})
    after = what_bob_reads()
    # the count moves by Cat's own vote (shown to all) and by nothing of Bob's proxy
    assert before == after == (None, 0, False)
    api.post(f"/polls/{poll['id']}/close", user=people["ann"])
    assert api.get(f"/polls/{poll['id']}/my-vote", user=people["bob"]).get_json()["counted"] is True
    assert api.get(f"/polls/{poll['id']}/results", user=people["bob"]).get_json()["voters_count"] == 2


def test_with_visible_results_a_proxy_counts_at_once(api, raise_poll, vote, group, people):
    poll = raise_poll(group, people["ann"])
    api.put(f"/polls/{poll['id']}/proxy", {"proxy_id": people["cat"].id}, user=people["bob"])
    vote(poll, people["cat"], {"agree": 1})
    assert api.get(f"/polls/{poll['id']}/my-vote", user=people["bob"]).get_json()["counted"] is True
    assert api.get(f"/polls/{poll['id']}/results", user=people["bob"]).get_json()["voters_count"] == 2


# --- binding proposals ----------------------------------------------------------------------------


@pytest.fixture
def account(network, people):  # noqa: F811
    return open_account(network, people["bob"])


def limit_action(account, **changes):
    return {"type": "set_credit_limit", "account_id": account.id, "credit_limit": 9_000_000, **changes}


def test_a_binding_proposal_is_open_to_every_voting_member(raise_poll, group, people, account):
    body = {"action": limit_action(account), "voter_ids": [people["ann"].id]}
    refused = raise_poll(group, people["ann"], expect=422, **body)["error"]["fields"]
    assert "voter_ids" in refused


@pytest.mark.parametrize(
    "broken",
    [
        {"credit_limit": None},
        {"credit_limit": 2**53},
        {"credit_limit": -1},
        {"credit_limit": True},
        {"credit_limit": 1.5},
        {"account_id": "1"},
        {"extra": 1},
        {"type": "set_fees"},
    ],
)
def test_a_broken_action_is_refused_on_action(raise_poll, group, people, account, broken):
    action = {key: value for key, value in limit_action(account, **broken).items() if value is not None}
    assert "action" in raise_poll(group, people["ann"], action=action, expect=422)["error"]["fields"]


def test_an_action_missing_a_field_is_refused_on_the_page_too(client, login, group, people, account):
    login(people["ann"])
    response = client.post(
        f"/groups/{group.handle}/decisions/new",
        data={
            "kind": "proposal",
            "title": "Raise Bob's limit",
            "closing_at": (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "reasons": "optional",
            "method": "borda",
            "action_type": "set_credit_limit",
            "action_account_id": account.id,
            "action_role": "member",
        },
    )
    assert response.status_code == 422 and db.session.scalar(select(Poll.id)) is None


def test_an_author_removed_before_the_close_carries_out_nothing(api, raise_poll, vote, group, people, account):
    poll = raise_poll(group, people["ann"], action=limit_action(account))
    set_role(actor=people["ann"], group=group, user_id=people["dan"].id, role="admin")
    db.session.commit()
    vote(poll, people["ann"], {"agree": 1})
    remove_member(actor=people["dan"], group=group, user_id=people["ann"].id)
    db.session.execute(update(Poll).values(closing_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert jobs.close_due_polls() == [poll["id"]]
    result = api.get(f"/polls/{poll['id']}", user=people["bob"]).get_json()["action"]["result"]
    assert result["status"] == "failed" and "no longer an admin" in result["message"]
    assert db.session.get(Account, account.id).credit_limit != 9_000_000


def test_a_stored_action_that_no_longer_holds_fails_once_and_is_not_retried(
    api, raise_poll, vote, group, people, account
):
    poll = raise_poll(group, people["ann"], action=limit_action(account))
    vote(poll, people["ann"], {"agree": 1})
    # an action written before the full check: no credit_limit (the close used to raise KeyError forever)
    db.session.execute(
        update(Poll).values(action={"type": "set_credit_limit", "account_id": account.id}, closing_at=utcnow())
    )
    db.session.commit()
    assert jobs.close_due_polls() == [poll["id"]]
    assert jobs.close_due_polls() == []
    result = api.get(f"/polls/{poll['id']}", user=people["bob"]).get_json()["action"]["result"]
    assert result["status"] == "failed" and result["code"] == "validation_failed"


def test_any_admin_closes_or_cancels_a_binding_proposal(api, client, login, raise_poll, vote, group, people, account):
    set_role(actor=people["ann"], group=group, user_id=people["dan"].id, role="admin")
    db.session.commit()
    poll = raise_poll(group, people["ann"], action=limit_action(account))
    login(people["dan"])
    html = client.get(f"/polls/{poll['id']}").get_data(as_text=True)
    assert "Close now" in html and "Cancel" in html
    login(people["bob"])
    assert "Cancel" not in client.get(f"/polls/{poll['id']}").get_data(as_text=True)
    assert api.post(f"/polls/{poll['id']}/cancel", user=people["bob"]).status_code == 403
    vote(poll, people["ann"], {"agree": 1})
    cancelled = api.post(f"/polls/{poll['id']}/cancel", user=people["dan"]).get_json()
    assert cancelled["closed"] and cancelled["action"]["result"]["status"] == "cancelled"
    assert db.session.get(Account, account.id).credit_limit != 9_000_000
    ordinary = raise_poll(group, people["ann"])
    assert api.post(f"/polls/{ordinary['id']}/cancel", user=people["dan"]).status_code == 409
    assert api.post(f"/polls/{ordinary['id']}/close", user=people["dan"]).status_code == 200


def test_a_group_import_checks_an_open_binding_action(raise_poll, group, people, account, create_user):
    raise_poll(group, people["ann"], action=limit_action(account))
    data = export_group(group=group, actor=people["ann"])
    del data["polls"][0]["action"]["credit_limit"]
    data["groups"][0]["handle"] = data["group"] = "elsewhere"
    with pytest.raises(ValidationFailed) as refused:
        import_group(data=data, admin=create_user())
    assert any(field.startswith("polls.0.action") for field in refused.value.fields), refused.value.fields


# --- the group export -----------------------------------------------------------------------------


@pytest.mark.parametrize("anonymous", [False, True])
def test_the_export_carries_no_vote_of_an_open_poll_with_hidden_results(raise_poll, vote, group, people, anonymous):
    poll = raise_poll(group, people["ann"], hide_results=True, anonymous=anonymous)
    vote(poll, people["bob"], {"block": 1}, reason="Too dear")

    def exported():
        return next(p for p in export_group(group=group, actor=people["ann"])["polls"] if p["title"] == poll["title"])

    item = exported()
    assert item["votes"] == [] and item["ballots"] == [] and "Too dear" not in str(item)
    service.close_poll(poll=db.session.get(Poll, poll["id"]), actor=people["ann"])
    db.session.commit()
    item = exported()
    assert "Too dear" in str(item["votes"] or item["ballots"])
