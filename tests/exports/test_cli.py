"""`flask export-group HANDLE FILE` and `flask import-group FILE --admin EMAIL`."""

import json

from sqlalchemy import func, select

from platform6.credit.queries import ledger_violations
from platform6.extensions import db
from platform6.groups.models import Group


def _groups() -> int:
    return db.session.scalar(select(func.count()).select_from(Group))


def test_export_then_import_on_a_fresh_instance(app, story, wipe, create_user, tmp_path):
    runner = app.test_cli_runner()
    path = tmp_path / "riverside.json"
    exported = runner.invoke(args=["export-group", "riverside", str(path)])
    assert exported.exit_code == 0, exported.output
    assert json.loads(path.read_text())["group"] == "riverside"
    wipe()
    create_user(email="root@example.org")
    imported = runner.invoke(args=["import-group", str(path), "--admin", "root@example.org"])
    assert imported.exit_code == 0, imported.output
    summary = json.loads(imported.output)
    assert summary["group"]["handle"] == "riverside" and summary["transfers"] == 4
    assert ledger_violations() == []
    assert runner.invoke(args=["credit", "verify"]).exit_code == 0


def test_export_to_standard_output_as_a_named_admin(app, story):
    result = app.test_cli_runner().invoke(args=["export-group", "riverside", "-", "--admin", "ada@example.org"])
    assert result.exit_code == 0 and json.loads(result.output)["format_version"] == 1
    member = app.test_cli_runner().invoke(args=["export-group", "riverside", "-", "--admin", "bea@example.org"])
    assert member.exit_code != 0 and "admins" in member.output


def test_a_bad_file_exits_non_zero_and_imports_nothing(app, story, tmp_path):
    runner = app.test_cli_runner()
    path = tmp_path / "riverside.json"
    runner.invoke(args=["export-group", "riverside", str(path)])
    data = json.loads(path.read_text())
    data["groups"][0]["handle"] = data["group"] = "elsewhere"
    data["groups"][1]["handle"] = "elsewhere-board"
    data["networks"][0]["accounts"][0]["balance"] += 5
    path.write_text(json.dumps(data))
    before = _groups()
    result = runner.invoke(args=["import-group", str(path), "--admin", "ada@example.org"])
    assert result.exit_code == 1
    assert "Nothing was imported." in result.output and "not the sum of its entries" in result.output
    assert _groups() == before
    path.write_text("{")
    assert runner.invoke(args=["import-group", str(path), "--admin", "ada@example.org"]).exit_code == 1


def test_unknown_names_are_errors(app, story, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["export-group", "nowhere", str(tmp_path / "x.json")]).exit_code != 0
    path = tmp_path / "x.json"
    path.write_text("{}")
    result = runner.invoke(args=["import-group", str(path), "--admin", "nobody@example.org"])
    assert result.exit_code != 0 and "sign up first" in result.output
