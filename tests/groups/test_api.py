"""API.md "Groups", to the letter: fields, privacy, roles, joining, join requests."""

import pytest

GROUP_FIELDS = {
    "id", "handle", "name", "description", "description_html", "privacy", "parent_id", "members_count", "created_at",
}  # fmt: skip


def test_creating_a_group_makes_the_creator_its_admin(api, create_user):
    me = create_user()
    response = api.post("/groups", {"name": "Leeds Bread Co-op", "description": "We **bake**."}, user=me)
    assert response.status_code == 201
    group = response.get_json()
    assert set(group) >= GROUP_FIELDS
    assert group["privacy"] == "closed"
    assert group["handle"] == "leedsbreadcoop"
    assert group["members_count"] == 1
    assert group["description_html"] == "<p>We <strong>bake</strong>.</p>"
    members = api.get(f"/groups/{group['id']}/members", user=me).get_json()["items"]
    assert [(m["user"]["id"], m["role"]) for m in members] == [(me.id, "admin")]
    assert set(members[0]) >= {"user", "role", "joined_at"}


def test_creating_needs_a_token(api):
    assert api.post("/groups", {"name": "X"}).status_code == 401


def test_group_input_is_validated(api, create_user):
    me = create_user()
    assert api.post("/groups", {"name": ""}, user=me).status_code == 422
    assert api.post("/groups", {"name": "X", "privacy": "public"}, user=me).status_code == 422
    assert api.post("/groups", {"name": "X", "handle": "no spaces"}, user=me).status_code == 422
    assert api.post("/groups", {"name": "X", "parent_id": "1"}, user=me).status_code == 422
    assert api.post("/groups", {"name": "X", "parent_id": 2**53}, user=me).status_code == 422


def test_a_taken_group_handle_is_409(api, create_user):
    me = create_user()
    assert api.post("/groups", {"name": "A", "handle": "bakers"}, user=me).status_code == 201
    assert api.post("/groups", {"name": "B", "handle": "Bakers"}, user=me).status_code == 409


def test_privacy_decides_who_sees_the_group_and_its_members(api, create_user, create_group):
    admin, outsider = create_user(), create_user()
    open_group = create_group(admin=admin, privacy="open")
    closed_group = create_group(admin=admin, privacy="closed")
    secret_group = create_group(admin=admin, privacy="secret")
    for caller in (outsider, None):
        assert api.get(f"/groups/{open_group.id}", user=caller).status_code == 200
        assert api.get(f"/groups/{open_group.id}/members", user=caller).status_code == 200
        assert api.get(f"/groups/{closed_group.id}", user=caller).status_code == 200
        assert api.get(f"/groups/{closed_group.id}/members", user=caller).status_code == 404
        assert api.get(f"/groups/{secret_group.id}", user=caller).status_code == 404
        assert api.get(f"/groups/{secret_group.id}/members", user=caller).status_code == 404
    assert api.get(f"/groups/{secret_group.id}/members", user=admin).status_code == 200


def test_only_admins_change_a_group(api, create_user, create_group):
    admin, member, outsider = create_user(), create_user(), create_user()
    group = create_group(admin=admin, members=[member])
    secret = create_group(admin=admin, privacy="secret")
    assert api.patch(f"/groups/{group.id}", {"name": "New name"}, user=member).status_code == 403
    assert api.patch(f"/groups/{group.id}", {"name": "New name"}, user=outsider).status_code == 403
    assert api.patch(f"/groups/{secret.id}", {"name": "New name"}, user=outsider).status_code == 404
    response = api.patch(f"/groups/{group.id}", {"name": "New name", "privacy": "open"}, user=admin)
    assert response.status_code == 200
    assert response.get_json()["name"] == "New name" and response.get_json()["privacy"] == "open"


def test_subgroups_are_created_by_admins_of_the_parent(api, create_user, create_group):
    admin, member = create_user(), create_user()
    parent = create_group(admin=admin, members=[member])
    assert api.post("/groups", {"name": "Sub", "parent_id": parent.id}, user=member).status_code == 403
    response = api.post("/groups", {"name": "Sub", "parent_id": parent.id}, user=admin)
    assert response.status_code == 201 and response.get_json()["parent_id"] == parent.id


def test_a_secret_parent_is_404_to_outsiders_and_its_subgroups_stay_secret(api, create_user, create_group):
    admin, outsider = create_user(), create_user()
    secret = create_group(admin=admin, privacy="secret")
    assert api.post("/groups", {"name": "Sub", "parent_id": secret.id}, user=outsider).status_code == 404
    assert (
        api.post("/groups", {"name": "Sub", "parent_id": secret.id, "privacy": "open"}, user=admin).status_code == 422
    )


