"""Two imports of the same file at the same moment (platform6/import_lock.py): one lands; the other waits for
it, then is refused by name (a group export) or skips what is there (a Loomio export), never an error."""

import multiprocessing
from pathlib import Path

from sqlalchemy import func, select

from platform6.accounts.models import User
from platform6.credit.queries import ledger_violations
from platform6.errors import DomainError
from platform6.exports.export import export_group
from platform6.exports.restore import import_group
from platform6.extensions import db
from platform6.forums.models import Comment
from platform6.groups.models import Group
from platform6.loomio.service import import_export
from tests.conftest import make_app

LOOMIO_EXPORT = Path(__file__).parent.parent / "loomio" / "data" / "riverside-food-coop.json"


def _importer(database_url: str, barrier, run, admin_id: int, results) -> None:
    app = make_app(database_url)
    with app.app_context():
        admin = db.session.get(User, admin_id)  # as a page or an API call reads the signed-in person first
        barrier.wait(timeout=60)
        try:
            summary = run(admin)
            db.session.commit()
            results.put(("imported", summary))
        except DomainError as refused:
            db.session.rollback()
            results.put((refused.code, refused.message))
        db.engine.dispose()


def imports_at_once(database_url: str, run, admin_id: int) -> list[tuple]:
    """Two processes call `run(admin)` at the same moment; their (outcome, summary or message), sorted."""
    db.session.commit()
    db.session.remove()
    db.engine.dispose()
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [
        context.Process(target=_importer, args=(database_url, barrier, run, admin_id, results)) for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    return sorted(outcomes, key=lambda outcome: outcome[0])


def test_the_second_of_two_group_imports_is_a_conflict_naming_the_group(database_url, story, wipe, create_user):
    data = export_group(group=story.group, actor=story.admin)
    wipe()
    admin_id = create_user(email="root@example.org").id
    (code, message), (outcome, _) = imports_at_once(
        database_url, lambda admin: import_group(data=data, admin=admin), admin_id
    )
    assert outcome == "imported"
    assert code == "conflict" and "riverside" in message and "nothing was imported" in message
    assert db.session.scalar(select(func.count()).select_from(Group).where(Group.handle == "riverside")) == 1
    assert ledger_violations() == []


def test_the_second_of_two_loomio_imports_skips_what_the_first_brought(database_url, create_user):
    admin_id = create_user(email="operator@example.org").id
    raw = LOOMIO_EXPORT.read_bytes()
    outcomes = imports_at_once(database_url, lambda admin: import_export(data=raw, admin=admin, actor=admin), admin_id)
    assert [outcome for outcome, _ in outcomes] == ["imported", "imported"]
    groups_imported = sorted(summary["counts"]["groups"]["imported"] for _, summary in outcomes)
    assert groups_imported == [0, 2]
    assert db.session.scalar(select(func.count()).select_from(Group)) == 2
    comments = db.session.scalar(select(func.count()).select_from(Comment))
    assert comments == max(summary["counts"]["comments"]["imported"] for _, summary in outcomes)
