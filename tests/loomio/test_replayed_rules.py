"""A Loomio import writes threads, comments and polls through the forums and governance services, so it
keeps their rules: the same default title as the group-file import, the live length limit on text."""

import json

from sqlalchemy import select

from platform6.extensions import db
from platform6.forums.models import Comment, Discussion
from platform6.governance.models import Poll
from tests.loomio.test_import import run_import
from tests.loomio.test_trust import lines_of

ADMIN = "operator@example.org"
GROUP = {"id": 1, "key": "Blank001", "parent_id": None, "name": "Blank titles", "handle": "blank-titles"}
THREAD = {"id": 10, "group_id": 1, "title": "  \t ", "created_at": "2025-01-01T10:00:00.000Z"}


def _imported(app, create_user, tmp_path, *records) -> dict:
    create_user(name="Operator", email=ADMIN)
    path = tmp_path / "export.json"
    path.write_bytes(lines_of(("groups", GROUP), *records))
    result = run_import(app, path, admin=ADMIN)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_thread_and_a_poll_without_a_title_get_the_group_file_imports_default(app, create_user, tmp_path):
    poll = {"id": 20, "group_id": 1, "poll_type": "question", "title": "", "closing_at": "2099-01-01T00:00:00.000Z"}
    summary = _imported(app, create_user, tmp_path, ("discussions", THREAD), ("polls", poll))
    assert summary["counts"]["discussions"] == {"imported": 1, "skipped": 0}
    assert summary["counts"]["polls"] == {"imported": 1, "skipped": 0}
    titles = db.session.scalar(select(Discussion.title)), db.session.scalar(select(Poll.title))
    assert titles == ("Untitled", "Untitled")  # as the group-file import names them


def test_a_comment_longer_than_a_comment_may_be_is_skipped_with_the_live_reason(app, create_user, tmp_path):
    too_long = {"id": 30, "discussion_id": 10, "body": "x" * 20_001, "body_format": "md"}
    fits = {"id": 31, "discussion_id": 10, "body": "x" * 20_000, "body_format": "md"}
    summary = _imported(app, create_user, tmp_path, ("discussions", THREAD), ("comments", too_long), ("comments", fits))
    assert summary["counts"]["comments"] == {"imported": 1, "skipped": 1}
    assert "Keep it under 20,000 characters." in json.dumps(summary)
    assert [len(body) for body in db.session.scalars(select(Comment.body))] == [20_000]
    assert db.session.scalar(select(Discussion.comments_count)) == 1
