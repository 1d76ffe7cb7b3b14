"""Load test: Locust (headless, bounded) against gunicorn on PostgreSQL, with 1 and then 2 app processes.

    python bench/bench_load.py            # or `make bench-load`; `make bench` runs it with the others

The mix (bench/locustfile.py): members of one co-op read a thread page, search, comment, vote in
a proposal and pay each other through the API. For each configuration the script makes a fresh
database (BENCH_LOAD_DATABASE_URL, default postgresql://postgres@127.0.0.1/p6_bench_load), seeds
it through the services, starts the app processes (gunicorn.conf.py as in production; two share
Socket.IO events through Redis on 127.0.0.1:6379), runs Locust for BENCH_LOAD_SECONDS (30) with
BENCH_LOAD_USERS (40) simulated members, prints req/s, p50/p99 and the error rate per request
kind and in total, then drops the database. Everything stays on 127.0.0.1.

Locust brings gevent, which must never reach the app's .venv (the app runs Flask-SocketIO's
threading mode, as in production), so it lives in .venv-load, made from bench/requirements-load.txt on first run (and again when
that file changes). Rate limits are off for the run (docs/production.md "Load tests").
"""

import csv
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import venv
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402

from platform6 import create_app  # noqa: E402
from platform6.config import database_url as normalise_url  # noqa: E402
from platform6.extensions import db  # noqa: E402
from platform6.timeutil import utcnow  # noqa: E402
from tests.production.processes import AppProcess  # noqa: E402

LOAD_VENV = ROOT / ".venv-load"
REQUIREMENTS = ROOT / "bench" / "requirements-load.txt"
QUEUE = "redis://127.0.0.1:6379/0"
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "30"))
USERS = int(os.environ.get("BENCH_LOAD_USERS", "40"))
PEOPLE, THREADS, COMMENTS_EACH, POLLS = 40, 5, 40, 5
PASSWORD = "load test password"
WORDS = [
    "co-op",
    "credit",
    "meeting",
    "rota",
    "garden",
    "budget",
    "members",
    "proposal",
    "solar",
    "bike",
    "bakery",
    "harvest",
    "repair",
    "cafe",
    "allotment",
    "compost",
    "workshop",
    "childcare",
    "transport",
    "housing",
    "energy",
    "festival",
    "library",
    "tools",
    "kitchen",
    "volunteer",
    "accounts",
    "insurance",
    "roof",
    "heating",
    "orchard",
    "market",
    "printing",
    "website",
    "newsletter",
]


