"""Forum benchmarks: thread page render, HTTP throughput under gunicorn, comment posting with live listeners,
and full-text search over 100,000 comments on SQLite and PostgreSQL.

    python bench/bench_forums.py                       # SQLite (a temporary file)
    BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1/p6_forums python bench/bench_forums.py

The PostgreSQL part runs only when BENCH_POSTGRES_URL is set; it empties that database's tables.
Targets (issue 3): page render <= 50 ms median, >= 150 requests/s, search <= 50 ms median.
"""

import http.cookiejar
import multiprocessing
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402

from platform6 import create_app  # noqa: E402
from platform6.config import database_url as normalise_url  # noqa: E402
from platform6.extensions import db, socketio  # noqa: E402
from tests.production.processes import free_port  # noqa: E402

COMMENTS_ON_PAGE = 200
SEARCH_COMMENTS = 100_000
LISTENERS = 200
random.seed(6)
WORDS = [
    "".join(random.choice("bcdfghjklmnprstvwz") + random.choice("aeiou") for _ in range(random.randint(2, 4)))
    for _ in range(3000)
]
COMMON = ["co-op", "credit", "meeting", "rota", "garden", "budget", "members", "proposal", "solar", "bike"]


def sentence(n: int = 40) -> str:
    """Words with a Zipf-like spread: a few common, many rare."""
    picks = [WORDS[min(int(random.paretovariate(1.1)) - 1, len(WORDS) - 1)] for _ in range(n)]
    picks[random.randrange(n)] = random.choice(COMMON)
    return " ".join(picks)


def make(url: str):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": normalise_url(url, ""),
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "MAIL_BACKEND": "memory",
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def seed_thread(app, comments: int):
    """An open group, two members and a thread of `comments` Markdown comments (a third are replies)."""
    from platform6.accounts.service import create_user
    from platform6.forums import service
    from platform6.groups.service import add_member, create_group

    with app.app_context():
        alice = create_user(email="alice@example.org", name="Alice", password="benchmark", handle="alice")
        bob = create_user(email="bob@example.org", name="Bob", password="benchmark", handle="bob")
        group = create_group(actor=alice, name="Bench co-op", privacy="open")
        add_member(actor=alice, group=group, user_id=bob.id)
        discussion = service.start_discussion(actor=alice, group=group, title="A long thread", description="Context")
        ids = []
        for i in range(comments):
            parent = random.choice(ids) if ids and i % 3 == 0 else None
            body = f"**Point {i}.** {sentence(60)}\n\n- one\n- two\n\n@bob what do you think?"
            comment = service.post_comment(
                actor=alice if i % 2 else bob, discussion=discussion, body=body, parent_id=parent
            )
            if i % 5 == 0:
                service.add_reaction(actor=bob, comment=comment, emoji="👍")
            ids.append(comment.id)
        db.session.commit()
        return discussion.id, group.id


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bench_render(app, discussion_id: int) -> tuple[float, float]:
    client = app.test_client()
    path = f"/d/{discussion_id}"
    assert client.get(path).status_code == 200
    median_ms(lambda: client.get(path), 50)  # warm-up: compiled templates, kept links and words
    anonymous = median_ms(lambda: client.get(path), 200)
    client.post("/sign-in", data={"email": "bob@example.org", "password": "benchmark"})
    assert client.get(path).status_code == 200
    member = median_ms(lambda: client.get(path), 200)
    return anonymous, member


def fetch(port: int, request: bytes) -> bool:
    """One request on a raw socket; True when the whole page came back with 200."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(request)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    response = b"".join(chunks)
    return response[:15].split(b" ")[1:2] == [b"200"] and response.rstrip().endswith(b"</html>")


def client(port: int, request: bytes, stop: float, results) -> None:
    """One client process: requests one after another until `stop`, then reports (ok, failed)."""
    ok = failed = 0
    while time.monotonic() < stop:
        try:
            passed = fetch(port, request)
        except OSError:
            passed = False
        ok, failed = ok + passed, failed + (not passed)
    results.put((ok, failed))


def sign_in_cookie(base: str, email: str) -> str:
    """Sign in through the real form (CSRF included) and return the session cookie's value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/sign-in", timeout=5).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": "benchmark"}).encode()
    opener.open(f"{base}/sign-in", data=form, timeout=5).read()
    return next(cookie.value for cookie in jar if cookie.name == "session")


def bench_http(db_url: str, discussion_id: int, seconds: float = 8.0, concurrency: int = 4) -> tuple[float, float]:
    """Requests/s for the thread page under gunicorn (2 sync workers), signed out and as a member.

    The clients are processes, not threads: four threads of one Python process take turns on the GIL
    and measured themselves (about 95 requests/s) rather than the server (about 380 from processes,
    420 from wrk, on the same page)."""
    port = free_port()
    env = dict(os.environ, DATABASE_URL=db_url, SECRET_KEY="bench", RUN_SCHEDULER="0")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "-k",
            "sync",
            "-b",
            f"127.0.0.1:{port}",
            "app:app",
            "--log-level",
            "warning",
            "--access-logfile",
            "/dev/null",  # gunicorn.conf.py, read from the folder, logs every request to stdout
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/d/{discussion_id}", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        cookie = sign_in_cookie(base, "bob@example.org")
        figures = []
        for headers in ("", f"Cookie: session={cookie}\r\n"):
            request = f"GET /d/{discussion_id} HTTP/1.0\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode()
            results = multiprocessing.Queue()
            started = time.monotonic()
            clients = [
                multiprocessing.Process(target=client, args=(port, request, started + seconds, results))
                for _ in range(concurrency)
            ]
            for process in clients:
                process.start()
            counts = [results.get() for _ in clients]
            elapsed = time.monotonic() - started
            for process in clients:
                process.join()
            failed = sum(f for _, f in counts)
            if failed:
                print(f"  ({failed} failed requests)")
            figures.append(sum(ok for ok, _ in counts) / elapsed)
        return figures[0], figures[1]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


