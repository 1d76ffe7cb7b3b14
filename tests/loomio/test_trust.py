"""A Loomio import trusts nothing it did not bring itself (API.md 1.1, Trust rules, Imports):
records are matched only within the file's source, a later file of a source needs an admin of its
groups, and a file with any unreadable or inconsistent line imports nothing, naming that line."""

import io
import json

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from platform6.accounts.service import user_by_email
from platform6.extensions import db
from platform6.forums.models import Comment, Discussion
from platform6.groups.models import Group, Membership
from tests.conftest import make_app
from tests.loomio.test_import import EXPORT, imported, run_import, totals
from tests.test_migrations import empty_database_url  # noqa: F401 (a fixture)

MALLORY = "mallory@evil.example"


def lines_of(*records: tuple[str, dict]) -> bytes:
    return b"".join(json.dumps({"table": table, "record": record}).encode() + b"\n" for table, record in records)


#: another Loomio instance's export whose ids collide with the Riverside export's: its group is 1002
#: (Riverside's secret Bakery group), its thread 3002 (the Bakery's thread), its author 2003 (Chloe there)
COLLIDING = lines_of(
    ("groups", {"id": 1002, "key": "Mal0ry99", "parent_id": None, "name": "Mallory's group", "handle": "mallory"}),
    ("users", {"id": 2099, "email": MALLORY, "name": "Mallory", "username": "mallory"}),
    (
        "memberships",
        {"id": 3201, "group_id": 1002, "user_id": 2099, "admin": True, "accepted_at": "2025-03-01T00:00:00.000Z"},
    ),
    ("discussions", {"id": 3999, "group_id": 1002, "author_id": 2003, "title": "Bank details, please"}),
    ("discussions", {"id": 3002, "group_id": 1002, "author_id": 2099, "title": "Mallory's thread"}),
    ("comments", {"id": 4999, "discussion_id": 3002, "user_id": 2003, "body": "Wire it to Mallory"}),
)


def bakery() -> Group:
    return db.session.scalar(select(Group).where(Group.name == "Bakery Working Group"))


def member_ids(group: Group) -> set[int]:
    return set(db.session.scalars(select(Membership.user_id).where(Membership.group_id == group.id)))


def test_a_file_from_another_source_never_reaches_the_first_ones_groups(app, create_user, tmp_path):
    imported(app, create_user)
    mallory = create_user(name="Mallory", email=MALLORY)
    secret, before = bakery(), member_ids(bakery())
    sourdough = db.session.scalar(select(Discussion).where(Discussion.title == "Sourdough flour supplier"))
    comments_before = sourdough.comments_count
    attack = tmp_path / "attack.json"
    attack.write_bytes(COLLIDING)

    result = run_import(app, attack, admin=MALLORY)

    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["counts"]["groups"] == {"imported": 1, "skipped": 0}
    assert summary["counts"]["comments"] == {"imported": 1, "skipped": 0}
    db.session.expire_all()
    assert member_ids(bakery()) == before and mallory.id not in before
    assert db.session.scalars(select(Discussion.title).where(Discussion.group_id == secret.id)).all() == [
        "Sourdough flour supplier"
    ]
    assert db.session.get(Discussion, sourdough.id).comments_count == comments_before
    theirs = db.session.scalar(select(Group).where(Group.name == "Mallory's group"))
    assert theirs.id != secret.id and member_ids(theirs) == {mallory.id}
    bank = db.session.scalar(select(Discussion).where(Discussion.title == "Bank details, please"))
    assert bank.group_id == theirs.id and bank.author_id is None  # not Chloe: she is not in that file
    wire = db.session.scalar(select(Comment).where(Comment.body == "Wire it to Mallory"))
    assert db.session.get(Discussion, wire.discussion_id).group_id == theirs.id and wire.author_id is None


def test_the_same_file_again_imports_nothing_twice_and_stays_with_its_own_records(app, create_user, tmp_path):
    imported(app, create_user)
    attack = tmp_path / "attack.json"
    attack.write_bytes(COLLIDING)
    create_user(name="Mallory", email=MALLORY)
    assert run_import(app, attack, admin=MALLORY).exit_code == 0
    before = totals()
    first_again = imported(app, create_user)
    second_again = run_import(app, attack, admin=MALLORY)
    assert second_again.exit_code == 0 and json.loads(second_again.output)["imported"] == 0
    assert first_again["imported"] == 0 and totals() == before


def site_admin(create_user, **fields):
    user = create_user(**fields)
    user.is_site_admin = True
    db.session.commit()
    return user


def upload(client, data: bytes, **fields):
    return client.post("/admin/loomio-import", data={"file": (io.BytesIO(data), "export.json"), **fields})


