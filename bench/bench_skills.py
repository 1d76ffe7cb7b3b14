"""Skills board benchmark: ranking quality on the labelled set, and matching speed at scale.

1. precision@5 on tests/skills/data/labelled_set.json: our ranking (taxonomy, levels, languages,
   place, availability) against plain skill-overlap counting (how many request skill names a
   profile lists as text).
2. 10,000 profiles and 1,000 open requests on SQLite: median ms of "gigs for you" and "people for
   this request", and their SQL query counts next to a 10x smaller database (they must be equal).

Run: python bench/bench_skills.py   (about a minute)
"""

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, insert

from platform6 import create_app
from platform6.extensions import db
from platform6.skills import matching
from platform6.skills.taxonomy import taxonomy
from tests.skills.labelled_set import load

# --- 1. quality --------------------------------------------------------------------------------------


def specs(data: dict):
    tax = taxonomy()
    requests = [
        (
            matching.RequestSpec(
                id=r["id"],
                skills=tuple(
                    matching.Wanted(tax.key_of(s["name"]), s["name"], s["level"], s["required"]) for s in r["skills"]
                ),
                languages=frozenset(r["languages"]),
                location=r["location"],
                remote_ok=r["remote_ok"],
                hours_estimate=r["hours_estimate"],
            ),
            set(r["picks"]),
        )
        for r in data["requests"]
    ]
    people = [
        matching.PersonSpec(
            p["id"],
            {tax.key_of(s["name"]): s["level"] for s in p["skills"]},
            frozenset(p["languages"]),
            p["location"],
            p["remote_ok"],
            p["hours_per_week"],
        )
        for p in data["profiles"]
    ]
    names = {p["id"]: [s["name"] for s in p["skills"]] for p in data["profiles"]}
    return requests, people, names


def precision_at(k: int, ranked: list[int], picks: set[int]) -> float:
    return sum(1 for pid in ranked[:k] if pid in picks) / k


def quality() -> dict:
    data = load()
    requests, people, names = specs(data)
    tax = taxonomy()
    ours, overlap, ours_r, overlap_r = [], [], [], []
    for request, picks in requests:
        ranked = [pid for pid, _ in matching.rank_people(request, people, tax)]
        counts = {p.id: matching.overlap_count(request, names[p.id]) for p in people}
        baseline = sorted((pid for pid in counts if counts[pid] > 0), key=lambda pid: (-counts[pid], pid))
        ours.append(precision_at(5, ranked, picks))
        overlap.append(precision_at(5, baseline, picks))
        cap = min(5, len(picks))
        ours_r.append(sum(1 for pid in ranked[:cap] if pid in picks) / cap)
        overlap_r.append(sum(1 for pid in baseline[:cap] if pid in picks) / cap)
    return {
        "requests": len(requests),
        "profiles": len(people),
        "p@5 ours": statistics.mean(ours),
        "p@5 overlap": statistics.mean(overlap),
        "p@min(5,picks) ours": statistics.mean(ours_r),
        "p@min(5,picks) overlap": statistics.mean(overlap_r),
    }


# --- 2. speed ------------------------------------------------------------------------------------------