def bench_post(app, discussion_id: int, listeners: int) -> float:
    from platform6.accounts.models import User
    from platform6.accounts.service import create_token

    with app.app_context():
        bob = db.session.scalar(db.select(User).where(User.handle == "bob"))
        token = create_token(user=bob)
        db.session.commit()
        sockets = []
        for _ in range(listeners):
            s = socketio.test_client(app, auth={"token": token})
            s.emit("join", {"discussion_id": discussion_id}, callback=True)
            sockets.append(s)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    body = {"body": "Agreed, **let's** do it. " + sentence(30)}

    def post():
        response = client.post(f"/api/v1/discussions/{discussion_id}/comments", json=body, headers=headers)
        assert response.status_code == 201, response.get_data(as_text=True)

    result = median_ms(post, 30)
    time.sleep(0.5)
    if listeners:
        got = sum(1 for e in sockets[0].get_received() if e["name"] == "comment_created")
        assert got >= 30, f"a listener received {got} of 30 comments"
    for s in sockets:
        s.disconnect()
    return result


def bench_search(app, group_id: int) -> tuple[float, float, float]:
    """Bulk-load SEARCH_COMMENTS comments (through the same search table and triggers), then time queries."""
    from platform6.accounts.models import User
    from platform6.forums.models import Comment, Discussion
    from platform6.groups.permissions import content_visible_group_ids
    from platform6.search import SearchDocument, search

    with app.app_context():
        alice = db.session.scalar(db.select(User).where(User.handle == "alice"))
        discussion_ids = []
        for t in range(100):
            d = Discussion(group_id=group_id, author_id=alice.id, title=f"Thread {t}: {sentence(5)}")
            db.session.add(d)
            db.session.flush()
            discussion_ids.append(d.id)
        db.session.commit()
        start = time.perf_counter()
        batch = 5000
        for offset in range(0, SEARCH_COMMENTS, batch):
            rows = []
            for i in range(offset, offset + batch):
                rows.append(
                    {"discussion_id": discussion_ids[i % 100], "author_id": alice.id, "body": sentence(), "body_html": "",
                     "position": 1000 + i // 100}
                )  # fmt: skip
            ids = db.session.scalars(insert(Comment).returning(Comment.id), rows).all()
            db.session.execute(
                insert(SearchDocument),
                [
                    {"kind": "comment", "ref_id": cid, "group_id": group_id, "title": "t", "body": row["body"],
                     "url": f"/d/{row['discussion_id']}#comment-{cid}"}
                    for cid, row in zip(ids, rows, strict=True)
                ],
            )  # fmt: skip
            db.session.commit()
        load_seconds = time.perf_counter() - start
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        user = db.session.scalar(db.select(User).where(User.handle == "bob"))
        queries = COMMON + [WORDS[i] for i in (0, 3, 10, 50, 200, 1000)] + ["garden rota", "solar budget", "zzzz"]
        for q in queries:  # warm up
            search(visible_groups=content_visible_group_ids(user), query=q)
        times = []
        for _ in range(3):
            for q in queries:
                start = time.perf_counter()
                search(visible_groups=content_visible_group_ids(user), query=q, limit=20)
                times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times), max(times), load_seconds


def run(label: str, url: str, http: bool) -> None:
    print(f"== {label}")
    app = make(url)
    discussion_id, group_id = seed_thread(app, COMMENTS_ON_PAGE)
    anonymous, member = bench_render(app, discussion_id)
    print(
        f"thread page, {COMMENTS_ON_PAGE} comments, in-process median: {anonymous:.1f} ms signed out, {member:.1f} ms as a member (target <= 50)"
    )
    if http:
        anonymous_rps, member_rps = bench_http(url, discussion_id)
        print(
            f"thread page over HTTP, gunicorn 2 sync workers, 4 client processes: {anonymous_rps:.0f} requests/s"
            f" signed out, {member_rps:.0f} as a member (target >= 150)"
        )
    quiet = bench_post(app, discussion_id, 0)
    loud = bench_post(app, discussion_id, LISTENERS)
    print(f"comment post (API) median: {quiet:.1f} ms with 0 listeners, {loud:.1f} ms with {LISTENERS} listeners")
    median, worst, load = bench_search(app, group_id)
    print(
        f"search over {SEARCH_COMMENTS:,} comments: median {median:.1f} ms, worst {worst:.1f} ms (loaded in {load:.0f} s; target <= 50)"
    )
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def main() -> None:
    import logging

    logging.disable(logging.INFO)  # no per-email log lines between the figures
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{tmp}/bench.db", http=True)
    if pg := os.environ.get("BENCH_POSTGRES_URL"):
        run("PostgreSQL", pg, http=True)


if __name__ == "__main__":
    main()
