"""Credit benchmarks: `python bench/bench_credit.py` prints payments per second and latencies.

1. SQLite, one writer, 10,000 accounts: the service's `pay` (locks, limit checks, transfer, leg,
   two hash-chained entries, balances, notification) against a bare Flask-SQLAlchemy ORM
   transaction that reads two accounts, checks a limit, updates two balances and inserts one row;
   and side by side, `pay` in a second network that charges a transfer fee (one more leg and two
   more entries in the same transaction, not a second transaction).
2. PostgreSQL (BENCH_DATABASE_URL, default a scratch database next to p6_credit), 8 client
   processes paying at random between 1,000 accounts: payments/s, p50/p99, then every invariant.
"""

import multiprocessing
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Mapped, mapped_column

from platform6 import create_app
from platform6.accounts.models import User
from platform6.credit import queries, service
from platform6.credit.models import Account, Network
from platform6.extensions import db
from platform6.groups.models import Group

SQLITE_ACCOUNTS, SQLITE_PAYMENTS = 10_000, 2_000
PG_ACCOUNTS, PG_CLIENTS, PG_SECONDS = 1_000, 8, 15
LIMIT = 10**9


class BareAccount(db.Model):
    """The baseline's accounts (its own table, so its updates leave the real ledger alone)."""

    __tablename__ = "bench_bare_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    balance: Mapped[int] = mapped_column(default=0)
    credit_limit: Mapped[int] = mapped_column(default=LIMIT)


class BarePayment(db.Model):
    """The one row the bare ORM baseline inserts per payment."""

    __tablename__ = "bench_bare_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    from_account_id: Mapped[int]
    to_account_id: Mapped[int]
    amount: Mapped[int]


def make_app(url: str):
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})


def _open_business_accounts(network: Network, accounts: int) -> None:
    """A business account in `network` for each of the first `accounts` people (bulk inserted)."""
    db.session.execute(
        insert(Account),
        [
            {"network_id": network.id, "holder_type": "user", "holder_id": i + 1, "kind": "business",
             "credit_limit": LIMIT}
            for i in range(accounts)
        ],
    )  # fmt: skip


def build_ledger(accounts: int) -> list[int]:
    """A fresh schema, one network and `accounts` accounts held by as many people (bulk inserted)."""
    db.drop_all()
    db.create_all()
    db.session.execute(
        insert(User),
        [
            {"email": f"p{i}@bench.org", "name": f"Person {i}", "handle": f"p{i}", "password_hash": "x"}
            for i in range(accounts)
        ],
    )
    db.session.add(Group(handle="bench", name="Bench"))
    db.session.flush()
    network = Network(name="Bench", group_id=1, currency_code="B", currency_name="Bench", currency_symbol="B")
    db.session.add(network)
    db.session.flush()
    _open_business_accounts(network, accounts)
    db.session.execute(insert(BareAccount), [{"id": i + 1} for i in range(accounts)])
    db.session.commit()
    return list(db.session.scalars(db.select(Account.id).order_by(Account.id)))


#: 0.5% plus 1, paid by the payer: every bench payment owes a fee
BENCH_FEES = {"transfer": {"basis_points": 50, "fixed": 1, "paid_by": "payer"}, "periodic": []}


def build_fee_network(accounts: int) -> list[int]:
    """A second network with a transfer fee, its accounts held by the same people."""
    network = Network(name="Bench fees", group_id=1, currency_code="F", currency_name="Fees", currency_symbol="F")
    db.session.add(network)
    db.session.flush()
    service.set_fees(network=network, fees=BENCH_FEES, actor=None)
    _open_business_accounts(network, accounts)
    db.session.commit()
    return list(
        db.session.scalars(
            db.select(Account.id)
            .where(Account.network_id == network.id, Account.purpose == "member")
            .order_by(Account.id)
        )
    )


def _pairs(ids: list[int], n: int, seed: int) -> list[tuple[int, int, int]]:
    rng = random.Random(seed)
    return [(*rng.sample(ids, 2), rng.randint(1, 10_000)) for _ in range(n)]


def bare_payment(payer_id: int, payee_id: int, amount: int) -> None:
    payer, payee = db.session.get(BareAccount, payer_id), db.session.get(BareAccount, payee_id)
    if payer.balance - amount < -payer.credit_limit:
        raise ValueError("insufficient credit")
    payer.balance -= amount
    payee.balance += amount
    db.session.add(BarePayment(from_account_id=payer_id, to_account_id=payee_id, amount=amount))
    db.session.commit()


def service_payment(payer_id: int, payee_id: int, amount: int) -> None:
    service.pay(from_account_id=payer_id, to_account_id=payee_id, amount=amount, description="bench", actor=None)
    db.session.commit()


