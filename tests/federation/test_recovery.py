"""What the jobs finish on the payee's side (FEDERATION.md §3.1, §3.4): R1 asks the upstream before erasing a
validated transaction past its window, and a P for a payee here holds, posts nothing, and is signed with a C toward
the payer. The test plays the trunk ocn: its messages go in through the test client, our calls to it are faked."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from platform6.credit.models import Account, Transfer
from platform6.extensions import db
from platform6.federation import client, hashing, recovery, verify
from platform6.federation.models import CCTransaction, Link
from platform6.timeutil import utcnow

from .peers import FakeTrunk, entries


@pytest.fixture
def ocn(leeds, monkeypatch, app):
    fake = FakeTrunk()
    fake.answers.update(GET=None, PATCH=None)
    monkeypatch.setattr(client._http, "request", fake)
    app.config["FEDERATION_ALLOW_HTTP"] = True
    return fake


def _bob(leeds):
    bob = db.session.get(Account, leeds.bob.id)
    return bob.balance, bob.held_in


def _state(uuid):
    return db.session.scalar(select(CCTransaction.state).where(CCTransaction.uuid == uuid))


def _past_window():
    db.session.execute(update(CCTransaction).values(deadline=utcnow() - timedelta(seconds=1)))
    db.session.commit()


@pytest.mark.parametrize(
    ("upstream_says", "end"),
    [
        ((200, b'{"data": {"state": "V", "p6_state": "completing"}}'), "validated"),
        ((200, b'{"data": {"state": "C"}}'), "validated"),
        ((200, b'{"data": {"state": "E"}}'), "erased"),
        ((404, b'{"errors": ["no such transaction"]}'), "erased"),
        ((200, b'{"data": {"state": "V", "p6_state": "validated"}}'), "erased"),
        (None, "erased"),
    ],
    ids=["completing there", "completed there", "erased there", "unknown there", "expired there", "unreachable"],
)
def test_r1_asks_the_upstream_before_erasing(leeds, ocn, upstream_says, end):
    uuid, answer = leeds.trunk.relay("ocn/kirklees/ellie", "ocn/leeds/bob", 10)
    assert answer.status_code == 200
    _past_window()
    ocn.answers["GET"] = upstream_says
    recovery.run_jobs()
    assert ocn.calls == [("GET", f"transaction/{uuid}")]  # asked once
    assert _state(uuid) == end
    assert _bob(leeds) == ((0, 1_000) if end == "validated" else (0, 0))
    if end == "validated":  # the C comes: posted once
        assert leeds.trunk.complete(uuid, entries(1_000)).status_code == 201 and _bob(leeds) == (1_000, 0)
    assert verify.local_problems() == []


def test_r1_waits_between_questions_and_erases_once_the_upstream_gave_up(leeds, ocn):
    uuid, _answer = leeds.trunk.relay("ocn/kirklees/ellie", "ocn/leeds/bob", 10)
    _past_window()
    ocn.answers["GET"] = (200, b'{"data": {"state": "V", "p6_state": "completing"}}')
    recovery.run_jobs()
    recovery.run_jobs()  # not yet due again: nothing asked
    assert len(ocn.calls) == 1 and _state(uuid) == "validated"
    db.session.execute(update(CCTransaction).values(next_check_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    ocn.answers["GET"] = (200, b'{"data": {"state": "E"}}')
    recovery.run_jobs()
    assert _state(uuid) == "erased" and _bob(leeds) == (0, 0)


def _pend(leeds, uuid, **kw):
    answer = leeds.trunk.call("PATCH", f"transaction/{uuid}/P", **kw)
    if answer.status_code == 201 and "head" not in kw:  # the trunk's chain records the pending state too
        leeds.trunk.head = hashing.link_hash("p6", leeds.trunk.head, uuid=uuid, state="pending",
                                             entries=entries(1_000), version=1, decimals=2)  # fmt: skip
    return answer


def _transfers():
    return db.session.scalar(select(func.count()).select_from(Transfer))


def test_p_holds_posts_nothing_and_we_sign_with_c_toward_the_payer(leeds, ocn):
    uuid, _answer = leeds.trunk.relay("ocn/kirklees/ellie", "ocn/leeds/bob", 10)
    before_p = leeds.trunk.head
    assert _pend(leeds, uuid).status_code == 201
    assert _bob(leeds) == (0, 1_000) and _transfers() == 0 and _state(uuid) == "validated"
    assert db.session.get(Link, leeds.link.id).head == leeds.trunk.head  # the pending state is written on the chain
    assert _pend(leeds, uuid, head=before_p).status_code == 201  # a repeat moves nothing
    assert db.session.get(Link, leeds.link.id).head == leeds.trunk.head
    _past_window()  # even past the window: pending is never erased on a timer
    ocn.answers["PATCH"] = (201, b"")
    assert recovery.run_jobs()["signed"] == 1
    assert ocn.calls == [("PATCH", f"transaction/{uuid}/C")]  # our payee's signature, toward the payer
    assert _bob(leeds) == (1_000, 0) and _transfers() == 1 and _state(uuid) == "completed"
    completed = hashing.link_hash("p6", leeds.trunk.head, uuid=uuid, state="completed", entries=entries(1_000),
                                  version=1, decimals=2)  # fmt: skip
    assert db.session.get(Link, leeds.link.id).head == completed and verify.local_problems() == []
    assert recovery.run_jobs()["signed"] == 0 and _transfers() == 1


def test_a_pending_payment_the_upstream_no_longer_knows_is_erased_and_a_silent_one_kept(leeds, ocn):
    uuid, _answer = leeds.trunk.relay("ocn/kirklees/ellie", "ocn/leeds/bob", 10)
    assert _pend(leeds, uuid).status_code == 201
    _past_window()
    db.session.execute(update(CCTransaction).values(next_check_at=utcnow()))
    db.session.commit()
    recovery.run_jobs()  # ocn silent: keep holding, ask again later
    assert _state(uuid) == "validated" and _bob(leeds) == (0, 1_000) and len(ocn.calls) == 1
    db.session.execute(update(CCTransaction).values(next_check_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    ocn.answers["PATCH"] = (400, b'{"errors": [{"class": "WorkflowViolation", "node": "ocn"}]}')
    recovery.run_jobs()
    assert _state(uuid) == "erased" and _bob(leeds) == (0, 0) and verify.local_problems() == []


def test_p_for_an_unknown_erased_or_completed_transaction_is_refused(leeds, ocn):
    unknown = leeds.trunk.call("PATCH", "transaction/6f1c1f8e-8a43-4b6f-9d0e-3c1a2b3c4d5e/P")
    assert unknown.status_code == 404 and unknown.json["errors"][0]["class"] == "DoesNotExistViolation"
    erased, _answer = leeds.trunk.relay("ocn/kirklees/ellie", "ocn/leeds/bob", 1)
    assert leeds.trunk.call("PATCH", f"transaction/{erased}/E").status_code == 201
    refused = _pend(leeds, erased)
    assert refused.status_code == 400 and refused.json["errors"][0]["class"] == "WorkflowViolation"
    done, _answer = leeds.trunk.relay("ocn/kirklees/ellie", "ocn/leeds/bob", 1)
    assert leeds.trunk.complete(done, entries(100)).status_code == 201
    late = _pend(leeds, done)
    assert late.status_code == 400 and late.json["errors"][0]["class"] == "WorkflowViolation"
    assert _bob(leeds) == (100, 0) and ocn.calls == []
