"""Delivery under trouble, with real worker processes (`flask --app app worker`) and a real SMTP server (aiosmtpd):

- kill -9 the worker in the middle of a 2,000-email batch and start it again: every member gets the email, and
  at most one gets it twice (the one whose 250 came before the killed worker could commit "sent");
- the mail server down: nothing is lost, and delivery resumes by itself once it is back;
- two workers on PostgreSQL share a 5,000-email batch (SKIP LOCKED) and send none twice.
"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from platform6.extensions import db
from platform6.forums import service
from platform6.notifications.models import OutboxEmail
from tests.production.crowd import add_crowd
from tests.production.processes import ROOT
from tests.production.smtp_sink import SMTPSink

DEADLINE = 60  # seconds: a hard stop far above the usual run


class Worker:
    """One `flask --app app worker` in its own process group, its output in `log`."""

    def __init__(self, database_url: str, smtp_port: int, log, **settings):
        self.env = (
            os.environ
            | {
                "DATABASE_URL": database_url,
                "SECRET_KEY": "test-secret",
                "MAIL_SERVER": "127.0.0.1",
                "MAIL_PORT": str(smtp_port),
                "MAIL_CLAIM_SECONDS": "4",  # a killed worker's rows go back to the queue after this
                "MAIL_RETRY_BASE_SECONDS": "0.2",
                "MAIL_RETRY_MAX_SECONDS": "1",
                "MAIL_BATCH_SIZE": "100",
                "RUN_SCHEDULER": "0",
                "LOG_LEVEL": "warning",
            }
            | {key: str(value) for key, value in settings.items()}
        )
        self.log = log
        self.process = None

    def start(self) -> "Worker":
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "app", "worker", "--tick", "0.1"],
                cwd=ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        return self

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture
def processes():
    started = []
    yield started
    for each in started:
        (each.kill if isinstance(each, Worker) else each.stop)()


def _queue_thread_news(create_user, create_group, members: int) -> None:
    """A thread started in a group of `members` people reading by email (the worker expands its news)."""
    admin = create_user()
    group = create_group(admin=admin)
    add_crowd(group, members, "crowd")
    db.session.refresh(group)
    service.start_discussion(actor=admin, group=group, title="The roof", description="What shall we do?")
    db.session.commit()


def _statuses() -> Counter:
    db.session.rollback()  # a fresh snapshot of what the workers committed
    return Counter(
        dict(db.session.execute(select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)).all())
    )


def _tried() -> int:
    """Emails that met the mail server down (their last error says so)."""
    db.session.rollback()
    return db.session.scalar(select(func.count()).where(OutboxEmail.last_error.like("cannot reach%")))


def _fewest_and_most_attempts() -> tuple[int, int]:
    return tuple(db.session.execute(select(func.min(OutboxEmail.attempts), func.max(OutboxEmail.attempts))).one())


def _wait(condition, what: str, log) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}: {_statuses()} {log.read_text()[-2000:]}")
        time.sleep(0.1)


def test_a_worker_killed_mid_batch_loses_nothing_and_resends_at_most_one(
    app, database_url, tmp_path, processes, create_user, create_group
):
    members = 2_000
    _queue_thread_news(create_user, create_group, members)
    sink = SMTPSink(tmp_path / "received.txt").start()
    processes.append(sink)
    log = tmp_path / "worker.log"
    worker = Worker(database_url, sink.port, log).start()
    processes.append(worker)
    _wait(lambda: len(sink.received()) >= 500, "the first 500 emails", log)
    worker.kill()
    cut_at = len(sink.received())
    assert cut_at < members, "the worker finished before it was killed: nothing was tested"
    processes.append(Worker(database_url, sink.port, log).start())
    _wait(lambda: _statuses().get("sent", 0) == members, "every email sent", log)

    received = sink.received()
    recipients = Counter(recipient for recipient, _ in received)
    assert set(recipients) == {f"crowd{i}@example.org" for i in range(members)}  # everyone got it
    twice = [recipient for recipient, count in recipients.items() if count > 1]
    assert len(twice) <= 1, twice  # only the email between its 250 and the killed worker's commit
    assert len(set(received)) == members  # a resend carries the same Message-ID: recognisably the same email
    assert _statuses() == Counter(sent=members)


def test_the_mail_server_down_loses_nothing_and_delivery_resumes_by_itself(
    app, database_url, tmp_path, processes, create_user, create_group
):
    members = 300
    _queue_thread_news(create_user, create_group, members)
    sink = SMTPSink(tmp_path / "received.txt")  # not started: the mail server is down
    log = tmp_path / "worker.log"
    processes.append(Worker(database_url, sink.port, log).start())
    _wait(lambda: _tried() > 0, "a try", log)
    time.sleep(2)  # several more tries, with back-off
    assert _statuses() == Counter(pending=members)  # waiting, none lost, none given up
    assert _fewest_and_most_attempts() == (0, 0)  # an unreachable server counts against no email
    processes.append(sink.start())
    _wait(lambda: _statuses().get("sent", 0) == members, "every email sent once the server is back", log)
    recipients = Counter(recipient for recipient, _ in sink.received())
    assert len(recipients) == members and set(recipients.values()) == {1}


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="SKIP LOCKED: PostgreSQL")
def test_two_workers_share_a_batch_and_send_nothing_twice(
    app, database_url, tmp_path, processes, create_user, create_group
):
    members = 5_000
    _queue_thread_news(create_user, create_group, members)
    sink = SMTPSink(tmp_path / "received.txt").start()
    processes.append(sink)
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    processes.extend(Worker(database_url, sink.port, log, MAIL_BATCH_SIZE=50).start() for log in logs)
    _wait(lambda: _statuses().get("sent", 0) == members, "every email sent", logs[0])
    received = sink.received()
    assert len(received) == members and len(set(received)) == members
    assert len({recipient for recipient, _ in received}) == members
