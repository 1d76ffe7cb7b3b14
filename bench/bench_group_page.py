"""The group page with 1,000 members, in-process: median render time and the SQL queries it runs.

python bench/bench_group_page.py            # a temporary SQLite file
DATABASE_URL=postgresql://... python bench/bench_group_page.py   # an EMPTY database of your own: it is wiped
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event, insert, select, update

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from platform6 import create_app
from platform6.accounts.models import User
from platform6.accounts.service import create_user
from platform6.config import database_url
from platform6.extensions import db
from platform6.groups.models import Group, Membership
from platform6.groups.service import create_group

MEMBERS = 1000
RUNS = 200
#: the first requests fill caches (compiled templates, kept links and words): left out
WARM_UP = 50
PASSWORD = "bench password"


def main() -> None:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url(url, ""),
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "localhost",
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        admin = create_user(email="admin@example.org", name="Admin", password=PASSWORD, handle="admin")
        group = create_group(actor=admin, name="Big Co-op", handle="bigcoop", privacy="open", description="**Big**.")
        create_group(actor=admin, name="Working group", parent_id=group.id, privacy="closed")
        db.session.execute(
            insert(User),
            [
                {"email": f"m{i}@example.org", "name": f"Member {i:04d}", "handle": f"m{i}", "password_hash": "x"}
                for i in range(MEMBERS - 1)
            ],
        )
        ids = db.session.scalars(select(User.id).where(User.handle.like("m%"))).all()
        db.session.execute(insert(Membership), [{"group_id": group.id, "user_id": uid} for uid in ids])
        db.session.execute(update(Group).where(Group.id == group.id).values(members_count=MEMBERS))
        db.session.commit()
        db.session.remove()

    client = app.test_client()
    client.post("/sign-in", data={"email": "admin@example.org", "password": PASSWORD})
    statements: list[str] = []
    timings = []
    with app.app_context():
        engine = db.engine

    def record(*_args):
        statements.append(_args[2])

    for run in range(RUNS + WARM_UP):
        statements.clear()
        event.listen(engine, "before_cursor_execute", record)
        start = time.perf_counter()
        response = client.get("/groups/bigcoop")
        elapsed = (time.perf_counter() - start) * 1000
        event.remove(engine, "before_cursor_execute", record)
        assert response.status_code == 200 and "1,000 members" in response.get_data(as_text=True)
        if run >= WARM_UP:
            timings.append(elapsed)
    members_page = []
    for _ in range(20):
        start = time.perf_counter()
        assert client.get("/groups/bigcoop/members").status_code == 200
        members_page.append((time.perf_counter() - start) * 1000)

    print(f"database: {engine.dialect.name}")
    print(f"group page, {MEMBERS:,} members, signed in as admin: median {statistics.median(timings):.1f} ms "
          f"(p90 {sorted(timings)[int(len(timings) * 0.9)]:.1f} ms, {RUNS} runs), {len(statements)} SQL queries")  # fmt: skip
    print(f"members page (first 100 of {MEMBERS:,}): median {statistics.median(members_page):.1f} ms")
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


if __name__ == "__main__":
    main()
