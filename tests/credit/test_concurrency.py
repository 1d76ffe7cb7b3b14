"""Limits hold when many processes pay from one account at once (PostgreSQL row locks, SQLite BEGIN IMMEDIATE)."""

import multiprocessing

import pytest

from platform6.credit import queries, service
from platform6.credit.models import Account
from platform6.errors import Conflict, RuleViolation
from platform6.extensions import db
from tests.conftest import make_app

PROCESSES, PAYMENTS_EACH, AMOUNT, LIMIT = 8, 3, 100, 1_000


def _payer(database_url: str, barrier, payer_id: int, payee_ids: list[int], results) -> None:
    app = make_app(database_url)
    with app.app_context():
        barrier.wait(timeout=60)
        for payee_id in payee_ids:
            try:
                service.transfer(from_account_id=payer_id, to_account_id=payee_id, amount=AMOUNT, description="",
                                 actor=None)  # fmt: skip
                db.session.commit()
                results.put("ok")
            except RuleViolation as refused:
                db.session.rollback()
                results.put(refused.code)
        db.engine.dispose()


def test_concurrent_payments_never_break_the_credit_limit(app, database_url, make_network, open_account):
    network = make_network(default_credit_limit=0)
    payer = open_account(network, credit_limit=LIMIT)
    payees = [open_account(network).id for _ in range(PROCESSES * PAYMENTS_EACH)]
    payer_id = payer.id
    db.session.commit()
    db.session.remove()
    db.engine.dispose()
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(PROCESSES), context.Queue()
    workers = [
        context.Process(
            target=_payer,
            args=(database_url, barrier, payer_id, payees[i * PAYMENTS_EACH : (i + 1) * PAYMENTS_EACH], results),
        )
        for i in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in range(PROCESSES * PAYMENTS_EACH)]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert outcomes.count("ok") == LIMIT // AMOUNT
    assert outcomes.count("insufficient_credit") == len(outcomes) - LIMIT // AMOUNT
    assert db.session.get(Account, payer_id).balance == -LIMIT
    assert queries.ledger_violations() == []


def test_a_payment_after_a_stale_read_on_sqlite_is_a_conflict_not_an_error(app, database_url, make_network,
                                                                           open_account):  # fmt: skip
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's snapshot rule")
    network = make_network(default_credit_limit=1_000)
    alice, bob = open_account(network), open_account(network)
    alice_id, bob_id = alice.id, bob.id
    db.session.commit()
    db.session.get(Account, alice_id)  # this transaction reads: its snapshot is now fixed
    other = make_app(database_url)
    with other.app_context():
        service.transfer(from_account_id=alice_id, to_account_id=bob_id, amount=5, description="", actor=None)
        db.session.commit()
        db.engine.dispose()
    with pytest.raises(Conflict):
        service.transfer(from_account_id=alice_id, to_account_id=bob_id, amount=5, description="", actor=None)
    db.session.rollback()
    assert db.session.get(Account, alice_id).balance == -5
