"""What translation costs a page: the same pages rendered in English and in Italian, in one run.

A 200-comment thread and its group's page, signed in as a member whose language is switched between runs
(interleaved, so the machine's load falls on both alike). Prints each median and Italian's cost against
English. Issue 15's target: within 10 %.

python bench/bench_languages.py            # a temporary SQLite file
"""

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_forums import make, median_ms, seed_thread

from platform6.accounts.models import User
from platform6.extensions import db

COMMENTS = 200
ROUNDS, RUNS = 5, 10


def main() -> None:
    app = make(f"sqlite:///{tempfile.mkdtemp()}/bench.db")
    discussion_id, group_id = seed_thread(app, COMMENTS)
    client = app.test_client()
    client.post("/sign-in", data={"email": "bob@example.org", "password": "benchmark"})
    with app.app_context():
        group_handle = db.session.execute(
            db.text("SELECT handle FROM groups WHERE id = :id"), {"id": group_id}
        ).scalar()
    pages = {"thread": f"/d/{discussion_id}", "group": f"/groups/{group_handle}"}
    medians: dict[tuple[str, str], list[float]] = {}
    for _round in range(ROUNDS):
        for locale in ("en", "it"):
            with app.app_context():
                db.session.execute(db.update(User).where(User.email == "bob@example.org").values(locale=locale))
                db.session.commit()
            for name, path in pages.items():
                assert client.get(path).status_code == 200
                medians.setdefault((name, locale), []).append(median_ms(lambda p=path: client.get(p), RUNS))
    for name in pages:
        english, italian = (min(medians[(name, locale)]) for locale in ("en", "it"))
        print(
            f"{name} page: English {english:.1f} ms, Italian {italian:.1f} ms ({(italian / english - 1) * 100:+.0f} %)"
        )


if __name__ == "__main__":
    main()