def build(path: str, n_profiles: int, n_requests: int, seed: int = 1):
    """A database with n_profiles members (each in 1-2 of 10 open groups) and n_requests open requests."""
    from platform6.accounts.models import User
    from platform6.groups.models import Group, Membership
    from platform6.skills.models import Profile, ProfileSkill, RequestSkill, Skill, SkillRequest
    from platform6.timeutil import utcnow

    rng = random.Random(seed)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        db.create_all()
        tax = taxonomy()
        keys = sorted(tax.entries)
        now = utcnow()
        db.session.execute(insert(Skill), [{"id": i + 1, "key": k, "name": tax.entries[k].name, "category": tax.entries[k].category, "members_count": 0} for i, k in enumerate(keys)])  # fmt: skip
        db.session.execute(insert(User), [{"id": i, "email": f"p{i}@example.org", "name": f"Person {i}", "handle": f"p{i}", "password_hash": "x", "is_site_admin": False, "created_at": now} for i in range(1, n_profiles + 1)])  # fmt: skip
        db.session.execute(insert(Group), [{"id": g, "handle": f"g{g}", "name": f"Group {g}", "description": "", "description_html": "", "privacy": "open", "members_count": 0, "created_at": now,
                                            "members_can_start_discussions": True, "members_can_raise_polls": True, "members_can_add_members": False, "members_can_create_subgroups": False} for g in range(1, 11)])  # fmt: skip
        memberships, profiles, skills = [], [], []
        for uid in range(1, n_profiles + 1):
            for g in rng.sample(range(1, 11), rng.choice([1, 1, 2])):
                memberships.append({"group_id": g, "user_id": uid, "role": "member", "joined_at": now})
            profiles.append({"user_id": uid, "bio": "", "location": rng.choice(["Leeds", "York", "Bologna"]), "remote_ok": rng.random() < 0.7,
                             "availability_hours_per_week": rng.choice([None, 2, 5, 10]), "languages": rng.choice(["en", "en,it", "es"]), "interests": "", "public": False, "updated_at": now})  # fmt: skip
            for pos, sid in enumerate(rng.sample(range(1, len(keys) + 1), rng.randint(2, 6))):
                skills.append({"user_id": uid, "skill_id": sid, "level": rng.randint(1, 5), "position": pos})
        db.session.execute(insert(Membership), memberships)
        db.session.execute(insert(Profile), profiles)
        db.session.execute(insert(ProfileSkill), skills)
        requests, wanted = [], []
        for rid in range(1, n_requests + 1):
            requests.append({"id": rid, "group_id": rng.randint(1, 10), "author_id": rng.randint(1, n_profiles), "title": f"Request {rid}", "description": "", "description_html": "",
                             "location": "Leeds", "remote_ok": rng.random() < 0.7, "languages": "en", "volunteers_needed": 1, "accepted_count": 0, "state": "open", "created_at": now,
                             "expires_at": now.replace(year=now.year + 1), "hours_estimate": rng.choice([None, 5, 20])})  # fmt: skip
            for pos, sid in enumerate(rng.sample(range(1, len(keys) + 1), rng.randint(1, 4))):
                wanted.append(
                    {
                        "request_id": rid,
                        "skill_id": sid,
                        "level": rng.randint(1, 4),
                        "required": pos < 2,
                        "position": pos,
                    }
                )
        db.session.execute(insert(SkillRequest), requests)
        db.session.execute(insert(RequestSkill), wanted)
        db.session.commit()
    return app


def measure(app, samples: int = 40, seed: int = 2) -> dict:
    from platform6.accounts.models import User
    from platform6.skills import queries

    rng = random.Random(seed)
    with app.app_context():
        statements: list[str] = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        users = db.session.query(User.id).count()
        n_requests = db.session.query(queries.SkillRequest.id).count()
        gigs_ms, gigs_q, people_ms, people_q, sizes = [], set(), [], set(), []
        for _ in range(samples):
            db.session.expire_all()
            user = db.session.get(User, rng.randint(1, users))
            statements.clear()
            start = time.perf_counter()
            found = queries.gigs_for(user)
            gigs_ms.append((time.perf_counter() - start) * 1000)
            gigs_q.add(len(statements))
            db.session.expire_all()
            request = queries.request_by_id(rng.randint(1, n_requests))
            statements.clear()
            start = time.perf_counter()
            people = queries.people_for(request)
            people_ms.append((time.perf_counter() - start) * 1000)
            people_q.add(len(statements))
            sizes.append((len(found), len(people)))
            db.session.rollback()
        return {
            "gigs median ms": statistics.median(gigs_ms),
            "people median ms": statistics.median(people_ms),
            "gigs queries": sorted(gigs_q),
            "people queries": sorted(people_q),
            "mean gigs ranked": statistics.mean(s[0] for s in sizes),
            "mean people ranked": statistics.mean(s[1] for s in sizes),
        }


def main() -> None:
    q = quality()
    print(f"Labelled set: {q['requests']} requests x {q['profiles']} profiles")
    print(f"  precision@5            ours {q['p@5 ours']:.3f}   plain skill overlap {q['p@5 overlap']:.3f}")
    print(
        f"  precision@min(5,picks) ours {q['p@min(5,picks) ours']:.3f}   plain skill overlap {q['p@min(5,picks) overlap']:.3f}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for profiles, requests in ((1_000, 100), (10_000, 1_000)):
            start = time.perf_counter()
            app = build(os.path.join(tmp, f"bench{profiles}.db"), profiles, requests)
            built = time.perf_counter() - start
            m = measure(app)
            print(f"SQLite, {profiles:,} profiles, {requests:,} open requests (built in {built:.1f}s):")
            print(
                f"  gigs for you           median {m['gigs median ms']:.1f} ms, queries {m['gigs queries']}, ~{m['mean gigs ranked']:.0f} requests ranked"
            )
            print(
                f"  people for a request   median {m['people median ms']:.1f} ms, queries {m['people queries']}, ~{m['mean people ranked']:.0f} people ranked"
            )
            with app.app_context():
                db.engine.dispose()


if __name__ == "__main__":
    main()
