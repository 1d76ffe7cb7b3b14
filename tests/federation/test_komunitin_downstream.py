"""Komunitin as the last node (FEDERATION.md §3.3): it commits what it is relayed, so it is not relayed to in phase 1;
the node before it validates its own legs, and its "forward C" is the relay, after which the link's chain moves by
Komunitin's formula. A refusal erases the chain before anything is posted; a lost answer is never erased on a timer."""

import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select, update

from platform6.credit import queries
from platform6.credit.models import Account
from platform6.extensions import db
from platform6.federation import client as peer_client
from platform6.federation import hashing, links, recovery, verify
from platform6.federation.models import CCTransaction
from platform6.notifications.models import Notification
from platform6.timeutil import utcnow

from .peers import GENESIS, SECRET, Peer, entries

KOM_GENESIS = "f" * 32


class FakeKomunitin:
    """Answers relays with `answer` (None: silence); GET / with 200 only under a head it holds (`heads`)."""

    def __init__(self):
        self.answer = (201, b'{"data": [], "meta": {"secs_valid_left": 0}}')
        self.heads = {KOM_GENESIS}
        self.calls = []

    def __call__(self, method, url, **kw):
        self.calls.append((method, url.split("/cc/", 1)[1], kw.get("data"), kw.get("headers")))
        if self.answer is None:
            raise peer_client.requests.ConnectionError("refused")
        status, content = self.answer
        if method == "GET":
            known = kw["headers"].get("last-hash") in self.heads
            status, content = (200, b'{"message": "Welcome"}') if known else (401, b'{"errors": ["bad hash"]}')
        return SimpleNamespace(status_code=status, content=content, text=content.decode())


@pytest.fixture
def ocn(make_network, open_account, monkeypatch, app, client):
    network = make_network(default_credit_limit=10_000)
    olive = open_account(network)
    olive.cc_name = "olive"
    kom = links.open_link(network=network, direction="leafward", peer_name="kom", cc_name="ocn", profile="komunitin",
                          peer_url="http://127.0.0.1:9/cc/kom/", credit_limit=10_000, genesis=KOM_GENESIS)  # fmt: skip
    leaf = links.open_link(network=network, direction="leafward", peer_name="kirklees", credit_limit=10_000,
                           peer_url="http://127.0.0.1:9/cc/kirklees/", genesis=GENESIS, secret=SECRET)  # fmt: skip
    db.session.commit()
    fake = FakeKomunitin()
    monkeypatch.setattr(peer_client._http, "request", fake)
    app.config["FEDERATION_ALLOW_HTTP"] = True
    return SimpleNamespace(network=network, olive=olive, kom=kom, leaf=leaf, fake=fake,
                           kirklees=Peer(client, "ocn", "kirklees", ["ocn", "kirklees"]))  # fmt: skip


def _pay(api, ocn, amount=100):
    body = {"from_account_id": ocn.olive.id, "to": "ocn/kom/TEST0002", "amount": amount, "description": "Tea"}
    return api.post("/remote-transfers", body, user=ocn.olive.holder)


def test_komunitin_gets_one_relay_in_phase_two_and_the_chain_moves_its_way(api, ocn):
    answer = _pay(api, ocn)
    assert answer.status_code == 201, answer.json
    ((method, path, body, headers),) = ocn.fake.calls  # no phase-1 relay, no PATCH: the relay is the commit
    sent = json.loads(body)
    assert (method, path, sent["state"], sent["version"]) == ("POST", "kom/transaction/relay", "V", 1)
    assert sent["entries"][0]["quant"] == 1 and headers["cc-node"] == "ocn" and "p6-signature" not in headers
    entry = {"quant": 100, "description": "Tea"}
    expected = hashing.komunitin_hash(KOM_GENESIS, uuid=sent["uuid"], state="V", entries=[entry], version=1,
                                      decimals=2)  # fmt: skip
    kom = db.session.get(type(ocn.kom), ocn.kom.id)
    assert kom.head == expected and db.session.get(Account, kom.vostro_account_id).balance == 100
    assert queries.ledger_violations() == verify.local_problems() == []
    assert db.session.get(Account, ocn.olive.id).held_out == 0


def test_a_komunitin_refusal_erases_and_a_silence_is_never_erased_on_a_timer(api, ocn):
    ocn.fake.answer = (400, b'{"errors": ["Account TEST0002 not found"]}')
    refused = _pay(api, ocn)
    assert refused.status_code == 422 and db.session.get(Account, ocn.olive.id).held_out == 0
    ocn.fake.answer = None
    waiting = _pay(api, ocn)
    assert waiting.status_code == 202
    row = db.session.scalar(select(CCTransaction).where(CCTransaction.state == "completing"))
    row.next_check_at = row.deadline = row.created_at
    db.session.commit()
    recovery.run_jobs()
    assert db.session.get(CCTransaction, row.id).state == "completing"  # it may have committed: keep holding
    assert [call[0] for call in ocn.fake.calls] == ["POST", "POST", "GET"]  # the hash probe, unanswered
    # the unanswered relay was to be asked about after 5 s; the probe after it 10 s, then doubling up to 10 minutes
    waits = [round((db.session.get(CCTransaction, row.id).next_check_at - utcnow()).total_seconds())]
    for _attempt in range(3):
        row = db.session.get(CCTransaction, row.id)
        row.next_check_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        recovery.run_jobs()
        waits.append(round((db.session.get(CCTransaction, row.id).next_check_at - utcnow()).total_seconds()))
    assert waits == [10, 20, 40, 80] and db.session.get(CCTransaction, row.id).state == "completing"


