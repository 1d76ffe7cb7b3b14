"""The group pages: who sees what, every action through its form, and the form errors people see."""

from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from platform6.accounts.models import User
from platform6.extensions import db
from platform6.groups import service
from platform6.groups.models import Group, Invitation, JoinRequest, Membership
from platform6.groups.permissions import forget_memberships
from platform6.timeutil import utcnow


def text_of(response) -> str:
    return response.get_data(as_text=True)


def member_roles(group) -> dict[str, str]:
    db.session.expire_all()
    rows = db.session.execute(
        select(User.handle, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.group_id == group.id)
    )
    return dict(rows.all())


@pytest.fixture
def people(create_user):
    return {key: create_user(name=key.title(), handle=key) for key in ("ada", "ben", "cy", "dee")}


# Directory and the group page


def test_directory_lists_open_and_closed_groups_but_not_secret_ones(client, create_group):
    create_group(name="Open Bakers", privacy="open", description="We bake **bread**.")
    create_group(name="Closed Printers", privacy="closed")
    create_group(name="Hidden Cabal", privacy="secret")
    page = text_of(client.get("/groups"))
    assert "Open Bakers" in page and "We bake bread." in page
    assert "Closed Printers" in page
    assert "Hidden Cabal" not in page


def test_group_page_shows_description_members_with_roles_subgroups_and_count(client, login, people, create_group):
    group = create_group(
        admin=people["ada"], privacy="open", members=[people["ben"]], name="Bakers", description="We *bake*."
    )
    create_group(admin=people["ada"], name="Rye Team", parent_id=group.id, privacy="closed")
    create_group(admin=people["ada"], name="Secret Ovens", parent_id=group.id, privacy="secret")
    page = text_of(client.get("/groups/bakers"))
    assert "<em>bake</em>" in page
    assert "2 members" in page
    assert "Ada" in page and "Ben" in page and ">admin<" in page
    assert "Rye Team" in page and "Secret Ovens" not in page
    assert "Create an account" in page  # an anonymous visitor is told how to join
    login(people["ada"])
    page = text_of(client.get("/groups/bakers"))
    assert "Secret Ovens" in page and "New subgroup" in page and "Settings" in page


def test_unknown_and_secret_groups_are_404_to_outsiders(client, login, people, create_group):
    create_group(admin=people["ada"], privacy="secret", name="Cabal", handle="cabal")
    paths = ["/groups/cabal", "/groups/cabal/members", "/groups/nope", "/groups/new?parent=cabal"]
    for path in paths[:3]:
        assert client.get(path).status_code == 404, path
    login(people["ben"])
    for path in [*paths, "/groups/cabal/settings", "/groups/cabal/join-requests", "/groups/cabal/invitations"]:
        assert client.get(path).status_code == 404, path
    for path in ["/groups/cabal/join", "/groups/cabal/leave", "/groups/cabal/members", "/groups/cabal/settings"]:
        assert client.post(path, data={"name": "x", "who": "ben"}).status_code == 404, path
    assert "Cabal" not in text_of(client.get("/groups"))


def test_a_closed_groups_members_are_for_members_only(client, login, people, create_group):
    create_group(admin=people["ada"], privacy="closed", name="Printers", handle="printers", members=[people["ben"]])
    login(people["cy"])
    page = text_of(client.get("/groups/printers"))
    assert "Printers" in page and "Ben" not in page and "Only members see who is in" in page
    assert client.get("/groups/printers/members").status_code == 404
    login(people["ben"])
    assert "Ada" in text_of(client.get("/groups/printers/members"))


def test_admin_pages_are_403_for_members(client, login, people, create_group):
    create_group(admin=people["ada"], privacy="closed", handle="printers", members=[people["ben"]])
    login(people["ben"])
    for path in ["/groups/printers/settings", "/groups/printers/join-requests", "/groups/printers/invitations"]:
        assert client.get(path).status_code == 403, path
    assert client.post("/groups/printers/members", data={"who": "cy"}).status_code == 403


# Joining and leaving


def test_anyone_joins_an_open_group_with_one_button(client, login, people, create_group):
    group = create_group(admin=people["ada"], privacy="open", handle="bakers")
    login(people["ben"])
    response = client.post("/groups/bakers/join", follow_redirects=True)
    assert "Welcome to" in text_of(response)
    assert member_roles(group)["ben"] == "member"
    assert "you are a member" in text_of(client.get("/groups/bakers"))