def test_admins_add_members_once(api, create_user, create_group):
    admin, newcomer, member = create_user(), create_user(), create_user()
    group = create_group(admin=admin, members=[member])
    assert api.post(f"/groups/{group.id}/members", {"user_id": newcomer.id}, user=member).status_code == 403
    added = api.post(f"/groups/{group.id}/members", {"user_id": newcomer.id, "role": "admin"}, user=admin)
    assert added.status_code == 201
    body = added.get_json()
    assert body["group_id"] == group.id and body["user"] == {"id": newcomer.id, "name": newcomer.name}
    assert body["role"] == "admin"
    again = api.post(f"/groups/{group.id}/members", {"user_id": newcomer.id}, user=admin)
    assert again.status_code == 409
    assert api.get(f"/groups/{group.id}", user=admin).get_json()["members_count"] == 3
    assert api.post(f"/groups/{group.id}/members", {"user_id": 999999}, user=admin).status_code == 404
    assert (
        api.post(f"/groups/{group.id}/members", {"user_id": newcomer.id, "role": "owner"}, user=admin).status_code
        == 422
    )


def test_roles_change_but_never_leave_a_group_without_an_admin(api, create_user, create_group):
    admin, member = create_user(), create_user()
    group = create_group(admin=admin, members=[member])
    demote_last = api.patch(f"/groups/{group.id}/members/{admin.id}", {"role": "member"}, user=admin)
    assert demote_last.status_code == 409
    promoted = api.patch(f"/groups/{group.id}/members/{member.id}", {"role": "admin"}, user=admin)
    assert promoted.status_code == 200 and promoted.get_json()["role"] == "admin"
    assert api.patch(f"/groups/{group.id}/members/{admin.id}", {"role": "member"}, user=admin).status_code == 200
    assert api.patch(f"/groups/{group.id}/members/{admin.id}", {"role": "admin"}, user=admin).status_code == 403


def test_members_leave_admins_remove_and_the_last_admin_stays(api, create_user, create_group):
    admin, member, other = create_user(), create_user(), create_user()
    group = create_group(admin=admin, members=[member, other])
    assert api.delete(f"/groups/{group.id}/members/{other.id}", user=member).status_code == 403
    assert api.delete(f"/groups/{group.id}/members/{member.id}", user=member).status_code == 204
    assert api.delete(f"/groups/{group.id}/members/{other.id}", user=admin).status_code == 204
    last = api.delete(f"/groups/{group.id}/members/{admin.id}", user=admin)
    assert last.status_code == 409 and last.get_json()["error"]["code"] == "conflict"
    assert api.get(f"/groups/{group.id}", user=admin).get_json()["members_count"] == 1
    assert api.delete(f"/groups/{group.id}/members/{member.id}", user=admin).status_code == 404


def test_joining_an_open_group_is_immediate(api, create_user, create_group):
    group = create_group(privacy="open")
    me = create_user()
    response = api.post(f"/groups/{group.id}/join", user=me)
    assert response.status_code == 201
    assert response.get_json()["user"]["id"] == me.id and response.get_json()["role"] == "member"
    assert api.post(f"/groups/{group.id}/join", user=me).status_code == 409


def test_joining_a_closed_group_asks_its_admins(api, create_user, create_group):
    admin = create_user()
    group = create_group(admin=admin, privacy="closed")
    me = create_user()
    response = api.post(f"/groups/{group.id}/join", {"introduction": "I bake sourdough."}, user=me)
    assert response.status_code == 202
    pending = response.get_json()
    assert pending["state"] == "pending" and isinstance(pending["id"], int)
    assert api.get(f"/groups/{group.id}/members", user=me).status_code == 404
    notes = api.get("/notifications", user=admin).get_json()["items"]
    assert [n["kind"] for n in notes] == ["join_request"]
    approved = api.post(f"/groups/{group.id}/join-requests/{pending['id']}/approve", user=admin)
    assert approved.status_code == 201 and approved.get_json()["user"]["id"] == me.id
    assert api.get(f"/groups/{group.id}/members", user=me).status_code == 200
    assert [n["kind"] for n in api.get("/notifications", user=me).get_json()["items"]] == ["join_approved"]
    again = api.post(f"/groups/{group.id}/join-requests/{pending['id']}/approve", user=admin)
    assert again.status_code == 409


