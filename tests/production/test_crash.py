"""Crash test: kill -9 the app process while payments flow, restart it, and the ledger is whole.

A gunicorn app process (gunicorn.conf.py) on PostgreSQL takes payments (POST /api/v1/transfers
with an Idempotency-Key) from a few client threads. Mid-flow the process is frozen (SIGSTOP)
until every client has a payment in flight, so the kill always cuts requests off, some maybe
after their commit and before their answer; then kill -9 (the arbiter and its worker at once),
and a restart on the same port. Each client retries a cut payment with the same key, as a
client should, and goes on paying. Afterwards `flask --app app credit verify` passes, every
acknowledged payment is in the ledger exactly once with entries summing to zero, the ledger
holds nothing that was not acknowledged, and each balance is what the acknowledged payments add
up to.
"""

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
import requests
from sqlalchemy import func, select

from platform6.credit import service
from platform6.credit.models import Account, Entry, Leg, Transfer
from platform6.extensions import db
from tests.production.processes import ROOT, AppProcess

CLIENTS = 4
BEFORE_KILL = AFTER_RESTART = 30  # acknowledged payments before the kill, and again after the restart
DEADLINE = 60  # seconds: a hard stop for the client threads, far above the usual run (~10 s)


class Payer(threading.Thread):
    """Pays other accounts one payment after another; retries a cut-off payment with its key."""

    def __init__(self, index: int, base: str, token: str, account_id: int, payees: list[int], stop: threading.Event):
        super().__init__(daemon=True)
        self.index, self.base, self.account_id, self.payees, self.stop = index, base, account_id, payees, stop
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.rng = random.Random(index)
        self.in_flight = False
        #: key -> (body, status, transfer id) of every answered payment
        self.answered: dict[str, tuple[dict, int, int]] = {}
        #: keys whose request got no answer (connection refused or cut) and was sent again
        self.cut: list[str] = []
        self.failure: str | None = None

    def run(self) -> None:
        deadline = time.monotonic() + DEADLINE
        number = 0
        while not self.stop.is_set() and time.monotonic() < deadline:
            key = f"crash-{self.index}-{number}"
            body = {
                "from_account_id": self.account_id,
                "to_account_id": self.rng.choice(self.payees),
                "amount": self.rng.randint(1, 500),
                "description": f"payment {key}",
            }
            response = self.pay(key, body, deadline)
            if response is None:
                return
            if response.status_code not in (200, 201):
                self.failure = f"{key}: {response.status_code} {response.text[:300]}"
                return
            self.answered[key] = (body, response.status_code, response.json()["id"])
            number += 1

    def pay(self, key: str, body: dict, deadline: float) -> requests.Response | None:
        while time.monotonic() < deadline:
            self.in_flight = True
            try:
                return self.http.post(
                    f"{self.base}/api/v1/transfers", json=body, headers={"Idempotency-Key": key}, timeout=15
                )
            except requests.RequestException:
                self.cut.append(key)
                time.sleep(0.05)
            finally:
                self.in_flight = False
        self.failure = f"{key}: no answer before the deadline"
        return None


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


@pytest.fixture
def server(app, database_url, tmp_path):
    if not database_url.startswith("postgres"):
        pytest.skip("needs PostgreSQL (the test and the app process share one database)")
    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "RATELIMIT_PAYMENTS": "10000/minute",  # the test pays faster than a person; the limit is not what it checks
    }
    process = AppProcess(env, tmp_path / "gunicorn.log").start()
    try:
        process.wait_healthy()
        yield process
    finally:
        process.stop()


@pytest.fixture
def payers(app, server, api, create_user, create_group):
    """CLIENTS people, each with an account in one network (room to spend) and an API token."""
    people = [create_user() for _ in range(CLIENTS)]
    group = create_group(admin=people[0], members=people[1:])
    network = service.create_network(
        actor=people[0],
        name="Crash test",
        group_id=group.id,
        currency_code="CRT",
        currency_name="Crash",
        currency_symbol="C",
        currency_decimals=2,
        default_credit_limit=10**9,
    )
    accounts = [
        service.open_account(actor=None, network=network, holder_type="user", holder_id=person.id, kind="individual")
        for person in people
    ]
    db.session.commit()
    ids = [account.id for account in accounts]
    stop = threading.Event()
    threads = [
        Payer(i, server.base, api.token(person), ids[i], [a for a in ids if a != ids[i]], stop)
        for i, person in enumerate(people)
    ]
    yield threads
    stop.set()
    for thread in threads:
        thread.join(timeout=20)