def test_asking_to_join_a_closed_group_then_the_admin_approves(client, login, people, create_group):
    group = create_group(admin=people["ada"], privacy="closed", handle="printers")
    login(people["ben"])
    response = client.post("/groups/printers/join", data={"introduction": "I print zines."}, follow_redirects=True)
    assert "Your request is with the group" in text_of(response)
    assert "Your request is waiting" in text_of(client.get("/groups/printers"))
    assert "ben" not in member_roles(group)

    login(people["ada"])
    assert "1 join request" in text_of(client.get("/groups/printers"))
    page = text_of(client.get("/groups/printers/join-requests"))
    assert "Ben" in page and "I print zines." in page
    request_id = db.session.scalar(select(JoinRequest.id))
    response = client.post(f"/groups/printers/join-requests/{request_id}/approve", follow_redirects=True)
    assert "Approved" in text_of(response)
    assert member_roles(group)["ben"] == "member"
    again = client.post(f"/groups/printers/join-requests/{request_id}/approve", follow_redirects=True)
    assert "approved already" in text_of(again)


def test_an_admin_declines_a_join_request(client, login, people, create_group):
    group = create_group(admin=people["ada"], privacy="closed", handle="printers")
    service.join(actor=people["ben"], group=group, introduction="hello")
    db.session.commit()
    request_id = db.session.scalar(select(JoinRequest.id))
    login(people["cy"])
    assert client.post(f"/groups/printers/join-requests/{request_id}/decline").status_code == 403
    login(people["ada"])
    response = client.post(f"/groups/printers/join-requests/{request_id}/decline", follow_redirects=True)
    assert "Declined" in text_of(response) and "No requests are waiting" in text_of(response)
    assert db.session.get(JoinRequest, request_id).state == "declined"
    assert client.post("/groups/printers/join-requests/999/decline").status_code == 404


def test_an_introduction_that_is_too_long_is_a_form_error(client, login, people, create_group):
    create_group(admin=people["ada"], privacy="closed", handle="printers")
    login(people["ben"])
    response = client.post("/groups/printers/join", data={"introduction": "x" * 2001})
    assert response.status_code == 422
    assert "Field cannot be longer than 2000 characters." in text_of(response)
    assert db.session.scalar(select(JoinRequest.id)) is None


def test_joining_twice_is_a_clear_message_not_an_error_page(client, login, people, create_group):
    create_group(admin=people["ada"], privacy="open", handle="bakers")
    login(people["ada"])
    response = client.post("/groups/bakers/join", follow_redirects=True)
    assert response.status_code == 200 and "You are a member already." in text_of(response)


def test_a_member_leaves_but_the_last_admin_cannot(client, login, people, create_group):
    group = create_group(admin=people["ada"], privacy="open", handle="bakers", members=[people["ben"]])
    login(people["ben"])
    response = client.post("/groups/bakers/leave", follow_redirects=True)
    assert "You left" in text_of(response)
    assert "ben" not in member_roles(group)
    login(people["ada"])
    response = client.post("/groups/bakers/leave", follow_redirects=True)
    assert "The last admin cannot leave" in text_of(response)
    assert member_roles(group)["ada"] == "admin"


# Creating groups and subgroups


def test_create_a_group_through_the_form(client, login, people):
    assert client.get("/groups/new").status_code == 302  # sign in first
    login(people["ada"])
    assert client.get("/groups/new").status_code == 200
    response = client.post("/groups/new", data={"name": "Kirklees Bakers", "description": "Bread.", "privacy": "open"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/groups/kirkleesbakers")
    group = db.session.scalar(select(Group).where(Group.handle == "kirkleesbakers"))
    assert group.privacy == "open" and member_roles(group) == {"ada": "admin"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "privacy": "open"}, "Give the group a name."),
        ({"name": "Bakers", "handle": "!!", "privacy": "open"}, "Use 2 to 40 letters"),
        ({"name": "Bakers", "handle": "taken", "privacy": "open"}, "Taken; choose another."),
        ({"name": "Bakers", "privacy": "public"}, "Not a valid choice"),
    ],
)
def test_create_group_form_errors(client, login, people, create_group, data, message):
    create_group(admin=people["ben"], handle="taken")
    login(people["ada"])
    response = client.post("/groups/new", data=data)
    assert response.status_code == 422
    assert message in text_of(response)