def test_only_admins_decide_join_requests(api, create_user, create_group):
    admin, member, me = create_user(), create_user(), create_user()
    group = create_group(admin=admin, members=[member])
    request_id = api.post(f"/groups/{group.id}/join", user=me).get_json()["id"]
    assert api.post(f"/groups/{group.id}/join-requests/{request_id}/approve", user=member).status_code == 403
    assert api.post(f"/groups/{group.id}/join-requests/{request_id}/approve", user=me).status_code == 403
    declined = api.post(f"/groups/{group.id}/join-requests/{request_id}/decline", user=admin)
    assert declined.get_json()["state"] == "declined"
    assert api.post(f"/groups/{group.id}/join-requests/999999/approve", user=admin).status_code == 404


def test_a_secret_group_cannot_be_joined_or_even_found(api, create_user, create_group):
    secret = create_group(privacy="secret")
    assert api.post(f"/groups/{secret.id}/join", user=create_user()).status_code == 404


def test_invitation_links_let_people_join_until_revoked(api, create_user, create_group):
    admin, guest, late = create_user(), create_user(), create_user()
    group = create_group(admin=admin, privacy="secret")
    link = api.post(f"/groups/{group.id}/invitations", {"days": 7}, user=admin)
    assert link.status_code == 201
    token = link.get_json()["token"]
    joined = api.post(f"/invitations/{token}/accept", user=guest)
    assert joined.status_code == 201 and joined.get_json()["group_id"] == group.id
    assert api.delete(f"/groups/{group.id}/invitations/{link.get_json()['id']}", user=admin).status_code == 204
    assert api.post(f"/invitations/{token}/accept", user=late).status_code == 404


def test_expired_invitations_do_not_work(api, app, create_user, create_group):
    from datetime import timedelta

    from platform6.extensions import db
    from platform6.groups.models import Invitation

    admin = create_user()
    group = create_group(admin=admin)
    token = api.post(f"/groups/{group.id}/invitations", user=admin).get_json()["token"]
    invitation = db.session.scalar(db.select(Invitation))
    invitation.expires_at -= timedelta(days=30)
    db.session.commit()
    assert api.post(f"/invitations/{token}/accept", user=create_user()).status_code == 404


@pytest.mark.parametrize("limit", [1, 2])
def test_member_lists_page_with_an_opaque_cursor(api, create_user, create_group, limit):
    admin = create_user()
    members = [create_user() for _ in range(4)]
    group = create_group(admin=admin, members=members)
    seen, cursor = [], None
    while True:
        path = f"/groups/{group.id}/members?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        page = api.get(path, user=admin).get_json()
        assert len(page["items"]) <= limit
        seen += [item["user"]["id"] for item in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == [admin.id] + [m.id for m in members]


def test_bad_paging_arguments_are_422(api, create_user, create_group):
    admin = create_user()
    group = create_group(admin=admin)
    for query in ("limit=0", "limit=201", "limit=abc", "cursor=garbage", "cursor=WzEsMl0"):
        response = api.get(f"/groups/{group.id}/members?{query}", user=admin)
        assert response.status_code == 422, query
        assert response.get_json()["error"]["code"] == "validation_failed"


def test_join_requests_page_like_every_list(api, create_user, create_group):
    """API.md's lists take `?limit=` and hand a `next` cursor to the following page."""
    admin, first_asker, second_asker = create_user(), create_user(), create_user()
    group = create_group(admin=admin, privacy="closed")
    for asker in (first_asker, second_asker):
        assert api.post(f"/groups/{group.id}/join", user=asker).status_code == 202
    page = api.get(f"/groups/{group.id}/join-requests?limit=1", user=admin).get_json()
    assert [r["user"]["id"] for r in page["items"]] == [first_asker.id] and page["next"]
    rest = api.get(f"/groups/{group.id}/join-requests?cursor={page['next']}", user=admin).get_json()
    assert [r["user"]["id"] for r in rest["items"]] == [second_asker.id] and rest["next"] is None


def test_adding_a_member_that_races_past_the_check_still_answers_409(api, create_user, create_group, monkeypatch):
    """Two admins add one person at once: the unique membership decides, and the loser gets 409."""
    from platform6.groups import service

    admin, member = create_user(), create_user()
    group = create_group(admin=admin, members=[member])
    monkeypatch.setattr(service, "_membership_of", lambda group, user_id: None)  # the other add not yet committed
    response = api.post(f"/groups/{group.id}/members", {"user_id": member.id}, user=admin)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
    assert api.get(f"/groups/{group.id}", user=admin).get_json()["members_count"] == 2


def test_a_group_handle_that_races_past_the_check_still_answers_409(api, create_user, create_group, monkeypatch):
    from platform6.groups import service

    admin = create_user()
    create_group(admin=admin, handle="bakers")
    monkeypatch.setattr(service, "handle_taken", lambda handle: False)  # the other group not yet committed
    response = api.post("/groups", {"name": "Bakers", "handle": "bakers"}, user=admin)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
