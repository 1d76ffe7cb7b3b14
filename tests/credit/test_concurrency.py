"""Limits hold when many processes pay from one account at once (PostgreSQL row locks, SQLite BEGIN IMMEDIATE)."""

import multiprocessing

from platform6.credit import queries, service
from platform6.credit.models import Account
from platform6.errors import RuleViolation
from platform6.extensions import db

PROCESSES, PAYMENTS_EACH, AMOUNT, LIMIT = 8, 3, 100, 1_000


def _payer(database_url: str, barrier, payer_id: int, payee_ids: list[int], results) -> None:
    from tests.conftest import make_app

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