def test_subgroups_are_for_the_parents_admins_or_members_where_allowed(client, login, people, create_group):
    parent = create_group(admin=people["ada"], privacy="closed", handle="network", members=[people["ben"]])
    login(people["ben"])
    assert "New subgroup" not in text_of(client.get("/groups/network"))
    assert client.get("/groups/new?parent=network").status_code == 403
    assert client.post("/groups/new?parent=network", data={"name": "Sub", "privacy": "closed"}).status_code == 403
    service.update_group(actor=people["ada"], group=parent, settings={"members_can_create_subgroups": True})
    db.session.commit()
    assert "New subgroup" in text_of(client.get("/groups/network"))
    response = client.post("/groups/new?parent=network", data={"name": "Sub", "privacy": "closed"})
    assert response.status_code == 302
    sub = db.session.scalar(select(Group).where(Group.handle == "sub"))
    assert sub.parent_id == parent.id
    assert "Sub" in text_of(client.get("/groups/network"))


def test_a_subgroup_of_a_secret_group_must_be_secret(client, login, people, create_group):
    create_group(admin=people["ada"], privacy="secret", handle="cabal")
    login(people["ada"])
    page = text_of(client.get("/groups/new?parent=cabal"))
    assert 'value="secret" checked' in page or 'checked id="privacy-2"' in page or "checked" in page
    response = client.post("/groups/new?parent=cabal", data={"name": "Sub", "privacy": "open"})
    assert response.status_code == 422
    assert "A subgroup of a secret group must be secret too." in text_of(response)


# Settings


def test_admins_change_the_groups_settings(client, login, people, create_group):
    group = create_group(admin=people["ada"], privacy="closed", handle="printers")
    login(people["ada"])
    page = text_of(client.get("/groups/printers/settings"))
    assert "Members can create subgroups" in page
    response = client.post(
        "/groups/printers/settings",
        data={
            "name": "Zine Printers",
            "description": "We print **zines**.",
            "privacy": "open",
            "members_can_add_members": "y",
            "members_can_create_subgroups": "y",
        },
        follow_redirects=True,
    )
    assert "settings are saved" in text_of(response) and "<strong>zines</strong>" in text_of(response)
    db.session.expire_all()
    group = db.session.get(Group, group.id)
    assert (group.name, group.privacy) == ("Zine Printers", "open")
    assert group.members_can_add_members and group.members_can_create_subgroups
    assert not group.members_can_start_discussions and not group.members_can_raise_polls


def test_group_settings_form_errors(client, login, people, create_group):
    create_group(admin=people["ada"], privacy="closed", handle="printers")
    login(people["ada"])
    response = client.post("/groups/printers/settings", data={"name": "  ", "privacy": "closed"})
    assert response.status_code == 422 and "Give the group a name." in text_of(response)


# Members


def test_an_admin_adds_members_by_handle_or_email(client, login, people, create_group):
    group = create_group(admin=people["ada"], privacy="closed", handle="printers")
    login(people["ada"])
    response = client.post("/groups/printers/members", data={"who": "@ben", "role": "member"}, follow_redirects=True)
    assert "Ben is now a member" in text_of(response)
    client.post("/groups/printers/members", data={"who": people["cy"].email.upper(), "role": "admin"})
    assert member_roles(group) == {"ada": "admin", "ben": "member", "cy": "admin"}


@pytest.mark.parametrize(
    ("who", "message"),
    [("", "Type a handle or an email."), ("nobody", "No one on Platform 6 has that handle or email."),
     ("ben", "Already a member of this group.")],
)  # fmt: skip
def test_adding_a_member_shows_form_errors(client, login, people, create_group, who, message):
    create_group(admin=people["ada"], privacy="closed", handle="printers", members=[people["ben"]])
    login(people["ada"])
    response = client.post("/groups/printers/members", data={"who": who, "role": "member"})
    assert response.status_code == 422 and message in text_of(response)


def test_members_add_members_only_where_the_group_allows_and_never_make_admins(client, login, people, create_group):
    group = create_group(admin=people["ada"], privacy="closed", handle="printers", members=[people["ben"]])
    login(people["ben"])
    assert "Add a member" not in text_of(client.get("/groups/printers/members"))
    service.update_group(actor=people["ada"], group=group, settings={"members_can_add_members": True})
    db.session.commit()
    assert "Add a member" in text_of(client.get("/groups/printers/members"))
    assert client.post("/groups/printers/members", data={"who": "cy", "role": "member"}).status_code == 303
    refused = client.post("/groups/printers/members", data={"who": "dee", "role": "admin"})
    assert refused.status_code == 403 and "Only the group" in text_of(refused)
    assert member_roles(group) == {"ada": "admin", "ben": "member", "cy": "member"}