def timed(fn, pairs) -> float:
    started = time.perf_counter()
    for payer, payee, amount in pairs:
        fn(payer, payee, amount)
    return len(pairs) / (time.perf_counter() - started)


def bench_sqlite() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(f"sqlite:///{tmp}/bench.db")
        with app.app_context():
            ids = build_ledger(SQLITE_ACCOUNTS)
            fee_ids = build_fee_network(SQLITE_ACCOUNTS)
            timed(bare_payment, _pairs(ids, 200, 1))  # warm up every path
            timed(service_payment, _pairs(ids, 200, 2))
            timed(service_payment, _pairs(fee_ids, 200, 5))
            bare_pairs, our_pairs = _pairs(ids, SQLITE_PAYMENTS, 3), _pairs(ids, SQLITE_PAYMENTS, 4)
            fee_pairs = _pairs(fee_ids, SQLITE_PAYMENTS, 6)
            bare_seconds = our_seconds = fee_seconds = 0.0
            for start in range(0, SQLITE_PAYMENTS, 100):  # interleaved, so a busy machine slows all alike
                bare_seconds += 100 / timed(bare_payment, bare_pairs[start : start + 100])
                our_seconds += 100 / timed(service_payment, our_pairs[start : start + 100])
                fee_seconds += 100 / timed(service_payment, fee_pairs[start : start + 100])
            bare, ours = SQLITE_PAYMENTS / bare_seconds, SQLITE_PAYMENTS / our_seconds
            with_fee = SQLITE_PAYMENTS / fee_seconds
            problems = queries.ledger_violations()
            db.session.remove()
            db.engine.dispose()
    print(f"SQLite, 1 writer, {SQLITE_ACCOUNTS:,} accounts, {SQLITE_PAYMENTS:,} payments each:")
    print(f"  bare ORM transaction     {bare:8.0f} payments/s")
    print(f"  credit service (pay)     {ours:8.0f} payments/s   with a transfer fee {with_fee:8.0f} payments/s"
          f"  ({with_fee / ours:.2f} of the rate without)")  # fmt: skip
    print(f"  ratio service/bare       {ours / bare:8.2f}  (target >= 0.50)")
    print(f"  invariant violations     {len(problems):8d}")


def _client(url: str, ids: list[int], seed: int, barrier, results) -> None:
    app = make_app(url)
    rng = random.Random(seed)
    latencies, refused = [], 0
    with app.app_context():
        barrier.wait(timeout=60)
        deadline = time.perf_counter() + PG_SECONDS
        while time.perf_counter() < deadline:
            payer, payee = rng.sample(ids, 2)
            started = time.perf_counter()
            try:
                service_payment(payer, payee, rng.randint(1, 10_000))
            except Exception:
                db.session.rollback()
                refused += 1
            latencies.append(time.perf_counter() - started)
        db.engine.dispose()
    results.put((latencies, refused))


def _scratch_database(base: str) -> tuple[str, str]:
    url = make_url(base.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{url.database}_bench"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")  # the named one may not exist
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False), name


def bench_postgresql(base: str) -> None:
    url, name = _scratch_database(base)
    app = make_app(url)
    with app.app_context():
        ids = build_ledger(PG_ACCOUNTS)
        db.session.remove()
        db.engine.dispose()
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(PG_CLIENTS), context.Queue()
    clients = [context.Process(target=_client, args=(url, ids, i, barrier, results)) for i in range(PG_CLIENTS)]
    for client in clients:
        client.start()
    latencies, refused = [], 0
    for _ in clients:
        got, failed = results.get(timeout=PG_SECONDS + 120)
        latencies += got
        refused += failed
    for client in clients:
        client.join()
    with app.app_context():
        problems = queries.ledger_violations()
        balance_sum = int(db.session.scalar(db.select(db.func.sum(Account.balance))))
        db.session.remove()
        db.engine.dispose()
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
    latencies.sort()
    done = len(latencies) - refused
    print(f"PostgreSQL, {PG_CLIENTS} client processes, {PG_ACCOUNTS:,} accounts, {PG_SECONDS} s:")
    print(f"  payments                 {done:8d}  ({refused} refused)")
    print(f"  payments/s               {done / PG_SECONDS:8.0f}")
    print(f"  latency p50              {latencies[len(latencies) // 2] * 1000:8.1f} ms")
    print(f"  latency p99              {latencies[int(len(latencies) * 0.99)] * 1000:8.1f} ms")
    print(f"  sum of balances          {balance_sum:8d}")
    print(f"  invariant violations     {len(problems):8d}")


if __name__ == "__main__":
    bench_sqlite()
    pg = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1/p6_credit")
    if pg.lower() != "none":
        bench_postgresql(pg)
