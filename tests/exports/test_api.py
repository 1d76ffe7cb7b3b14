"""GET /groups/{id}/export for a group's admins; POST /group-imports for site admins."""

import json

from sqlalchemy import func, select

from platform6.extensions import db
from platform6.groups.models import Group


def _as_copy(data: dict) -> dict:
    """The same file with every group handle changed, so it imports next to the original."""
    text = json.dumps(data)
    for group in data["groups"]:
        text = text.replace(f'"{group["handle"]}"', f'"{group["handle"]}-copy"')
    return json.loads(text)


def _groups() -> int:
    return db.session.scalar(select(func.count()).select_from(Group))


def test_an_admin_downloads_the_export(api, story):
    response = api.get(f"/groups/{story.group.id}/export", user=story.admin)
    assert response.status_code == 200
    data = response.get_json()
    assert data["format_version"] == 1 and data["group"] == "riverside"
    assert [g["handle"] for g in data["groups"]] == ["riverside", "riverside-board"]


def test_members_and_outsiders_do_not(api, story, create_user):
    assert api.get(f"/groups/{story.group.id}/export", user=story.people["bea"]).status_code == 403
    outsider = create_user()
    assert api.get(f"/groups/{story.subgroup.id}/export", user=outsider).get_json()["error"]["code"] == "not_found"
    assert api.get(f"/groups/{story.group.id}/export").status_code == 401
    assert api.get("/groups/999999/export", user=story.admin).status_code == 404


def test_a_site_admin_imports_a_file(api, story, create_user):
    data = api.get(f"/groups/{story.group.id}/export", user=story.admin).get_json()
    site_admin = create_user()
    site_admin.is_site_admin = True
    db.session.commit()
    response = api.post("/group-imports", json=_as_copy(data), user=site_admin)
    assert response.status_code == 201, response.get_json()
    summary = response.get_json()
    assert summary["group"]["handle"] == "riverside-copy" and summary["people_existing"] == 4
    copy = db.session.get(Group, summary["group"]["id"])
    threads = api.get(f"/groups/{copy.id}/discussions", user=story.people["bea"]).get_json()["items"]
    assert [t["title"] for t in threads] == ["Solar panels"]
    again = api.post("/group-imports", json=_as_copy(data), user=site_admin)
    assert again.status_code == 409 and "riverside-copy" in again.get_json()["error"]["message"]


def test_a_bad_file_answers_422_and_imports_nothing(api, story, create_user):
    data = _as_copy(api.get(f"/groups/{story.group.id}/export", user=story.admin).get_json())
    data["polls"][0]["votes"][0]["choices"] = {"nonsense": 1}
    site_admin = create_user()
    site_admin.is_site_admin = True
    db.session.commit()
    before = _groups()
    response = api.post("/group-imports", json=data, user=site_admin)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed" and "polls.0.votes.0" in error["message"]
    wrong_shape = api.post("/group-imports", json={"format": "zip"}, user=site_admin)
    assert wrong_shape.status_code == 422 and "format" in wrong_shape.get_json()["error"]["fields"]
    assert _groups() == before


def test_only_site_admins_import(api, story):
    response = api.post("/group-imports", json={}, user=story.admin)
    assert response.status_code == 403
