"""A group file trusts nothing it did not bring itself (API.md 1.1, Trust rules, Imports): its refs name
only its own records, so a second file with the same refs creates records of its own; a malformed file
(nested too deep, wrong types) imports nothing and is refused cleanly on every edge, never a 500."""

import io
import json

import pytest
from sqlalchemy import func, select

from platform6.accounts.service import user_by_email
from platform6.exports.export import export_group
from platform6.extensions import db
from platform6.forums.models import Discussion
from platform6.groups.models import Group, Membership
from tests.exports.test_api import _as_copy


def _members(group_id: int) -> dict[int, str]:
    rows = db.session.execute(select(Membership.user_id, Membership.role).where(Membership.group_id == group_id))
    return {user_id: role for user_id, role in rows}


def _site_admin(create_user, email="root@example.org"):
    user = create_user(email=email)
    user.is_site_admin = True
    db.session.commit()
    return user


def test_a_second_file_with_the_same_refs_never_touches_the_first_ones_records(api, story, create_user):
    data = export_group(group=story.group, actor=story.admin)
    root = _site_admin(create_user)
    first = api.post("/group-imports", json=_as_copy(data), user=root).get_json()["group"]
    members_before = _members(first["id"])
    threads_before = db.session.scalar(select(func.count()).where(Discussion.group_id == first["id"]))

    attack = json.loads(json.dumps(data).replace('"riverside', '"mallory'))
    attack["people"][0]["email"] = "mallory@evil.example"
    for member in attack["groups"][0]["members"]:
        member["role"] = "admin"
    second = api.post("/group-imports", json=attack, user=root)

    assert second.status_code == 201, second.get_json()
    theirs = second.get_json()["group"]["id"]
    assert theirs != first["id"]
    assert _members(first["id"]) == members_before
    assert user_by_email("mallory@evil.example").id in _members(theirs)
    assert db.session.scalar(select(func.count()).where(Discussion.group_id == first["id"])) == threads_before


def _nested(depth: int) -> str:
    return json.dumps({"format": "platform6-group-export", "format_version": 1, "polls": "@"}).replace(
        '"@"', "[" * depth + "]" * depth
    )


MALFORMED = {
    "nested deeper than the reader reads": _nested(100_000),
    "nested as deep as JSON parses": _nested(900),
    "wrong types": json.dumps({"format": "platform6-group-export", "format_version": 1, "people": "everyone"}),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_a_malformed_file_is_refused_cleanly_and_imports_nothing(app, api, client, login, create_user, tmp_path, name):
    text = MALFORMED[name]
    root = _site_admin(create_user)
    groups_before = db.session.scalar(select(func.count()).select_from(Group))
    path = tmp_path / "export.json"
    path.write_text(text)

    cli = app.test_cli_runner().invoke(args=["import-group", str(path), "--admin", root.email])
    assert cli.exit_code == 1 and "Nothing was imported." in cli.output
    login(root)
    page = client.post("/admin/import-group", data={"file": (io.BytesIO(text.encode()), "export.json")})
    assert page.status_code == 422 and "not a Platform 6 group export" in page.get_data(as_text=True)
    response = api.post("/group-imports", data=text, headers={"Content-Type": "application/json"}, user=root)
    # A body the JSON parser itself gives up on is "not JSON" (400, API.md); anything it reads is checked (422)
    assert response.status_code in (400, 422) and response.get_json()["error"]["code"] in (
        "bad_request",
        "validation_failed",
    )
    assert db.session.scalar(select(func.count()).select_from(Group)) == groups_before