def test_an_admin_promotes_demotes_and_removes(client, login, people, create_group):
    group = create_group(
        admin=people["ada"], privacy="closed", handle="printers", members=[people["ben"], people["cy"]]
    )
    ben, cy = people["ben"].id, people["cy"].id
    login(people["ada"])
    response = client.post(f"/groups/printers/members/{ben}/role", data={"role": "admin"}, follow_redirects=True)
    assert "Ben is now an admin" in text_of(response)
    client.post(f"/groups/printers/members/{ben}/role", data={"role": "member"})
    response = client.post(f"/groups/printers/members/{cy}/remove", follow_redirects=True)
    assert "Cy is no longer a member" in text_of(response)
    assert member_roles(group) == {"ada": "admin", "ben": "member"}
    assert client.post(f"/groups/printers/members/{cy}/remove").status_code == 404
    assert client.post(f"/groups/printers/members/{ben}/role", data={"role": "boss"}).status_code == 303


def test_the_last_admin_cannot_be_demoted_and_it_says_why(client, login, people, create_group):
    group = create_group(admin=people["ada"], privacy="closed", handle="printers")
    login(people["ada"])
    response = client.post(f"/groups/printers/members/{people['ada'].id}/role", data={"role": "member"})
    assert response.status_code == 303
    page = text_of(client.get(response.headers["Location"]))
    assert "A group needs at least one admin" in page
    assert member_roles(group) == {"ada": "admin"}


def test_members_cannot_manage_members(client, login, people, create_group):
    group = create_group(admin=people["ada"], privacy="closed", handle="printers", members=[people["ben"]])
    login(people["ben"])
    page = text_of(client.get("/groups/printers/members"))
    assert "Make admin" not in page and "Remove" not in page
    assert client.post(f"/groups/printers/members/{people['ben'].id}/role", data={"role": "admin"}).status_code == 403
    assert client.post(f"/groups/printers/members/{people['ada'].id}/remove").status_code == 403
    assert member_roles(group) == {"ada": "admin", "ben": "member"}


def test_the_members_page_pages_through_long_lists(client, login, people, create_group):
    group = create_group(admin=people["ada"], privacy="open", handle="bakers")
    add_bulk_members(group, 120)
    first = text_of(client.get("/groups/bakers/members"))
    assert "121 members" in first and "Next" in first
    second = text_of(client.get("/groups/bakers/members?page=2"))
    assert "Previous" in second and "Next" not in second
    assert client.get("/groups/bakers/members?page=abc").status_code == 200


# Invitation links


def test_invitation_link_round_trip(app, client, login, people, create_group):
    group = create_group(admin=people["ada"], privacy="closed", handle="printers")
    login(people["ada"])
    response = client.post("/groups/printers/invitations", data={"days": "7"})
    assert response.status_code == 200
    page = text_of(response)
    assert "it is shown only once" in page and 'data-copy="invitation-link"' in page
    link = page.split('id="invitation-link" type="text" readonly value="')[1].split('"')[0]
    path = link.replace("http://localhost", "")
    assert path.startswith("/invitations/")
    assert link not in text_of(client.get("/groups/printers/invitations"))  # shown once
    assert "used 0 times" in text_of(client.get("/groups/printers/invitations"))

    client.post("/sign-out")
    page = text_of(client.get(path))
    assert "You are invited to join" in page and "Create an account" in page
    assert f"/sign-up?next={path.replace('/', '%2F')}" in page or f"next={path}" in page
    response = client.post(
        f"/sign-up?next={path}", data={"name": "Eve", "email": "eve@example.org", "password": "long enough"}
    )
    assert response.headers["Location"].endswith(path)
    assert "Join" in text_of(client.get(path))
    response = client.post(path, follow_redirects=True)
    assert "Welcome to" in text_of(response)
    assert member_roles(group)["eve"] == "member"
    assert "You are a member already" in text_of(client.get(path))