def test_a_later_file_of_an_imported_group_needs_an_admin_of_its_groups(app, create_user, client, login):
    imported(app, create_user)
    login(site_admin(create_user, name="Mallory", email=MALLORY))
    before = totals()
    joins_as_admin = lines_of(
        ("users", {"id": 2099, "email": MALLORY, "name": "Mallory"}),
        (
            "memberships",
            {"id": 3299, "group_id": 1002, "user_id": 2099, "admin": True, "accepted_at": "2025-03-01T00:00:00.000Z"},
        ),
    )
    later_export = EXPORT.read_bytes() + joins_as_admin

    for fields in ({}, {"admin_email": "operator@example.org"}):
        refused = upload(client, later_export, **fields)
        assert refused.status_code == 403
        assert "only an admin of each of them may import a later export" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert totals() == before
    assert db.session.scalars(select(Membership).where(Membership.user_id == user_by_email(MALLORY).id)).all() == []


def test_an_admin_of_the_groups_imports_the_later_file(app, create_user, client, login, tmp_path):
    imported(app, create_user)
    operator = user_by_email("operator@example.org")
    operator.is_site_admin = True
    db.session.commit()
    login(operator)
    newcomer = lines_of(
        ("users", {"id": 2099, "email": "newcomer@example.org", "name": "Newcomer"}),
        (
            "memberships",
            {"id": 3299, "group_id": 1002, "user_id": 2099, "admin": False, "accepted_at": "2025-03-01T00:00:00.000Z"},
        ),
    )
    response = upload(client, EXPORT.read_bytes() + newcomer)
    assert response.status_code == 200 and "Imported 2, skipped 156" in response.get_data(as_text=True)
    assert user_by_email("newcomer@example.org").id in member_ids(bakery())


def _replace(line: int, text: bytes):
    def edit(data: bytes) -> bytes:
        lines = data.split(b"\n")
        lines[line - 1] = text
        return b"\n".join(lines)

    return edit


def _set(line: int, column: str, value):
    def edit(data: bytes) -> bytes:
        item = json.loads(data.split(b"\n")[line - 1])
        item["record"][column] = value
        return _replace(line, json.dumps(item).encode())(data)

    return edit


_DATA = EXPORT.read_bytes()
_CUT = int(len(_DATA) * 0.55)
BAD_FILES = {
    "cut at 55 %": (lambda data: data[:_CUT], _DATA[:_CUT].count(b"\n") + 1, "is not JSON"),
    "cut at a line's end": (lambda data: data.rstrip(b"\n"), 156, "does not end with a line break"),
    "a corrupt line": (_replace(50, b'{"table": "stances", "record": {"id": 1'), 50, "is not JSON"),
    "not UTF-8": (_replace(70, b"\xff\xfe"), 70, "is not UTF-8"),
    "nested too deep": (
        _replace(40, b'{"table": "polls", "record": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
        40,
        "",
    ),
    "a table Loomio does not export": (_replace(60, b'{"table": "widgets", "record": {"id": 5}}'), 60, "widgets"),
    "a record without an id": (_replace(61, b'{"table": "comments", "record": {}}'), 61, "without an id"),
    "a wrong type": (_set(27, "created_at", 12345), 27, "created_at is not a time"),
    "a record twice": (_replace(3, _DATA.split(b"\n")[1]), 3, "users record 2001 a second time"),
    "a comment of a thread not in the file": (_set(106, "discussion_id", 999), 106, "discussion_id (999)"),
    "a stance of a poll not in the file": (_set(56, "poll_id", 999), 56, "poll_id (999) is not in the file"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_file_with_a_bad_line_imports_nothing_and_names_the_line(app, create_user, tmp_path, name):
    edit, line, reason = BAD_FILES[name]
    create_user(name="Operator", email="operator@example.org")
    bad = tmp_path / "bad.json"
    bad.write_bytes(edit(_DATA))
    result = run_import(app, bad)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert f"Nothing was imported: line {line} " in result.output and reason in result.output
    assert totals()[1:] == (0, 0, 0, 0, 0, 0, 0, 0)


def test_the_page_answers_422_naming_the_line(client, login, create_user):
    login(site_admin(create_user, email="root@example.org"))
    for name in ("cut at 55 %", "a corrupt line"):
        edit, line, _ = BAD_FILES[name]
        response = upload(client, edit(_DATA))
        assert response.status_code == 422
        assert f"Nothing was imported: line {line} " in response.get_data(as_text=True)
    assert totals()[1:] == (0, 0, 0, 0, 0, 0, 0, 0)


def test_records_imported_before_sources_existed_go_to_a_legacy_source_no_file_matches(empty_database_url):  # noqa: F811
    app = make_app(empty_database_url)
    with app.app_context():
        try:
            upgrade(revision="0006")
            db.session.execute(
                text(
                    "INSERT INTO loomio_import_records (source_table, source_id, local_table, local_id, created_at)"
                    " VALUES ('groups', 1002, 'groups', 7, CURRENT_TIMESTAMP)"
                )
            )
            db.session.commit()
            upgrade()
            db.session.execute(text("INSERT INTO loomio_import_sources (created_at) VALUES (CURRENT_TIMESTAMP)"))
            legacy = db.session.execute(text("SELECT id, loomio_group_id, loomio_group_key FROM loomio_import_sources"))
            assert legacy.all() == [(1, None, None), (2, None, None)]  # and new ids come after it
            assert db.session.scalar(text("SELECT import_source_id FROM loomio_import_records")) == 1
        finally:
            db.session.remove()
            db.engine.dispose()
