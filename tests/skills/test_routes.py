"""Skills board pages: onboarding after joining, profile, posting, applying, deciding, completing."""

from platform6.extensions import db
from platform6.skills import queries


def test_joining_an_open_group_sends_you_to_the_skills_onboarding_once(client, login, create_user, create_group):
    group = create_group(privacy="open")
    me = login(create_user())
    response = client.post(f"/groups/{group.handle}/join")
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/skills/onboarding?group={group.handle}"
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Welcome to {group.name}" in page and 'list="skill-names"' in page
    saved = client.post(
        f"/skills/onboarding?group={group.handle}",
        data={"skills-0-name": "Video Editors", "skills-0-level": "4", "languages": "en, Italian", "remote_ok": "y"},
    )
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/groups/{group.handle}")
    assert [(r.skill.name, r.level) for r in queries.profile_skills(me.id)] == [("Video editing", 4)]
    other = create_group(privacy="open")
    assert client.post(f"/groups/{other.handle}/join").headers["Location"].endswith(f"/groups/{other.handle}")


def test_skipping_onboarding_stops_the_redirect(client, login, create_user, create_group):
    first, second = create_group(privacy="open"), create_group(privacy="open")
    me = login(create_user())
    client.post(f"/groups/{first.handle}/join")
    assert client.post(f"/skills/onboarding/skip?group={first.handle}").status_code == 302
    assert queries.profile_of(me.id) is not None
    assert client.post(f"/groups/{second.handle}/join").headers["Location"].endswith(f"/groups/{second.handle}")


def test_profile_errors_show_on_the_form(client, login, create_user):
    login(create_user())
    response = client.post(
        "/skills/profile",
        data={
            "skills-0-name": "Cooking",
            "skills-0-level": "3",
            "skills-1-name": "cooks",
            "skills-1-level": "2",
            "languages": "??",
        },
    )
    assert response.status_code == 422


def test_post_apply_accept_complete_through_pages(client, login, create_user, create_group, set_profile):
    admin, vol = create_user(name="Admin"), create_user(name="Vol")
    set_profile(vol, [("Mastodon", 4)])
    group = create_group(admin=admin, members=[vol], privacy="open")
    login(admin)
    assert client.get(f"/groups/{group.handle}/requests/new").status_code == 200
    response = client.post(
        f"/groups/{group.handle}/requests/new",
        data={"title": "Mastodon for us", "skills-0-name": "mastodon", "skills-0-level": "3", "skills-0-required": "y",
              "volunteers_needed": "1", "remote_ok": "y", "deadline": "2099-01-01"},
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    rid = int(response.headers["Location"].rsplit("/", 1)[1])
    login(vol)
    page = client.get(f"/skills/requests/{rid}").get_data(as_text=True)
    assert "Mastodon for us" in page and "Apply" in page
    assert client.post(f"/skills/requests/{rid}/apply", data={"message": "Happy to"}).status_code == 302
    assert "You applied" in client.get(f"/skills/requests/{rid}").get_data(as_text=True)
    login(admin)
    page = client.get(f"/skills/requests/{rid}").get_data(as_text=True)
    assert "Accept Vol" in page
    application = queries.applications_of(queries.request_by_id(rid))[0]
    client.post(f"/skills/applications/{application.id}/accept")
    db.session.expire_all()
    assert queries.request_by_id(rid).state == "assigned"
    client.post(
        f"/skills/requests/{rid}/complete",
        data={f"done-{vol.id}": "y", f"hours-{vol.id}": "2.5", "endorse": "Mastodon"},
    )
    db.session.expire_all()
    assert queries.request_by_id(rid).state == "completed"
    assert queries.member_impact(vol.id)["hours"] == 2.5
    login(vol)
    assert "endorsed ×1" in client.get(f"/skills/people/{vol.id}").get_data(as_text=True)


def test_pages_render_with_a_constant_number_of_queries(
    client, login, create_user, create_group, set_profile, post_request, queries
):
    admin = create_user()
    group = create_group(admin=admin, privacy="open")
    login(admin)
    set_profile(admin, [("Video editing", 3)])

    def count(path):
        db.session.expire_all()
        with queries() as q:
            assert client.get(path).status_code == 200
        return len(q)

    other = create_user()
    from platform6.groups.service import add_member

    add_member(actor=admin, group=group, user_id=other.id)
    db.session.commit()
    post_request(other, group)
    before = [count(p) for p in ("/skills", "/skills/directory", f"/groups/{group.handle}/skills", "/dashboard")]
    for _ in range(5):
        post_request(other, group, skills=(("Video editing", 2, True), ("Italian", 1, False)))
    after = [count(p) for p in ("/skills", "/skills/directory", f"/groups/{group.handle}/skills", "/dashboard")]
    assert before == after


def test_closed_group_request_pages_are_404_to_outsiders(client, login, create_user, create_group, post_request):
    admin = create_user()
    group = create_group(admin=admin, privacy="closed")
    rid = post_request(admin, group).id
    login(create_user())
    assert client.get(f"/skills/requests/{rid}").status_code == 404
    assert client.post(f"/skills/requests/{rid}/apply").status_code == 404
    assert client.get(f"/groups/{group.handle}/skills").status_code == 404
    assert client.get(f"/groups/{group.handle}/requests/new").status_code == 404


def test_dashboard_panel_asks_for_skills_then_shows_gigs(
    client, login, create_user, create_group, set_profile, post_request
):
    admin, me = create_user(), create_user()
    group = create_group(admin=admin, members=[me], privacy="closed")
    login(me)
    assert "Add your skills" in client.get("/dashboard").get_data(as_text=True)
    set_profile(me, [("Video editing", 4)])
    post_request(admin, group, title="Cut our film")
    assert "Cut our film" in client.get("/dashboard").get_data(as_text=True)
