"""Loomio's thread guests (`discussion_readers.guest`, issue 16) become guests of that thread here: they read it and
take part in it, and nothing else of the group; a guest whose access Loomio revoked is not brought."""

import json

from sqlalchemy import func, select

from platform6.accounts.service import user_by_email
from platform6.extensions import db
from platform6.forums.models import Discussion, DiscussionGuest
from platform6.loomio.service import GUESTS
from tests.loomio.test_faithful import EVENTS, TOPICS
from tests.loomio.test_import import imported

NIA = "nia@neighbour.example"


def _thread(title: str) -> Discussion:
    return db.session.scalar(select(Discussion).where(Discussion.title == title))


def _guests() -> list[tuple[int, int]]:
    return db.session.execute(select(DiscussionGuest.discussion_id, DiscussionGuest.user_id)).all()


def test_a_loomio_guest_takes_part_in_their_thread_only(app, create_user, api):
    summary = imported(app, create_user, EVENTS)
    nia, roof, boiler = user_by_email(NIA), _thread("Roof repairs"), _thread("Boiler service rota")
    assert _guests() == [(roof.id, nia.id)]
    guest = db.session.scalar(select(DiscussionGuest))
    assert guest.invited_by_id is not None  # Loomio's inviter came across as an account too
    assert summary["counts"]["discussion_readers"] == {"imported": 1, "skipped": 0}
    assert GUESTS in summary["in_plain_words"]["mapped_to_something_else"]
    assert api.post(f"/discussions/{roof.id}/comments", json={"body": "Thanks!"}, user=nia).status_code == 201
    assert api.post(f"/discussions/{boiler.id}/comments", json={"body": "Me too"}, user=nia).status_code == 404
    assert api.get(f"/groups/{boiler.group_id}/discussions", user=nia).status_code == 404


def test_a_second_run_brings_the_guest_once(app, create_user):
    imported(app, create_user, EVENTS)
    again = imported(app, create_user, EVENTS)
    assert len(_guests()) == 1
    assert again["counts"]["discussion_readers"] == {"imported": 0, "skipped": 1}


def test_a_guest_in_the_topic_shaped_export_is_a_guest_too(app, create_user):
    summary = imported(app, create_user, TOPICS)
    assert _guests() == [(_thread("The garden gate").id, user_by_email(NIA).id)]
    assert summary["counts"]["topic_readers"]["imported"] == 1


def test_a_guest_loomio_revoked_is_not_brought(app, create_user, tmp_path):
    lines = []
    for raw in EVENTS.read_text().splitlines():
        line = json.loads(raw) if raw.strip() else None
        if line and line["table"] == "discussion_readers" and line["record"].get("guest"):
            line["record"]["revoked_at"] = "2025-04-01T10:00:00.000Z"
            raw = json.dumps(line)
        lines.append(raw)
    revoked = tmp_path / "revoked.json"
    revoked.write_text("\n".join(lines) + "\n")
    summary = imported(app, create_user, revoked)
    assert db.session.scalar(select(func.count()).select_from(DiscussionGuest)) == 0
    assert summary["counts"]["discussion_readers"] == {"imported": 0, "skipped": 1}
    reasons = {e["reason"] for e in summary["skipped_records"] if e["table"] == "discussion_readers"}
    assert reasons == {"their guest access was revoked in Loomio"}
    assert GUESTS not in summary["in_plain_words"]["mapped_to_something_else"]
