"""Delivery benchmark: starting a thread in groups of 10, 1,000 and 10,000 members (every member reading by
email) through the API, then the worker expanding the big group's news and sending the emails to a local
SMTP server (aiosmtpd, its own process), on SQLite and PostgreSQL.

    python bench/bench_delivery.py                       # SQLite (a temporary file)
    BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1/p6_delivery python bench/bench_delivery.py

The PostgreSQL part runs only when BENCH_POSTGRES_URL is set; it empties that database's tables.
Targets (issue 13): the request's median at 10,000 members within 2x of the median at 10; the worker
sends >= 200 emails/s.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from platform6 import create_app  # noqa: E402
from platform6.config import database_url as normalise_url  # noqa: E402
from platform6.extensions import db  # noqa: E402
from tests.production.crowd import add_crowd  # noqa: E402
from tests.production.smtp_sink import SMTPSink  # noqa: E402

SIZES = (10, 1_000, 10_000)
STARTS = 7  # threads started per group: the median of these
EMAILS = 3_000  # emails the worker sends while timed


def make(url: str, smtp_port: int):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": normalise_url(url, ""),
            "SECRET_KEY": "bench",
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp_port,
            "SITE_URL": "http://localhost",
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def seed(app) -> tuple[str, dict[int, int]]:
    """An admin with an API token, and one group per size (the admin plus size - 1 others)."""
    from platform6.accounts.service import create_token, create_user
    from platform6.groups.service import create_group

    with app.app_context():
        admin = create_user(email="admin@example.org", name="Ada Admin", password="benchmark", handle="ada")
        groups = {}
        for size in SIZES:
            group = create_group(actor=admin, name=f"Co-op of {size}", privacy="closed")
            db.session.commit()
            add_crowd(group, size - 1, f"g{size}x")
            groups[size] = group.id
        token = create_token(user=admin)
        db.session.commit()
        return token, groups


def bench_requests(app, token: str, groups: dict[int, int]) -> dict[int, float]:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    medians = {}
    for size, group_id in groups.items():
        times = []
        for n in range(STARTS):
            body = {"title": f"Bench thread {n}", "description": "What shall we do about the **roof**?"}
            start = time.perf_counter()
            response = client.post(f"/api/v1/groups/{group_id}/discussions", json=body, headers=headers)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 201, response.get_data(as_text=True)[:300]
        medians[size] = statistics.median(times)
    return medians


def bench_worker(app, sink: SMTPSink) -> tuple[float, float]:
    """(seconds to expand every big group's news, emails sent per second over EMAILS emails)."""
    from platform6.forums.jobs import expand_group_fanouts
    from platform6.notifications import outbox
    from platform6.notifications.models import OutboxEmail

    with app.app_context():
        start = time.perf_counter()
        expand_group_fanouts()
        db.session.commit()
        expanded = time.perf_counter() - start
        sent, start = 0, time.perf_counter()
        while sent < EMAILS:
            result = outbox.send_batch()
            assert not result.server_down and result.sent, result
            sent += result.sent
        rate = sent / (time.perf_counter() - start)
        statuses = dict(db.session.execute(select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)).all())
        assert statuses.get("sent") == sent and not statuses.get("failed"), statuses
    assert len(sink.received()) == sent
    return expanded, rate


def run(label: str, url: str, sink: SMTPSink) -> None:
    app = make(url, sink.port)
    token, groups = seed(app)
    medians = bench_requests(app, token, groups)
    expanded, rate = bench_worker(app, sink)
    print(f"\n{label}")
    for size, ms in medians.items():
        print(f"  start a thread, {size:>6,} members on email: {ms:7.1f} ms median of {STARTS}")
    ratio = medians[SIZES[-1]] / medians[SIZES[0]]
    print(f"  10,000 vs 10 members: {ratio:.2f}x (target <= 2x)")
    print(f"  worker: expanding {STARTS} threads' news to {(SIZES[1] + SIZES[2]) * STARTS:,} members: {expanded:.1f} s")
    print(f"  worker: {rate:,.0f} emails/s to a local SMTP server over one connection a batch (target >= 200)")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sink = SMTPSink(Path(tmp) / "received.txt").start()
        try:
            run("SQLite", f"sqlite:///{tmp}/bench.db", sink)
            if pg := os.environ.get("BENCH_POSTGRES_URL"):
                (Path(tmp) / "received.txt").write_text("")
                run("PostgreSQL", pg, sink)
        finally:
            sink.stop()


if __name__ == "__main__":
    main()
