"""A member pays an account on another installation (docs/api-additions.md "Remote transfers"), the trunk played
by a fake transport: 201 once posted, 202 while completing, 422/503 with nothing moved; R2 finishes a payment whose
C went unanswered."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select, update

from platform6.credit import queries
from platform6.credit.models import Account
from platform6.extensions import db
from platform6.federation import client, links, recovery
from platform6.federation.models import CCTransaction, Hold
from platform6.notifications.models import Notification
from platform6.timeutil import utcnow

from .peers import FakeTrunk


@pytest.fixture
def kirklees(make_network, open_account, monkeypatch, app):
    network = make_network(default_credit_limit=5_000)
    ellie = open_account(network)
    link = links.open_link(network=network, direction="trunkward", peer_name="ocn", cc_name="kirklees",
                           peer_url="http://127.0.0.1:9/cc/ocn/", credit_limit=10_000)  # fmt: skip
    db.session.commit()
    trunk = FakeTrunk()
    monkeypatch.setattr(client._http, "request", trunk)
    app.config["FEDERATION_ALLOW_HTTP"] = True
    return SimpleNamespace(network=network, ellie=ellie, link=link, trunk=trunk)


def _pay(api, k, amount=1_000, to="ocn/leeds/bob", **kw):
    body = {"from_account_id": k.ellie.id, "to": to, "amount": amount, "description": "Bread"}
    return api.post("/remote-transfers", body, user=k.ellie.holder, **kw)


def _balances(k):
    ellie, settlement = db.session.get(Account, k.ellie.id), db.session.get(Account, k.link.vostro_account_id)
    return ellie.balance, ellie.held_out, settlement.balance


def test_a_payment_to_another_installation_answers_201_once_posted(api, kirklees):
    answer = _pay(api, kirklees)
    assert answer.status_code == 201, answer.json
    body = answer.json
    assert body["state"] == "completed" and body["to"] == "ocn/leeds/bob" and body["transfer"]["amount"] == 1_000
    assert _balances(kirklees) == (-1_000, 0, 1_000)
    assert [m for m, _path in kirklees.trunk.calls] == ["POST", "PATCH"]
    assert db.session.get(type(kirklees.link), kirklees.link.id).seq == 1
    assert api.get(f"/remote-transfers/{body['uuid']}", user=kirklees.ellie.holder).json["state"] == "completed"
    legs = db.session.get(CCTransaction, 1).legs
    assert legs[0]["link_amount"] == 1_000 and queries.ledger_violations() == []


def test_a_refusal_downstream_is_422_and_moves_nothing(api, kirklees):
    kirklees.trunk.answers["POST"] = (400, b'{"errors": [{"class": "MinLimitViolation", "node": "leeds"}]}')
    answer = _pay(api, kirklees)
    assert answer.status_code == 422 and answer.json["error"]["code"] == "insufficient_credit"
    kirklees.trunk.answers["POST"] = (400, b'{"errors": ["no such account"]}')
    assert _pay(api, kirklees).json["error"]["code"] == "validation_failed"
    assert _balances(kirklees) == (0, 0, 0) and db.session.scalars(select(Hold)).all() == []


def test_a_silent_trunk_is_503_and_the_abort_is_queued(api, kirklees):
    kirklees.trunk.answers["POST"] = None
    answer = _pay(api, kirklees)
    assert answer.status_code == 503 and answer.json["error"]["code"] == "peer_unavailable"
    row = db.session.scalar(select(CCTransaction))
    assert row.state == "erased" and row.next_check_at is not None and _balances(kirklees) == (0, 0, 0)
    kirklees.trunk.answers["PATCH"] = (201, b"")
    assert recovery.run_jobs()["aborted"] == 1
    assert kirklees.trunk.calls[-1] == ("PATCH", f"transaction/{row.uuid}/E")
    assert db.session.get(CCTransaction, row.id).next_check_at is None


def test_an_unanswered_c_is_202_then_r2_posts_what_the_trunk_completed(api, kirklees):
    kirklees.trunk.answers["PATCH"] = None
    answer = _pay(api, kirklees)
    assert answer.status_code == 202 and answer.json["state"] == "completing"
    assert _balances(kirklees) == (0, 1_000, 0)
    uuid = answer.json["uuid"]
    db.session.execute(update(CCTransaction).values(next_check_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    kirklees.trunk.answers["GET"] = (200, b'{"data": {"uuid": "%s", "state": "C"}}' % uuid.encode())
    assert recovery.run_jobs()["checked"] == 1
    assert _balances(kirklees) == (-1_000, 0, 1_000)
    assert api.get(f"/remote-transfers/{uuid}", user=kirklees.ellie.holder).json["state"] == "completed"


def test_the_same_idempotency_key_pays_once(api, kirklees):
    first = _pay(api, kirklees, headers={"Idempotency-Key": "k1"})
    again = _pay(api, kirklees, headers={"Idempotency-Key": "k1"})
    assert first.json["uuid"] == again.json["uuid"] and _balances(kirklees) == (-1_000, 0, 1_000)
    other = _pay(api, kirklees, amount=5, headers={"Idempotency-Key": "k1"})
    assert other.status_code == 409


def test_bad_requests_are_refused_before_anything_moves(api, kirklees, create_user):
    assert _pay(api, kirklees, to="kirklees/nobody").json["error"]["code"] == "no_route"
    assert _pay(api, kirklees, amount=0).status_code == 422
    assert _pay(api, kirklees, amount=6_000).json["error"]["code"] == "insufficient_credit"
    stranger = create_user()
    body = {"from_account_id": kirklees.ellie.id, "to": "ocn/leeds/bob", "amount": 1, "description": ""}
    assert api.post("/remote-transfers", body, user=stranger).status_code == 404
    assert api.get("/remote-transfers/nope", user=stranger).status_code == 404
    assert kirklees.trunk.calls == []


def test_a_suspended_link_refuses_the_payment_before_calling(api, kirklees):
    db.session.get(type(kirklees.link), kirklees.link.id).status = "suspended"
    db.session.commit()
    answer = _pay(api, kirklees)
    assert answer.status_code == 422 and answer.json["error"]["code"] == "link_suspended"
    assert "suspended" in answer.json["error"]["message"] and kirklees.trunk.calls == []


def test_a_payment_answered_202_that_ends_erased_is_told_to_the_payer(api, kirklees):
    kirklees.trunk.answers["PATCH"] = None
    uuid = _pay(api, kirklees).json["uuid"]
    db.session.execute(update(CCTransaction).values(next_check_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    kirklees.trunk.answers["GET"] = (200, b'{"data": {"uuid": "%s", "state": "E"}}' % uuid.encode())
    recovery.run_jobs()
    shown = api.get(f"/remote-transfers/{uuid}", user=kirklees.ellie.holder).json
    assert shown["state"] == "erased" and shown["error"]["code"] == "peer_unavailable"
    assert _balances(kirklees) == (0, 0, 0)
    told = db.session.scalar(select(Notification).where(Notification.kind == "remote_payment_erased"))
    assert told.user_id == kirklees.ellie.holder.id and "did not go through" in told.text


def _pay_on_the_page(client, k, amount="10.00", key="page-1"):
    data = {"from_account_id": k.ellie.id, "to_address": "ocn/leeds/bob", "amount": amount, "description": "Bread",
            "idempotency_key": key}  # fmt: skip
    return client.post("/credit/pay/remote", data=data)


def _r2_learns(k, state: bytes):
    db.session.execute(update(CCTransaction).values(next_check_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    k.trunk.answers["GET"] = (200, b'{"data": {"state": "%s"}}' % state)
    recovery.run_jobs()


def test_the_pay_page_says_a_payment_is_still_completing_then_shows_how_it_ended(client, login, kirklees):
    login(kirklees.ellie.holder)
    kirklees.trunk.answers["PATCH"] = None
    answer = _pay_on_the_page(client, kirklees)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 202 and "is still completing across the networks" in page
    uuid = db.session.scalar(select(CCTransaction.uuid))
    assert f"/credit/pay/remote?payment={uuid}" in page and _balances(kirklees) == (0, 1_000, 0)
    holder = db.session.get(type(kirklees.ellie.holder), kirklees.ellie.holder.id)
    holder.locale = "it"
    db.session.commit()
    italian = client.get(f"/credit/pay/remote?payment={uuid}").get_data(as_text=True)
    assert "si sta ancora completando tra le reti" in italian and "still completing" not in italian
    holder.locale = "en"
    db.session.commit()
    _r2_learns(kirklees, b"C")
    done = client.get(f"/credit/pay/remote?payment={uuid}")
    shown = done.get_data(as_text=True)
    transfer_id = db.session.scalar(select(CCTransaction.transfer_id))
    assert done.status_code == 200 and "to ocn/leeds/bob." in shown and f"/credit/transfers/{transfer_id}" in shown
    assert "still completing" not in shown and _balances(kirklees) == (-1_000, 0, 1_000)


def test_the_pay_page_says_plainly_when_a_completing_payment_ended_unpaid(client, login, kirklees, create_user):
    login(kirklees.ellie.holder)
    kirklees.trunk.answers["PATCH"] = None
    assert _pay_on_the_page(client, kirklees).status_code == 202
    uuid = db.session.scalar(select(CCTransaction.uuid))
    _r2_learns(kirklees, b"E")
    shown = client.get(f"/credit/pay/remote?payment={uuid}").get_data(as_text=True)
    assert "did not go through: nothing was paid." in shown and "did not answer in time" in shown
    assert _balances(kirklees) == (0, 0, 0)
    login(create_user())
    assert client.get(f"/credit/pay/remote?payment={uuid}").status_code == 404
