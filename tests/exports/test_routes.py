"""The settings page's export download and the site admins' import page."""

import io
import json

from sqlalchemy import func, select

from platform6.extensions import db
from platform6.groups.models import Group


def _file(data: dict, name: str = "export.json") -> tuple:
    return io.BytesIO(json.dumps(data).encode()), name


def test_the_settings_page_offers_the_download(client, login, story):
    login(story.admin)
    page = client.get("/groups/riverside/settings").get_data(as_text=True)
    assert "Export this group's data" in page and 'href="/groups/riverside/export"' in page
    response = client.get("/groups/riverside/export")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="riverside-export-')
    assert json.loads(response.data)["group"] == "riverside"


def test_a_member_cannot_download_it(client, login, story):
    login(story.people["bea"])
    assert client.get("/groups/riverside/export").status_code == 403
    login(story.people["cy"])
    assert client.get("/groups/riverside-board/export").status_code == 404


def test_a_site_admin_imports_through_the_page(client, login, story, wipe, create_user):
    login(story.admin)
    data = json.loads(client.get("/groups/riverside/export").data)
    wipe()
    root = create_user(email="root@example.org")
    root.is_site_admin = True
    db.session.commit()
    login(root)
    assert 'href="/admin/import-group"' in client.get("/groups").get_data(as_text=True)
    page = client.get("/admin/import-group")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.get_data(as_text=True)
    response = client.post("/admin/import-group", data={"file": _file(data)}, content_type="multipart/form-data")
    assert response.status_code == 303
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Imported Riverside Co-op (@riverside)" in shown
    assert db.session.scalar(select(Group.name).where(Group.handle == "riverside-board")) == "Riverside board"


def test_a_bad_file_is_shown_on_the_form_and_imports_nothing(client, login, story, create_user):
    login(story.admin)
    data = json.loads(client.get("/groups/riverside/export").data)
    root = create_user()
    root.is_site_admin = True
    db.session.commit()
    login(root)
    before = db.session.scalar(select(func.count()).select_from(Group))
    taken = client.post("/admin/import-group", data={"file": _file(data)}, content_type="multipart/form-data")
    assert taken.status_code == 422
    assert "A group with the handle “riverside” exists already here" in taken.get_data(as_text=True)
    garbage = client.post(
        "/admin/import-group", data={"file": (io.BytesIO(b"\x00garbage"), "x.json")}, content_type="multipart/form-data"
    )
    assert garbage.status_code == 422 and "This is not a Platform 6 group export" in garbage.get_data(as_text=True)
    empty = client.post("/admin/import-group", data={}, content_type="multipart/form-data")
    assert empty.status_code == 422 and "Choose an export file." in empty.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Group)) == before


def test_the_import_page_is_for_site_admins(client, login, story):
    login(story.admin)
    assert client.get("/admin/import-group").status_code == 403
    assert "/admin/import-group" not in client.get("/groups").get_data(as_text=True)