def test_invitation_form_errors_and_revoking(client, login, people, create_group):
    create_group(admin=people["ada"], privacy="closed", handle="printers")
    login(people["ada"])
    for days in ("0", "91", "", "soon"):
        response = client.post("/groups/printers/invitations", data={"days": days})
        assert response.status_code == 422, days
    assert "Choose 1 to 90 days." in text_of(client.post("/groups/printers/invitations", data={"days": "100"}))
    client.post("/groups/printers/invitations", data={"days": "3"})
    invitation = db.session.scalar(select(Invitation))
    response = client.post(f"/groups/printers/invitations/{invitation.id}/revoke", follow_redirects=True)
    assert "The link no longer works." in text_of(response)
    assert "No invitation links" in text_of(response)


def test_revoked_expired_and_made_up_links_are_404(client, login, people, create_group):
    group = create_group(admin=people["ada"], privacy="secret", handle="cabal")
    revoked, revoked_token = service.create_invitation(actor=people["ada"], group=group, days=3)
    expired, expired_token = service.create_invitation(actor=people["ada"], group=group, days=3)
    service.revoke_invitation(actor=people["ada"], group=group, invitation_id=revoked.id)
    expired.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    login(people["ben"])
    for token in (revoked_token, expired_token, "made-up"):
        response = client.get(f"/invitations/{token}")
        assert response.status_code == 404
        assert "expired or was revoked" in text_of(response)
        assert client.post(f"/invitations/{token}").status_code == 404
    assert "ben" not in member_roles(group)


def test_a_secret_groups_invitation_shows_the_group_to_whoever_holds_the_link(client, login, people, create_group):
    group = create_group(admin=people["ada"], privacy="secret", handle="cabal", name="The Cabal")
    _, token = service.create_invitation(actor=people["ada"], group=group, days=3)
    db.session.commit()
    login(people["ben"])
    assert "The Cabal" in text_of(client.get(f"/invitations/{token}"))
    client.post(f"/invitations/{token}")
    assert client.get("/groups/cabal").status_code == 200


# SQL queries of the group page


def add_bulk_members(group, n: int) -> None:
    """n members in a few statements (no password hashing, no notifications)."""
    start = db.session.scalar(select(db.func.count(User.id)))
    db.session.execute(
        insert(User),
        [
            {"email": f"bulk{start + i}@example.org", "name": f"Bulk {start + i}", "handle": f"bulk{start + i}",
             "password_hash": "x"}
            for i in range(n)
        ],
    )  # fmt: skip
    ids = db.session.scalars(select(User.id).where(User.handle.like("bulk%"))).all()
    existing = set(db.session.scalars(select(Membership.user_id).where(Membership.group_id == group.id)))
    new = [uid for uid in ids if uid not in existing]
    db.session.execute(insert(Membership), [{"group_id": group.id, "user_id": uid, "role": "member"} for uid in new])
    db.session.execute(
        db.update(Group).where(Group.id == group.id).values(members_count=Group.members_count + len(new))
    )
    db.session.commit()


def test_the_group_page_runs_as_many_queries_for_1000_members_as_for_10(client, login, people, create_group, queries):
    group = create_group(admin=people["ada"], privacy="open", handle="bakers")
    create_group(admin=people["ada"], name="Sub", parent_id=group.id)
    login(people["ada"])
    add_bulk_members(group, 9)
    # Requests in tests share the fixture's app context, so `g`'s membership cache outlives a request.
    forget_memberships()
    with queries() as small:
        assert "10 members" in text_of(client.get("/groups/bakers"))
    add_bulk_members(group, 990)
    forget_memberships()
    with queries() as large:
        page = text_of(client.get("/groups/bakers"))
    assert "1,000 members" in page and "See all 1,000 members" in page
    assert len(large) == len(small) <= 12


# Service bugs found while building the pages, fixed in the service


def test_a_request_made_while_closed_is_settled_when_the_person_joins_the_group_once_open(
    client, login, people, create_group
):
    group = create_group(admin=people["ada"], privacy="closed", handle="printers")
    service.join(actor=people["ben"], group=group, introduction="hello")
    service.update_group(actor=people["ada"], group=group, privacy="open")
    db.session.commit()
    login(people["ben"])
    client.post("/groups/printers/join")
    login(people["ada"])
    assert "No requests are waiting" in text_of(client.get("/groups/printers/join-requests"))


def test_an_invitation_of_zero_days_is_refused(people, create_group):
    from platform6.errors import ValidationFailed

    group = create_group(admin=people["ada"], privacy="closed")
    with pytest.raises(ValidationFailed):
        service.create_invitation(actor=people["ada"], group=group, days=0)
