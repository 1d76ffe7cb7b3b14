"""The Loomio import page: a site admin uploads an export and reads the summary; nobody else may."""

import io

from sqlalchemy import func, select

from platform6.extensions import db
from platform6.groups.models import Group, Membership
from tests.loomio.test_import import EXPORT

URL = "/admin/loomio-import"


def site_admin(create_user):
    user = create_user(name="Site admin")
    user.is_site_admin = True
    db.session.commit()
    return user


def upload(client, data: bytes, **fields):
    return client.post(URL, data={"file": (io.BytesIO(data), "2025-06-30_riverside.json"), **fields})


def groups_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Group))


def test_a_site_admin_imports_an_export_and_sees_the_summary(client, login, create_user):
    admin = login(site_admin(create_user))
    page = client.get(URL)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in text and 'type="file"' in text
    assert "Forgot your password?" in text  # how imported people claim their accounts
    response = upload(client, EXPORT.read_bytes())
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Imported 138, skipped 18" in text
    assert 'href="/groups/riverside-food"' in text
    assert "the timeline is rebuilt" in text and "lines 10, 11, 12, 13, 116" in text
    assert groups_count() == 2
    roles = set(db.session.scalars(select(Membership.role).where(Membership.user_id == admin.id)))
    assert roles == {"admin"}
    again = upload(client, EXPORT.read_bytes())
    assert "Imported 0, skipped 156" in again.get_data(as_text=True) and groups_count() == 2


def test_the_admin_of_the_groups_can_be_someone_else(client, login, create_user):
    login(site_admin(create_user))
    coordinator = create_user(name="Coordinator", email="coordinator@example.org")
    response = upload(client, EXPORT.read_bytes(), admin_email="Coordinator@example.org")
    assert response.status_code == 200
    roles = db.session.scalars(select(Membership.role).where(Membership.user_id == coordinator.id)).all()
    assert roles == ["admin", "admin"]
    unknown = upload(client, EXPORT.read_bytes(), admin_email="nobody@example.org")
    assert unknown.status_code == 422 and "No account has this email" in unknown.get_data(as_text=True)


def test_a_file_that_is_not_an_export_is_shown_on_the_form(client, login, create_user):
    login(site_admin(create_user))
    response = upload(client, b"%PDF-1.7 not an export")
    assert response.status_code == 422
    assert "This is not a Loomio group export" in response.get_data(as_text=True)
    assert groups_count() == 0
    missing = client.post(URL, data={})
    assert missing.status_code == 422 and "Choose the export file." in missing.get_data(as_text=True)


def test_only_site_admins_may_use_the_page(client, login, create_user, create_group):
    anonymous = client.get(URL)
    assert anonymous.status_code == 302 and "/sign-in" in anonymous.headers["Location"]
    group_admin = create_user()
    create_group(admin=group_admin)
    login(group_admin)
    assert client.get(URL).status_code == 403
    assert upload(client, EXPORT.read_bytes()).status_code == 403
    assert groups_count() == 1
