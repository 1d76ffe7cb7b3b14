"""The run contract's commands: `flask demo` loads the seed stories once, `flask worker` runs jobs."""

import json

from platform6.accounts.models import User
from platform6.extensions import db
from platform6.groups.models import Group, Membership
from platform6.notifications import scheduler


def _counts():
    return tuple(db.session.scalar(db.select(db.func.count()).select_from(m)) for m in (User, Group, Membership))


def test_demo_loads_the_seed_groups_and_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "alice@example.org" in first.output
    json.loads(first.output.splitlines()[0])
    counts = _counts()
    groups = {g.handle: g for g in db.session.scalars(db.select(Group))}
    assert groups["platform6"].privacy == "open"
    assert groups["ocn"].privacy == "closed"
    assert groups["kirklees"].parent_id == groups["ocn"].id
    assert groups["ocn-core"].privacy == "secret"
    assert counts[0] >= 12
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert _counts() == counts


def test_demo_people_can_sign_in(app, client):
    app.test_cli_runner().invoke(args=["demo"])
    response = client.post("/sign-in", data={"email": "alice@example.org", "password": "platform6"})
    assert response.status_code == 302


def test_due_jobs_run_once_per_period(app, monkeypatch):
    calls = []
    monkeypatch.setattr(scheduler, "JOBS", {})
    scheduler.job(every_seconds=60)(lambda: calls.append(1))
    assert len(scheduler.run_due_jobs(app, now=1000.0)) == 1
    assert scheduler.run_due_jobs(app, now=1030.0) == []
    assert len(scheduler.run_due_jobs(app, now=1061.0)) == 1
    assert calls == [1, 1]


def test_a_failing_job_does_not_stop_the_others(app, monkeypatch):
    calls = []
    monkeypatch.setattr(scheduler, "JOBS", {})

    @scheduler.job(every_seconds=1)
    def broken():
        raise RuntimeError("boom")

    @scheduler.job(every_seconds=1)
    def fine():
        calls.append(1)

    assert scheduler.run_due_jobs(app, now=5.0) == [fine.__qualname__]
    assert calls == [1]
