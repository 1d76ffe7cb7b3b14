"""The run contract's commands: `flask demo` loads the seed stories once, `flask worker` runs jobs."""

import json
from pathlib import Path

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


LOOMIO_EXPORT = Path(__file__).parent / "loomio" / "data" / "riverside-food-coop.json"


def test_loomio_import_is_a_command_of_the_loomio_group(app, create_user):
    create_user(name="Operator", email="operator@example.org")
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["loomio", "--help"])
    assert listed.exit_code == 0 and "import" in listed.output
    result = runner.invoke(args=["loomio", "import", str(LOOMIO_EXPORT), "--admin", "operator@example.org"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["imported"] > 0
    again = runner.invoke(args=["import-loomio", str(LOOMIO_EXPORT), "--admin", "operator@example.org"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["imported"] == 0


def test_loomio_import_names_the_bad_line_and_exits_1(app, create_user, tmp_path):
    create_user(name="Operator", email="operator@example.org")
    bad = tmp_path / "cut-short.json"
    bad.write_text('{"table": "groups", "record": {"id": 1, "name": "Co-op"}}\n{"table": "us', encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["loomio", "import", str(bad), "--admin", "operator@example.org"])
    assert result.exit_code == 1
    assert "line 2" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Group)) == 0


def test_loomio_import_speaks_the_admins_language(app, create_user, tmp_path):
    create_user(name="Operatrice", email="operatrice@example.org", locale="it")
    bad = tmp_path / "cut-short.json"
    bad.write_text('{"table": "gr', encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["loomio", "import", str(bad), "--admin", "operatrice@example.org"])
    assert result.exit_code == 1
    assert "Questa non è un'esportazione di un gruppo Loomio" in result.output