def acknowledged(payers) -> int:
    return sum(len(p.answered) for p in payers)


def verify(database_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "credit", "verify"],
        cwd=ROOT,
        env=os.environ | {"DATABASE_URL": database_url, "SECRET_KEY": "crash-test"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_killed_app_process_leaves_every_acknowledged_payment_and_no_half_transfer(app, database_url, server, payers):
    for payer in payers:
        payer.start()
    wait_for(lambda: acknowledged(payers) >= BEFORE_KILL, 20, f"{BEFORE_KILL} payments")
    os.killpg(server.process.pid, signal.SIGSTOP)  # freeze it, so that the kill cuts requests in flight
    wait_for(lambda: all(p.in_flight for p in payers), 10, "every client to have a payment in flight")
    server.kill()
    before_kill = {key: answer for p in payers for key, answer in p.answered.items()}
    time.sleep(0.3)  # clients meet a closed port and keep retrying
    server.start()
    server.wait_healthy()
    wait_for(lambda: acknowledged(payers) >= len(before_kill) + AFTER_RESTART, 20, "payments after the restart")
    payers[0].stop.set()  # one Event, shared by every client
    for payer in payers:
        payer.join(timeout=20)
        assert payer.failure is None, payer.failure
        assert not payer.is_alive()

    answered = {key: answer for p in payers for key, answer in p.answered.items()}
    cut = {key for p in payers for key in p.cut}
    assert len(cut) >= CLIENTS, "the kill cut no payment off"
    assert cut <= answered.keys(), "a cut payment was never answered after the restart"
    assert all(status == 201 for key, (_, status, _) in answered.items() if key not in cut), "only a retry answers 200"

    # Retried after the restart, a payment answered before the kill moves nothing.
    retried = [(p, key) for p in payers for key in list(p.answered)[:1] if key in before_kill and key not in cut]
    assert retried
    for payer, key in retried:
        body, _, transfer_id = answered[key]
        again = payer.http.post(
            f"{server.base}/api/v1/transfers", json=body, headers={"Idempotency-Key": key}, timeout=15
        )
        assert again.status_code == 200, again.text
        assert again.json()["id"] == transfer_id

    db.session.rollback()
    keyed = select(Transfer.idempotency_key, Transfer.id).where(Transfer.idempotency_key.is_not(None))
    stored = dict(db.session.execute(keyed).all())
    by_key = {key.split(":", 1)[1]: transfer_id for key, transfer_id in stored.items()}
    assert by_key == {key: transfer_id for key, (_, _, transfer_id) in answered.items()}, (
        "the ledger holds exactly the answered payments, once each"
    )
    assert db.session.scalar(select(func.count(Transfer.id))) == len(answered)

    entries = db.session.execute(
        select(Entry.transfer_id, func.count(), func.sum(Entry.amount)).group_by(Entry.transfer_id)
    )
    per_transfer = {transfer_id: (count, total) for transfer_id, count, total in entries}
    assert per_transfer.keys() == set(by_key.values()), "a transfer without entries"
    assert all(shape == (2, 0) for shape in per_transfer.values()), "a transfer whose entries do not sum to zero"
    legs = dict(db.session.execute(select(Leg.transfer_id, Leg.amount)).all())
    assert legs == {transfer_id: body["amount"] for body, _, transfer_id in answered.values()}

    expected = Counter()
    for body, _, _ in answered.values():
        expected[body["from_account_id"]] -= body["amount"]
        expected[body["to_account_id"]] += body["amount"]
    sums = dict(db.session.execute(select(Entry.account_id, func.sum(Entry.amount)).group_by(Entry.account_id)).all())
    balances = dict(db.session.execute(select(Account.id, Account.balance)).all())
    assert balances == sums == dict(expected)

    checked = verify(database_url)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "every invariant holds" in checked.stdout
