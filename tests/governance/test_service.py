"""Binding actions, threads, the closing job, reminders, and one vote per member under concurrency."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from platform6.credit import service as credit_service
from platform6.credit.models import Account, LimitChange
from platform6.extensions import db
from platform6.forums.service import start_discussion
from platform6.governance import jobs
from platform6.governance.models import Poll, Vote, VoteRevision
from platform6.groups.models import Membership
from platform6.notifications.models import Notification
from platform6.timeutil import utcnow

from .conftest import in_days


def notified(user, kind):
    return db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
    )


@pytest.fixture
def network(group, people):
    network = credit_service.create_network(
        actor=people["ann"],
        name="Kirklees pounds",
        group_id=group.id,
        currency_code="KLP",
        currency_name="Kirklees pound",
        currency_symbol="K",
        currency_decimals=2,
    )
    db.session.commit()
    return network


def open_account(network, holder, kind="business"):
    account = credit_service.open_account(
        actor=None, network=network, holder_type="user", holder_id=holder.id, kind=kind
    )
    db.session.commit()
    return account


def pass_and_close(api, poll, voters):
    for user in voters:
        assert api.post(f"/polls/{poll['id']}/votes", {"choices": {"agree": 1}}, user=user).status_code == 201
    response = api.post(f"/polls/{poll['id']}/close", user=voters[0])
    assert response.status_code == 200, response.get_json()
    return response.get_json()


# --- binding proposals --------------------------------------------------------------------------


def test_a_passed_proposal_raises_a_credit_limit_in_the_closing_transaction(api, raise_poll, group, people, network):
    account = open_account(network, people["bob"])
    action = {"type": "set_credit_limit", "account_id": account.id, "credit_limit": 200000}
    poll = raise_poll(group, people["ann"], title="Raise Bob's limit to 2,000", action=action)
    assert poll["action"] == {**action, "result": None}
    closed = pass_and_close(api, poll, [people["ann"], people["bob"]])
    assert closed["action"]["result"]["status"] == "applied"
    assert db.session.get(Account, account.id).credit_limit == 200000
    change = db.session.scalar(select(LimitChange).where(LimitChange.account_id == account.id))
    assert change.source == f"poll:{poll['id']}" and change.actor_id is None


def test_a_proposal_that_does_not_pass_changes_nothing(api, raise_poll, vote, group, people, network):
    account = open_account(network, people["bob"])
    poll = raise_poll(
        group, people["ann"], action={"type": "set_debit_limit", "account_id": account.id, "debit_limit": 5000}
    )
    vote(poll, people["bob"], {"agree": 1})
    vote(poll, people["cat"], {"block": 1})
    closed = api.post(f"/polls/{poll['id']}/close", user=people["ann"]).get_json()
    assert closed["action"]["result"]["status"] == "not_passed"
    assert db.session.get(Account, account.id).debit_limit is None


def test_an_action_whose_target_became_invalid_fails_at_close_and_is_recorded(api, raise_poll, group, people, network):
    account = open_account(network, people["bob"])
    poll = raise_poll(
        group, people["ann"], action={"type": "set_credit_limit", "account_id": account.id, "credit_limit": 100}
    )
    # meanwhile the account became a sole trader's, which must stay in credit
    db.session.execute(update(Account).where(Account.id == account.id).values(kind="sole_trader"))
    db.session.commit()
    closed = pass_and_close(api, poll, [people["ann"], people["bob"]])
    result = closed["action"]["result"]
    assert result["status"] == "failed" and result["code"] == "validation_failed"
    assert db.session.get(Account, account.id).credit_limit == 0
    assert db.session.scalar(select(func.count()).select_from(LimitChange)) == 0
    assert closed["closed_at"] is not None  # the close itself stands


def test_only_admins_of_the_governing_group_attach_actions(raise_poll, group, people, network, create_group):
    account = open_account(network, people["bob"])
    action = {"type": "set_credit_limit", "account_id": account.id, "credit_limit": 100}
    # a plain member may not attach it
    assert raise_poll(group, people["bob"], action=action, expect=403)["error"]["code"] == "forbidden"
    # on a poll of another group (Ann is its admin too), the governing group must decide
    other = create_group(admin=people["ann"])
    assert "action.account_id" in raise_poll(other, people["ann"], action=action, expect=422)["error"]["fields"]
    # an account elsewhere and one that does not exist get the same 422 on `action` (API.md 1.1)
    elsewhere = create_group(admin=people["eve"])
    refused = raise_poll(elsewhere, people["eve"], action=action, expect=422)["error"]
    missing = raise_poll(group, people["ann"], action={**action, "account_id": 999999}, expect=422)["error"]
    assert refused["fields"]["action"] == missing["fields"]["action"]
    # sole traders keep a 0 credit limit, actions are for proposals only
    sole = open_account(network, people["cat"], kind="sole_trader")
    sole_action = {**action, "account_id": sole.id}
    assert raise_poll(group, people["ann"], action=sole_action, expect=422)["error"]["code"] == "validation_failed"
    raise_poll(group, people["ann"], kind="count", action=action, expect=422)


def test_a_passed_proposal_adds_a_member(api, raise_poll, group, people):
    action = {"type": "add_member", "user_id": people["eve"].id, "role": "admin"}
    poll = raise_poll(group, people["ann"], title="Add Eve as an admin", action=action)
    closed = pass_and_close(api, poll, [people["ann"], people["bob"]])
    assert closed["action"]["result"]["status"] == "applied"
    role = db.session.scalar(
        select(Membership.role).where(Membership.group_id == group.id, Membership.user_id == people["eve"].id)
    )
    assert role == "admin"
    # already a member with that role: refused when the poll opens
    raise_poll(group, people["ann"], action=action, expect=422)


def test_add_member_is_revalidated_at_close(api, raise_poll, group, people):
    from platform6.groups.service import add_member

    poll = raise_poll(
        group, people["ann"], action={"type": "add_member", "user_id": people["eve"].id, "role": "member"}
    )
    add_member(actor=people["ann"], group=group, user_id=people["eve"].id)
    db.session.commit()
    closed = pass_and_close(api, poll, [people["ann"], people["bob"]])
    assert closed["action"]["result"]["status"] == "failed"


# --- threads ------------------------------------------------------------------------------------


def test_a_poll_raised_in_a_thread_belongs_to_it(api, raise_poll, group, people, create_group):
    thread = start_discussion(actor=people["ann"], group=group, title="Transport")
    db.session.commit()
    poll = raise_poll(group, people["bob"], discussion_id=thread.id)
    assert poll["discussion_id"] == thread.id
    other = create_group(admin=people["eve"])
    foreign = start_discussion(actor=people["eve"], group=other, title="Secret plans")
    db.session.commit()
    assert raise_poll(group, people["bob"], discussion_id=foreign.id, expect=404)["error"]["code"] == "not_found"


def test_the_poll_shows_in_its_threads_timeline(raise_poll, group, people):
    from platform6.forums.timeline import timeline_items

    thread = start_discussion(actor=people["ann"], group=group, title="Transport")
    db.session.commit()
    poll = raise_poll(group, people["bob"], discussion_id=thread.id, title="Buy a cargo bike")
    raise_poll(group, people["bob"], title="Not in the thread")
    items = timeline_items(thread, people["cat"])
    assert [item.context["poll"].id for item in items if "poll" in item.context] == [poll["id"]]


# --- the scheduler ------------------------------------------------------------------------------


def test_due_polls_close_by_themselves_once_with_notifications(app, raise_poll, vote, group, people):
    from platform6.notifications.scheduler import JOBS

    poll = raise_poll(group, people["ann"])
    later = raise_poll(group, people["ann"], closing_at=in_days(5))
    vote(poll, people["bob"], {"agree": 1})
    db.session.execute(update(Poll).where(Poll.id == poll["id"]).values(closing_at=utcnow() - timedelta(seconds=2)))
    db.session.commit()
    assert "close_due_polls" in JOBS
    JOBS["close_due_polls"].run()
    assert jobs.close_due_polls() == []
    closed = db.session.get(Poll, poll["id"])
    assert closed.closed_at is not None and closed.voters_count == 1 and closed.eligible_count == 4
    assert db.session.get(Poll, later["id"]).closed_at is None
    assert notified(people["cat"], "poll_closed") == 1


def test_two_workers_close_a_poll_once(app, raise_poll, group, people, database_url):
    if not database_url.startswith("postgres"):
        pytest.skip("SQLite has one writer at a time; the race needs PostgreSQL")
    poll = raise_poll(group, people["ann"])
    db.session.execute(update(Poll).where(Poll.id == poll["id"]).values(closing_at=utcnow() - timedelta(seconds=2)))
    db.session.commit()
    results, barrier = [], threading.Barrier(2)

    def worker():
        with app.app_context():
            barrier.wait()
            results.append(jobs.close_due_polls())
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(len(r) for r in results) == [0, 1]
    assert notified(people["cat"], "poll_closed") == 1


def test_closing_soon_reminders_go_once_to_those_who_have_not_voted(raise_poll, vote, group, people):
    poll = raise_poll(group, people["ann"], closing_at=in_days(3))
    vote(poll, people["bob"], {"agree": 1})
    now = utcnow()
    assert jobs.send_closing_reminders(now=now) == []  # more than a day to go
    later = now + timedelta(days=2, hours=1)
    assert jobs.send_closing_reminders(now=later) == [poll["id"]]
    assert jobs.send_closing_reminders(now=later) == []
    assert notified(people["cat"], "poll_closing_soon") == 1
    assert notified(people["bob"], "poll_closing_soon") == 0


# --- concurrency --------------------------------------------------------------------------------


def test_a_double_submit_leaves_one_current_vote(app, api, raise_poll, group, people, database_url):
    if not database_url.startswith("postgres"):
        pytest.skip("SQLite has one writer at a time; the race needs PostgreSQL")
    poll = raise_poll(group, people["ann"])
    token = api.token(people["bob"])
    barrier, statuses = threading.Barrier(4), []

    def submit(option):
        client = app.test_client()
        barrier.wait()
        response = client.post(
            f"/api/v1/polls/{poll['id']}/votes",
            json={"choices": {option: 1}},
            headers={"Authorization": f"Bearer {token}"},
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=submit, args=(o,)) for o in ("agree", "disagree", "agree", "abstain")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [201] * 4
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 1
    assert db.session.scalar(select(func.count()).select_from(VoteRevision)) == 3
    assert db.session.get(Poll, poll["id"]).voters_count == 1


def test_the_unique_constraint_refuses_a_second_current_vote(raise_poll, group, people):
    from sqlalchemy.exc import IntegrityError

    poll = raise_poll(group, people["ann"])
    db.session.add(Vote(poll_id=poll["id"], user_id=people["bob"].id, choices={"agree": 1}))
    db.session.commit()
    db.session.add(Vote(poll_id=poll["id"], user_id=people["bob"].id, choices={"block": 1}))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