def load_venv() -> Path:
    """.venv-load with the pinned Locust, made (or remade) when missing or when the pins changed."""
    stamp = LOAD_VENV / "requirements-load.txt"
    wanted = REQUIREMENTS.read_text()
    if not (stamp.exists() and stamp.read_text() == wanted):
        print(f"  (installing {REQUIREMENTS.relative_to(ROOT)} into {LOAD_VENV.name}/ once)", flush=True)
        venv.create(LOAD_VENV, clear=True, with_pip=True)
        pip = [str(LOAD_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        installed = subprocess.run([*pip, "-r", str(REQUIREMENTS)], capture_output=True, text=True)
        if installed.returncode != 0:
            raise SystemExit(f"installing Locust failed:\n{installed.stdout}{installed.stderr}")
        stamp.write_text(wanted)
    return LOAD_VENV / "bin" / "locust"


def admin_engine(url: str):
    return create_engine(make_url(normalise_url(url, "")).set(database="postgres"), isolation_level="AUTOCOMMIT")


def recreate_database(url: str) -> None:
    name = make_url(url).database
    engine = admin_engine(url)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def drop_database(url: str) -> None:
    engine = admin_engine(url)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    engine.dispose()


def seed(url: str, secret: str) -> dict:
    """An open co-op of PEOPLE members with tokens and accounts, THREADS threads, POLLS open proposals."""
    from platform6.accounts.service import create_token, create_user
    from platform6.credit import service as credit
    from platform6.forums import service as forums
    from platform6.governance import service as governance
    from platform6.groups.service import add_member, create_group

    # A cheap scrypt, as the tests use: signing in is not part of the measured mix.
    app = create_app({"SQLALCHEMY_DATABASE_URI": normalise_url(url, ""), "SECRET_KEY": secret,
                      "PASSWORD_HASH_METHOD": "scrypt:1024:8:1"})  # fmt: skip
    with app.app_context():
        db.create_all()
        people = [
            create_user(email=f"member{i}@load.example.org", name=f"Member {i}", password=PASSWORD)
            for i in range(PEOPLE)
        ]
        group = create_group(actor=people[0], name="Load test co-op", privacy="open")
        for person in people[1:]:
            add_member(actor=people[0], group=group, user_id=person.id)
        network = credit.create_network(
            actor=people[0], name="Load test credit", group_id=group.id, currency_code="LTC",
            currency_name="Load credit", currency_symbol="L", currency_decimals=2, default_credit_limit=10**12,
        )  # fmt: skip
        accounts = [
            credit.open_account(actor=None, network=network, holder_type="user", holder_id=p.id, kind="individual")
            for p in people
        ]
        discussions = []
        for t in range(THREADS):
            discussion = forums.start_discussion(
                actor=people[t], group=group, title=f"The {WORDS[t]} plan", description=" ".join(WORDS[t::3])
            )
            for c in range(COMMENTS_EACH):
                words = [WORDS[(t * 7 + c * 3 + k * k) % len(WORDS)] for k in range(30)]
                body = f"**Point {c}.** {' '.join(words)}\n\n- one\n- two"
                forums.post_comment(actor=people[(t + c) % PEOPLE], discussion=discussion, body=body)
            discussions.append(discussion.id)
        polls = [
            governance.create_poll(
                actor=people[p], group=group, kind="proposal", title=f"Adopt the {WORDS[p]} plan",
                closing_at=utcnow() + timedelta(days=7),
            ).id
            for p in range(POLLS)
        ]  # fmt: skip
        tokens = [create_token(user=person, name="load test") for person in people]
        db.session.commit()
        seeded = {
            "password": PASSWORD,
            "people": [
                {"email": p.email, "token": token, "account_id": a.id}
                for p, token, a in zip(people, tokens, accounts, strict=True)
            ],
            "accounts": [a.id for a in accounts],
            "discussions": discussions,
            "polls": polls,
            "words": WORDS,
        }
        db.session.remove()
        db.engine.dispose()
    return seeded


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes and their children (gunicorn's workers), from /proc."""
    total = 0
    for pid in pids:
        family = [pid, *map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
        for member in family:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run_locust(locust: Path, seeded: dict, hosts: list[str], folder: Path) -> tuple[list[dict], float]:
    """Locust's statistics rows, and the CPU seconds Locust itself used."""
    seed_file = folder / "seed.json"
    seed_file.write_text(json.dumps(seeded))
    prefix = folder / "locust"
    command = [
        str(locust), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--only-summary",
        "--users", str(USERS), "--spawn-rate", str(USERS), "--run-time", f"{SECONDS}s", "--stop-timeout", "5",
        "--csv", str(prefix), "--loglevel", "WARNING", "--exit-code-on-error", "0",
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env |= {"LOAD_SEED": str(seed_file), "LOAD_HOSTS": ",".join(hosts)}
    before = children_cpu_seconds()
    with (folder / "locust.log").open("wb") as log:
        finished = subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=SECONDS + 120)
    locust_cpu = children_cpu_seconds() - before
    if finished.returncode != 0:
        raise SystemExit(f"locust exited with {finished.returncode}: {(folder / 'locust.log').read_text()[-2000:]}")
    with (folder / "locust_stats.csv").open() as stats:
        return list(csv.DictReader(stats)), locust_cpu


def report(title: str, rows: list[dict]) -> None:
    print(title)
    print(f"  {'request':24} {'requests':>9} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>8}")
    for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        count, failures = int(row["Request Count"]), int(row["Failure Count"])
        if not count:  # sign-ins, done before the statistics were reset
            continue
        name = "total" if row["Name"] == "Aggregated" else row["Name"]
        errors = f"{100 * failures / count:.2f}%"
        print(f"  {name:24} {count:9d} {float(row['Requests/s']):7.1f} {row['50%']:>7} {row['99%']:>7} {errors:>8}")


def run(locust: Path, url: str, processes: int) -> None:
    secret = "bench-load"
    recreate_database(url)
    try:
        seeded = seed(url, secret)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            env = {"DATABASE_URL": url, "SECRET_KEY": secret, "RATELIMIT_ENABLED": "0"}
            if processes > 1:
                env["SOCKETIO_MESSAGE_QUEUE"] = QUEUE
            servers = [AppProcess(env, folder / f"gunicorn-{n}.log", threads=None) for n in range(processes)]
            try:
                for server in servers:
                    server.start()
                for server in servers:
                    server.wait_healthy(60)
                load = os.getloadavg()[0]
                pids = [server.process.pid for server in servers]
                app_cpu = cpu_seconds(pids)
                rows, locust_cpu = run_locust(locust, seeded, [s.base for s in servers], folder)
                app_cpu = cpu_seconds(pids) - app_cpu
            finally:
                for server in servers:
                    server.stop()
        report(
            f"{processes} app process{'es' if processes > 1 else ''} (gunicorn.conf.py), {USERS} Locust users, "
            f"{SECONDS} s (load average {load:.1f} at the start):",
            rows,
        )
        served = sum(int(row["Request Count"]) for row in rows if row["Name"] == "Aggregated")
        print(
            f"  CPU during the run: app processes {app_cpu:.1f} s (about {1000 * app_cpu / max(served, 1):.0f} ms"
            f" a request), Locust {locust_cpu:.1f} s"
        )
    finally:
        drop_database(url)


def main() -> None:
    logging.disable(logging.INFO)  # no per-email log lines from the seeding between the figures
    url = os.environ.get("BENCH_LOAD_DATABASE_URL", "postgresql://postgres@127.0.0.1/p6_bench_load")
    if url.lower() == "none":
        return
    if "bench" not in make_url(url).database:
        raise SystemExit(f"{make_url(url).database}: the load test drops its database; name one with 'bench' in it")
    probe = admin_engine(url)
    try:
        probe.connect().close()
    except OperationalError:
        print(f"skipped: no PostgreSQL at {make_url(url).render_as_string()} (set BENCH_LOAD_DATABASE_URL)")
        return
    finally:
        probe.dispose()
    locust = load_venv()
    print(f"PostgreSQL, Locust in its own process; this machine has {os.cpu_count()} cores shared by everything")
    run(locust, url, 1)
    try:
        redis.Redis.from_url(QUEUE).ping()
    except redis.RedisError:
        print("2 app processes: skipped, they need Redis on 127.0.0.1:6379 for Socket.IO events")
        return
    run(locust, url, 2)


if __name__ == "__main__":
    main()