def test_a_p6_leaf_paying_into_komunitin_through_the_trunk(ocn):
    uuid, relayed = ocn.kirklees.relay("ocn/kirklees/ellie", "ocn/kom/TEST0002", 2)
    assert relayed.status_code == 200 and ocn.fake.calls == []
    assert ocn.kirklees.complete(uuid, entries(200)).status_code == 201
    assert [call[1] for call in ocn.fake.calls] == ["kom/transaction/relay"]
    vostros = [db.session.get(Account, link.vostro_account_id).balance for link in (ocn.leaf, ocn.kom)]
    assert vostros == [-200, 200] and queries.ledger_violations() == []


def _lost_answer(api, ocn):
    """A payment whose relay to Komunitin got no answer: completing here, due for R2 now; its uuid and the head
    Komunitin holds if it committed."""
    ocn.fake.answer = None
    answer = _pay(api, ocn)
    assert answer.status_code == 202
    uuid = answer.json["uuid"]
    db.session.execute(update(CCTransaction).values(next_check_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    ocn.fake.answer = (201, b'{"data": []}')
    after = hashing.komunitin_hash(KOM_GENESIS, uuid=uuid, state="V", entries=[{"quant": 100, "description": "Tea"}],
                                   version=1, decimals=2)  # fmt: skip
    return uuid, after


def _state_and_held(ocn, uuid):
    row = db.session.scalar(select(CCTransaction).where(CCTransaction.uuid == uuid))
    return row.state, db.session.get(Account, ocn.olive.id).held_out


def test_the_hash_probe_posts_what_komunitin_committed(api, ocn):
    uuid, after = _lost_answer(api, ocn)
    ocn.fake.heads = {after}  # it committed: it takes only the head after the transaction
    recovery.run_jobs()
    assert _state_and_held(ocn, uuid) == ("completed", 0)
    assert [call[0] for call in ocn.fake.calls] == ["POST", "GET"]  # no second relay
    kom = db.session.get(type(ocn.kom), ocn.kom.id)
    assert kom.head == after and db.session.get(Account, kom.vostro_account_id).balance == 100
    assert verify.local_problems() == [] and queries.ledger_violations() == []


def test_the_hash_probe_resends_the_relay_komunitin_never_committed(api, ocn):
    uuid, after = _lost_answer(api, ocn)
    recovery.run_jobs()  # it takes only the old head: resend, same uuid; this time it commits
    assert _state_and_held(ocn, uuid) == ("completed", 0)
    assert [call[0] for call in ocn.fake.calls] == ["POST", "GET", "GET", "POST"]
    assert json.loads(ocn.fake.calls[-1][2])["uuid"] == uuid and db.session.get(type(ocn.kom), ocn.kom.id).head == after
    ocn.fake.heads = {after}  # Komunitin's head now
    refused, _after = _lost_answer(api, ocn)
    ocn.fake.answer = (400, b'{"errors": ["Account TEST0002 not found"]}')
    recovery.run_jobs()  # the resent relay is refused: erased, nothing paid
    assert _state_and_held(ocn, refused) == ("erased", 0)


def test_heads_that_diverged_keep_the_hold_and_tell_the_admins_once(api, ocn):
    uuid, _after = _lost_answer(api, ocn)
    ocn.fake.heads = set()
    for _attempt in range(2):
        db.session.execute(update(CCTransaction).values(next_check_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        recovery.run_jobs()
    assert _state_and_held(ocn, uuid) == ("completing", 100)
    (told,) = db.session.scalars(select(Notification).where(Notification.kind == "federation_transaction_stuck"))
    assert told.user_id == ocn.network.admin.id and "no longer agrees with us" in told.text
    assert told.url == f"/credit/networks/{ocn.network.id}/federation"


def test_an_hour_of_silence_tells_the_admins_once(api, ocn):
    uuid, _after = _lost_answer(api, ocn)
    ocn.fake.answer = None
    seen = []
    for checks in (11, 12, 13):  # 5 s doubling to 10 minutes: the 12th unanswered question ends the first hour
        db.session.execute(update(CCTransaction).values(checks=checks, next_check_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        recovery.run_jobs()
        seen.append(len(db.session.scalars(select(Notification).where(
            Notification.kind == "federation_transaction_stuck")).all()))  # fmt: skip
    assert seen == [0, 1, 1] and _state_and_held(ocn, uuid) == ("completing", 100)
    told = db.session.scalar(select(Notification).where(Notification.kind == "federation_transaction_stuck"))
    assert "has waited an hour for kom" in told.text
