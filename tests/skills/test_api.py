"""API.md "Skills board", to the letter, plus the additions in docs/api-skills.md."""

import pytest

from platform6.extensions import db
from platform6.notifications.models import Notification


def notifications(user, kind):
    return db.session.query(Notification).filter_by(user_id=user.id, kind=kind).all()


def new_request(api, group, user, **overrides):
    body = {
        "title": "Edit our launch video",
        "description": "A **short** film",
        "skills": [
            {"name": "video editing", "level": 3, "required": True},
            {"name": "Italian", "level": 2, "required": False},
        ],
        "hours_estimate": 10,
        "languages": ["en", "it"],
        "volunteers_needed": 1,
    }
    body.update(overrides)
    return api.post(f"/groups/{group.id}/requests", body, user=user)


def test_profile_round_trip_with_normalised_skills(api, create_user):
    me = create_user()
    response = api.put(
        "/me/profile",
        {"bio": "Hi", "location": "Leeds", "remote_ok": False, "availability_hours_per_week": 6,
         "languages": ["EN", "Italian"], "skills": [{"name": "  video   EDITORS ", "level": 4}, {"name": "Sysadmin", "level": 2}]},
        user=me,
    )  # fmt: skip
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["languages"] == ["en", "it"] and body["remote_ok"] is False
    assert body["availability_hours_per_week"] == 6
    assert [(s["name"], s["level"]) for s in body["skills"]] == [("Video editing", 4), ("Server administration", 2)]
    replaced = api.put("/me/skills", {"skills": [{"name": "Knitting circles", "level": 3}]}, user=me).get_json()
    assert replaced["skills"][0]["name"] == "Knitting circle" or replaced["skills"][0]["name"] == "Knitting circles"
    assert len(replaced["skills"]) == 1 and replaced["bio"] == "Hi"


def test_the_same_skill_twice_by_synonym_is_422_and_levels_are_1_to_5(api, create_user):
    me = create_user()
    twice = api.put(
        "/me/skills", {"skills": [{"name": "sysadmin", "level": 2}, {"name": "Server Admin", "level": 3}]}, user=me
    )
    assert twice.status_code == 422
    assert api.put("/me/skills", {"skills": [{"name": "Cooking", "level": 6}]}, user=me).status_code == 422
    assert api.put("/me/skills", {"skills": [{"name": "Cooking", "level": "3"}]}, user=me).status_code == 422
    assert api.put("/me/skills", {"skills": [{"name": "   ", "level": 3}]}, user=me).status_code == 422


def test_skill_search_gives_taxonomy_skills_with_ids_and_member_counts(api, create_user):
    me = create_user()
    api.put("/me/skills", {"skills": [{"name": "Mastodon", "level": 3}]}, user=me)
    items = api.get("/skills?q=masto").get_json()["items"]
    assert items[0]["name"] == "Mastodon" and items[0]["members_count"] == 1
    assert isinstance(items[0]["id"], int) and items[0]["category"] == "Fediverse & self-hosting"
    assert all(isinstance(i["id"], int) for i in api.get("/skills?q=video").get_json()["items"])


def test_profiles_are_visible_to_members_of_a_shared_group_or_when_public(api, create_user, create_group, set_profile):
    alice, bob, stranger = create_user(), create_user(), create_user()
    create_group(admin=alice, members=[bob])
    set_profile(bob, [("Cooking", 3)])
    assert api.get(f"/users/{bob.id}/profile", user=alice).status_code == 200
    assert api.get(f"/users/{bob.id}/profile", user=stranger).status_code == 404
    assert api.get(f"/users/{bob.id}/profile").status_code == 401
    api.put("/me/profile", {"public": True}, user=bob)
    assert api.get(f"/users/{bob.id}/profile", user=stranger).get_json()["skills"][0]["name"] == "Cooking"


def test_members_post_requests_and_the_group_can_restrict_it_to_admins(api, create_user, create_group):
    admin, member, outsider = create_user(), create_user(), create_user()
    group = create_group(admin=admin, members=[member], privacy="open")
    response = new_request(api, group, member)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["state"] == "open" and body["author"] == {"id": member.id, "name": member.name}
    assert body["skills"] == [
        {"name": "Video editing", "level": 3, "required": True},
        {"name": "Italian", "level": 2, "required": False},
    ]
    assert body["description_html"].startswith("<p>A <strong>short")
    assert body["reward"] is None and body["deadline"] is None and body["created_at"].endswith("Z")
    assert new_request(api, group, outsider).status_code == 403
    assert (
        api.put(f"/groups/{group.id}/skills-settings", {"members_can_post_requests": False}, user=member).status_code
        == 403
    )
    assert (
        api.put(f"/groups/{group.id}/skills-settings", {"members_can_post_requests": False}, user=admin).status_code
        == 200
    )
    assert new_request(api, group, member).status_code == 403
    assert new_request(api, group, admin).status_code == 201


def test_requests_of_closed_and_secret_groups_are_only_for_members(api, create_user, create_group):
    admin, outsider = create_user(), create_user()
    for privacy in ("closed", "secret"):
        group = create_group(admin=admin, privacy=privacy)
        rid = new_request(api, group, admin).get_json()["id"]
        assert api.get(f"/requests/{rid}", user=outsider).status_code == 404
        assert api.get(f"/requests/{rid}").status_code == 404
        assert api.post(f"/requests/{rid}/applications", {}, user=outsider).status_code == 404
        assert api.get(f"/requests/{rid}", user=admin).status_code == 200
        assert new_request(api, group, outsider).status_code == 404
    assert api.get("/requests", user=outsider).get_json()["items"] == []
    assert len(api.get("/requests", user=admin).get_json()["items"]) == 2


def test_list_filters(api, create_user, create_group):
    admin = create_user()
    group = create_group(admin=admin, privacy="open")
    other = create_group(admin=admin, privacy="open")
    new_request(api, group, admin, title="Set up Mastodon", skills=[{"name": "Mastodon", "level": 3}], remote_ok=True)
    new_request(api, other, admin, title="Cook for the AGM", skills=[{"name": "cooking", "level": 2}], remote_ok=False)
    titles = lambda query: [r["title"] for r in api.get(f"/requests{query}").get_json()["items"]]  # noqa: E731
    assert titles("?q=mastodon") == ["Set up Mastodon"]
    assert titles("?skill=COOKING") == ["Cook for the AGM"]
    assert titles("?remote_ok=false") == ["Cook for the AGM"]
    assert titles(f"?group_id={group.id}") == ["Set up Mastodon"]
    assert len(titles("")) == 2
    assert api.get("/requests?remote_ok=maybe").status_code == 422
    assert api.get("/requests?group_id=abc").status_code == 422
    assert api.get("/requests?limit=1").get_json()["next"] is not None


def test_people_for_a_request_ranked_with_reasons(api, create_user, create_group, set_profile):
    author, full, partial, related, outsider, nobody = (create_user(name=n) for n in "ABCDEF")
    group = create_group(admin=author, members=[full, partial, related, nobody], privacy="open")
    set_profile(full, [("Video editing", 4), ("Italian", 3)], languages=["it"])
    set_profile(partial, [("Italian", 5)], languages=["it"], availability_hours_per_week=40)
    set_profile(related, [("video production", 5)])
    set_profile(outsider, [("Video editing", 5), ("Italian", 5)])
    set_profile(nobody, [("Baking", 5)])
    set_profile(author, [("Video editing", 5)])
    rid = new_request(api, group, author).get_json()["id"]
    response = api.get(f"/requests/{rid}/matches", user=author)
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [i["user"]["name"] for i in items] == ["B", "D", "C"]
    assert items[0]["matched"] == ["Video editing", "Italian"] and items[0]["missing"] == []
    assert items[0]["score"] >= 0.5 > items[1]["score"] and items[-1]["score"] >= 0
    assert items[2]["missing"] == ["Video editing"] and items[2]["matched"] == ["Italian"]
    assert items[1]["partial"] == {"Video editing": "Video production (related)"}
    assert api.get(f"/requests/{rid}/matches", user=outsider).status_code == 403


def test_gigs_for_you_ranks_what_fits_first_and_hides_the_invisible(api, create_user, create_group, set_profile):
    me, admin = create_user(), create_user()
    group = create_group(admin=admin, members=[me], privacy="closed")
    hidden = create_group(admin=admin, privacy="secret")
    set_profile(me, [("Mastodon", 4), ("Docker", 3)], languages=["en"])
    fit = new_request(
        api, group, admin, title="Mastodon", skills=[{"name": "mastodon instance", "level": 3}]
    ).get_json()
    partly = new_request(
        api, group, admin, title="Both", skills=[{"name": "Mastodon", "level": 3}, {"name": "Kubernetes", "level": 3}]
    ).get_json()
    new_request(api, hidden, admin, title="Secret", skills=[{"name": "Mastodon", "level": 1}])
    new_request(api, group, admin, title="Cooking", skills=[{"name": "Cooking", "level": 1}])
    items = api.get("/me/matches", user=me).get_json()["items"]
    assert [i["request"]["id"] for i in items] == [fit["id"], partly["id"]]
    assert items[1]["missing"] == ["Kubernetes"] and items[1]["partial"] == {"Kubernetes": "Docker (related)"}
    api.post(f"/requests/{fit['id']}/applications", {"message": "Me!"}, user=me)
    assert [i["request"]["id"] for i in api.get("/me/matches", user=me).get_json()["items"]] == [partly["id"]]


@pytest.fixture
def reward_setup(create_user, create_group, make_network, open_account):
    admin, vol1, vol2 = create_user(name="Admin"), create_user(name="V1"), create_user(name="V2")
    group = create_group(admin=admin, members=[vol1, vol2], privacy="open")
    network = make_network(admin=admin, group=group)
    pot = open_account(network, group=group, credit_limit=100_00)
    accounts = {u.id: open_account(network, holder=u) for u in (vol1, vol2)}
    return admin, vol1, vol2, group, pot, accounts


def _apply_and_accept(api, rid, admin, *volunteers):
    for v in volunteers:
        app_id = api.post(f"/requests/{rid}/applications", {"message": "I can"}, user=v).get_json()["id"]
        assert api.post(f"/applications/{app_id}/accept", user=admin).status_code == 200


def test_full_cycle_with_reward_split_by_hours(api, reward_setup):
    admin, vol1, vol2, group, pot, accounts = reward_setup
    created = new_request(api, group, admin, volunteers_needed=2, reward={"account_id": pot.id, "amount": 1001})
    assert created.status_code == 201, created.get_json()
    rid = created.get_json()["id"]
    assert created.get_json()["reward"] == {"account_id": pot.id, "amount": 1001}
    applied = api.post(f"/requests/{rid}/applications", {"message": "Happy to"}, user=vol1)
    assert applied.status_code == 201
    expected = {"request_id": rid, "state": "pending", "user": {"id": vol1.id, "name": "V1"}}
    assert {k: applied.get_json()[k] for k in expected} == expected
    assert api.post(f"/requests/{rid}/applications", {}, user=vol1).status_code == 409
    accepted = api.post(f"/applications/{applied.get_json()['id']}/accept", user=admin).get_json()
    assert accepted["state"] == "accepted"
    assert api.get(f"/requests/{rid}", user=admin).get_json()["state"] == "open"
    _apply_and_accept(api, rid, admin, vol2)
    assert api.get(f"/requests/{rid}", user=admin).get_json()["state"] == "assigned"
    done = api.post(
        f"/requests/{rid}/complete",
        {
            "volunteers": [{"user_id": vol1.id, "hours": 1}, {"user_id": vol2.id, "hours": 2}],
            "endorse": ["video EDITING"],
        },
        user=admin,
    )
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert body["state"] == "completed"
    assert sorted(t["amount"] for t in body["transfers"]) == [334, 667]
    assert {t["to_account_id"] for t in body["transfers"]} == {a.id for a in accounts.values()}
    db.session.expire_all()
    assert accounts[vol2.id].balance == 667 and pot.balance == -1001
    again = api.post(f"/requests/{rid}/complete", {"volunteers": [{"user_id": vol1.id, "hours": 1}]}, user=admin)
    assert again.status_code == 409
    assert api.get(f"/users/{vol2.id}/impact", user=admin).get_json() == {
        "user_id": vol2.id,
        "gigs_completed": 1,
        "hours": 2.0,
        "credit_earned": 667,
    }
    impact = api.get(f"/groups/{group.id}/impact").get_json()
    assert impact["gigs_completed"] == 1 and impact["credit_paid"] == 1001 and impact["hours"] == 3.0
    profile = api.get(f"/users/{vol1.id}/profile", user=admin).get_json()
    assert profile["skills"] == []  # endorsements count on held skills only
    assert notifications(vol1, "skill_request_completed")


def test_a_refused_payment_fails_completion_and_changes_nothing(api, reward_setup):
    admin, vol1, _, group, pot, accounts = reward_setup
    rid = new_request(api, group, admin, reward={"account_id": pot.id, "amount": 200_00}).get_json()["id"]
    _apply_and_accept(api, rid, admin, vol1)
    response = api.post(f"/requests/{rid}/complete", {"volunteers": [{"user_id": vol1.id, "hours": 3}]}, user=admin)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] in ("insufficient_credit", "over_debit_limit")
    db.session.expire_all()
    assert api.get(f"/requests/{rid}", user=admin).get_json()["state"] == "assigned"
    assert accounts[vol1.id].balance == 0 and pot.balance == 0
    assert api.get(f"/users/{vol1.id}/impact", user=admin).get_json()["gigs_completed"] == 0


def test_completion_needs_accepted_volunteers_with_accounts(api, reward_setup, create_user, create_group):
    admin, vol1, vol2, group, pot, _ = reward_setup
    rid = new_request(api, group, admin, volunteers_needed=2, reward={"account_id": pot.id, "amount": 100}).get_json()[
        "id"
    ]
    _apply_and_accept(api, rid, admin, vol1)
    not_accepted = api.post(f"/requests/{rid}/complete", {"volunteers": [{"user_id": vol2.id, "hours": 1}]}, user=admin)
    assert not_accepted.status_code == 422
    no_account_user = create_user()
    from platform6.groups.service import add_member

    add_member(actor=admin, group=group, user_id=no_account_user.id)
    db.session.commit()
    _apply_and_accept(api, rid, admin, no_account_user)
    no_account = api.post(
        f"/requests/{rid}/complete",
        {"volunteers": [{"user_id": vol1.id, "hours": 1}, {"user_id": no_account_user.id, "hours": 1}]},
        user=admin,
    )
    assert no_account.status_code == 422
    assert (
        api.post(f"/requests/{rid}/complete", {"volunteers": [{"user_id": vol1.id, "hours": 1}]}, user=vol1).status_code
        == 403
    )


def test_the_poster_must_control_the_reward_account(api, reward_setup, create_user):
    admin, vol1, _, group, pot, accounts = reward_setup
    assert new_request(api, group, vol1, reward={"account_id": pot.id, "amount": 5}).status_code == 404
    own = accounts[vol1.id].id
    assert new_request(api, group, vol1, reward={"account_id": own, "amount": 5}).status_code == 422
    assert new_request(api, group, admin, reward={"account_id": 999999, "amount": 5}).status_code == 404
    assert new_request(api, group, admin, reward={"account_id": pot.id, "amount": 0}).status_code == 422


def test_decline_cancel_and_state_conflicts(api, create_user, create_group):
    admin, vol = create_user(), create_user()
    group = create_group(admin=admin, members=[vol], privacy="open")
    rid = new_request(api, group, admin).get_json()["id"]
    app_id = api.post(f"/requests/{rid}/applications", {}, user=vol).get_json()["id"]
    assert api.post(f"/applications/{app_id}/accept", user=vol).status_code == 403
    assert api.post(f"/applications/{app_id}/decline", user=admin).get_json()["state"] == "declined"
    assert notifications(vol, "skill_application_declined")
    assert api.post(f"/requests/{rid}/applications", {}, user=admin).status_code == 422
    assert api.post(f"/requests/{rid}/cancel", user=vol).status_code == 403
    assert api.post(f"/requests/{rid}/cancel", user=admin).get_json()["state"] == "cancelled"
    assert api.post(f"/requests/{rid}/cancel", user=admin).status_code == 409
    assert api.post(f"/requests/{rid}/applications", {}, user=vol).status_code == 409
    assert api.post("/applications/99999/accept", user=admin).status_code == 404


def test_invite_to_apply(api, create_user, create_group):
    admin, vol, outsider = create_user(), create_user(), create_user()
    group = create_group(admin=admin, members=[vol], privacy="open")
    rid = new_request(api, group, admin).get_json()["id"]
    assert api.post(f"/requests/{rid}/invitations", {"user_id": vol.id}, user=admin).status_code == 201
    assert notifications(vol, "skill_invitation")
    assert api.post(f"/requests/{rid}/invitations", {"user_id": vol.id}, user=admin).status_code == 409
    assert api.post(f"/requests/{rid}/invitations", {"user_id": outsider.id}, user=admin).status_code == 404
    assert api.post(f"/requests/{rid}/applications", {}, user=vol).get_json()["invited"] is True


def test_saved_search_notifies_on_a_new_matching_request_only_if_visible(api, create_user, create_group):
    admin, watcher, outsider = create_user(), create_user(), create_user()
    group = create_group(admin=admin, members=[watcher], privacy="closed")
    assert api.post("/me/saved-searches", {"skill": "Video Editors"}, user=watcher).status_code == 201
    assert api.post("/me/saved-searches", {"skill": "video editing"}, user=outsider).status_code == 201
    assert api.post("/me/saved-searches", {}, user=watcher).status_code == 422
    new_request(api, group, admin, skills=[{"name": "Cooking", "level": 1}])
    assert not notifications(watcher, "skill_request_matches_search")
    new_request(api, group, admin)
    assert len(notifications(watcher, "skill_request_matches_search")) == 1
    assert not notifications(outsider, "skill_request_matches_search")
    sid = api.get("/me/saved-searches", user=watcher).get_json()["items"][0]["id"]
    assert api.delete(f"/me/saved-searches/{sid}", user=outsider).status_code == 404
    assert api.delete(f"/me/saved-searches/{sid}", user=watcher).status_code == 204


def test_nobody_is_recommended_more_than_the_weekly_cap(api, app, create_user, create_group, set_profile):
    app.config["SKILLS_WEEKLY_RECOMMENDATIONS"] = 2
    admin = create_user()
    people = [create_user() for _ in range(5)]
    group = create_group(admin=admin, members=people, privacy="open")
    for p in people:
        set_profile(p, [("Cooking", 3)])
    for _ in range(4):
        new_request(api, group, admin, skills=[{"name": "Cooking", "level": 2}])
    counts = [len(notifications(p, "request_matched")) for p in people]
    assert counts == [2, 2, 2, 2, 2]  # 3 wanted per request, 12 in all, but 2 a week each is the cap


def test_directory_shows_open_groups_needs(api, create_user, create_group):
    admin = create_user()
    new_request(api, create_group(admin=admin, privacy="open", name="Open co-op"), admin, title="Open need")
    new_request(api, create_group(admin=admin, privacy="closed", name="Closed co-op"), admin, title="Closed need")
    items = api.get("/directory").get_json()["items"]
    assert [(i["group"]["name"], [r["title"] for r in i["requests"]]) for i in items] == [("Open co-op", ["Open need"])]


def test_the_directory_comes_in_pages_of_groups_by_name(api, create_user, create_group):
    admin = create_user()
    for name in ("Cider co-op", "Apple co-op", "Bread co-op"):
        group = create_group(admin=admin, privacy="open", name=name)
        new_request(api, group, admin, title=f"{name} first need")
        new_request(api, group, admin, title=f"{name} second need")
    first = api.get("/directory?limit=2").get_json()
    rest = api.get(f"/directory?limit=2&cursor={first['next']}").get_json()
    pages = [
        [(i["group"]["name"], [r["title"] for r in i["requests"]]) for i in page["items"]] for page in (first, rest)
    ]
    assert pages == [
        [("Apple co-op", ["Apple co-op second need", "Apple co-op first need"]),
         ("Bread co-op", ["Bread co-op second need", "Bread co-op first need"])],
        [("Cider co-op", ["Cider co-op second need", "Cider co-op first need"])],
    ]  # fmt: skip
    assert rest["next"] is None


@pytest.mark.parametrize(
    "method,path,body",
    [
        ("PUT", "/me/profile", {"availability_hours_per_week": -1}),
        ("PUT", "/me/profile", {"languages": ["not a language!"]}),
        ("PUT", "/me/profile", {"skills": "cooking"}),
        ("PUT", "/me/skills", {"skills": [{"name": "x" * 81, "level": 1}]}),
        ("PUT", "/me/skills", [1, 2]),
        ("POST", "/groups/{g}/requests", {"title": "", "skills": [{"name": "a", "level": 1}]}),
        ("POST", "/groups/{g}/requests", {"title": "x", "skills": []}),
        ("POST", "/groups/{g}/requests", {"title": "x", "skills": [{"name": "a", "level": 1, "required": False}]}),
        (
            "POST",
            "/groups/{g}/requests",
            {"title": "x", "skills": [{"name": "a", "level": 1}], "deadline": "2001-01-01T00:00:00Z"},
        ),
        ("POST", "/groups/{g}/requests", {"title": "x", "skills": [{"name": "a", "level": 1}], "deadline": "soon"}),
        (
            "POST",
            "/groups/{g}/requests",
            {"title": "x", "skills": [{"name": "a", "level": 1}], "volunteers_needed": 2**60},
        ),
        (
            "POST",
            "/groups/{g}/requests",
            {"title": "x", "skills": [{"name": "a", "level": 1}], "reward": {"account_id": 1}},
        ),
        ("POST", "/requests/{r}/complete", {"volunteers": [{"user_id": 1, "hours": -1}]}),
        ("POST", "/requests/{r}/complete", {"volunteers": [{"user_id": 2**60, "hours": 1}]}),
        ("POST", "/requests/{r}/complete", {"volunteers": [{"user_id": 1, "hours": 1}], "endorse": ["Baking"]}),
        ("POST", "/requests/{r}/complete", {"volunteers": []}),
        ("POST", "/requests/{r}/applications", {"message": 5}),
        ("POST", "/requests/{r}/invitations", {"user_id": "1"}),
        ("GET", "/requests?cursor=garbage", None),
        ("GET", "/me/matches?cursor=garbage", None),
        ("GET", "/requests/{r}/matches?limit=0", None),
        ("POST", "/me/saved-searches", {"group_id": 0}),
        ("PUT", "/groups/{g}/skills-settings", {"members_can_post_requests": "yes"}),
    ],
)
def test_bad_input_is_422_never_500(api, create_user, create_group, method, path, body):
    admin = create_user()
    group = create_group(admin=admin, privacy="open")
    rid = new_request(api, group, admin).get_json()["id"]
    response = api.call(method, path.format(g=group.id, r=rid), json=body, user=admin)
    assert response.status_code == 422, response.get_json()


def test_not_json_is_400_and_unknown_ids_are_404(api, create_user):
    me = create_user()
    assert (
        api.put("/me/profile", data="{nope", headers={"Content-Type": "application/json"}, user=me).status_code == 400
    )
    for path in (
        "/requests/9999",
        "/requests/9999/matches",
        "/users/9999/profile",
        "/groups/9999/impact",
        "/requests/99999999999999999999",
    ):
        assert api.get(path, user=me).status_code == 404
    assert (
        api.post("/groups/9999/requests", {"title": "x", "skills": [{"name": "a", "level": 1}]}, user=me).status_code
        == 404
    )
    assert api.get("/me/matches").status_code == 401


def test_matching_query_counts_do_not_grow_with_data(api, create_user, create_group, set_profile, queries):
    admin = create_user()
    group = create_group(admin=admin, privacy="open")
    set_profile(admin, [("Cooking", 3)])
    rid = new_request(api, group, admin, skills=[{"name": "Cooking", "level": 1}]).get_json()["id"]
    from platform6.groups.service import add_member
    from platform6.skills import queries as skill_queries

    def measure():
        db.session.expire_all()
        request = skill_queries.request_by_id(rid)
        with queries() as people_q:
            skill_queries.people_for(request)
        with queries() as gigs_q:
            skill_queries.gigs_for(person)
        return len(people_q), len(gigs_q)

    person = create_user()
    add_member(actor=admin, group=group, user_id=person.id)
    db.session.commit()
    set_profile(person, [("Cooking", 2)])
    small = measure()
    for _ in range(6):
        extra = create_user()
        add_member(actor=admin, group=group, user_id=extra.id)
        db.session.commit()
        set_profile(extra, [("Cooking", 4), ("Baking", 2)])
        new_request(api, group, extra, skills=[{"name": "Cooking", "level": 1}, {"name": "Baking", "level": 1}])
    assert measure() == small


def test_assignment_follows_accepted_volunteers_and_withdrawal(api, create_user, create_group):
    admin, first, second, third = create_user(), create_user(), create_user(), create_user()
    group = create_group(admin=admin, members=[first, second, third], privacy="open")
    rid = new_request(api, group, admin).get_json()["id"]
    ids = [api.post(f"/requests/{rid}/applications", {}, user=u).get_json()["id"] for u in (first, second, third)]
    assert api.post(f"/applications/{ids[0]}/accept", user=admin).status_code == 200
    assert api.get(f"/requests/{rid}", user=admin).get_json()["state"] == "assigned"
    assert api.post(f"/applications/{ids[1]}/accept", user=admin).status_code == 409
    assert api.post(f"/applications/{ids[0]}/accept", user=admin).status_code == 409
    assert api.post(f"/applications/{ids[0]}/decline", user=admin).get_json()["state"] == "declined"
    assert api.get(f"/requests/{rid}", user=admin).get_json()["state"] == "open"
    assert api.post(f"/applications/{ids[2]}/withdraw", user=admin).status_code == 404
    assert api.post(f"/applications/{ids[2]}/withdraw", user=third).get_json()["state"] == "withdrawn"
    assert api.post(f"/applications/{ids[2]}/accept", user=admin).status_code == 409
    listed = api.get(f"/requests/{rid}/applications", user=admin).get_json()["items"]
    assert [a["state"] for a in listed] == ["declined", "pending", "withdrawn"]
    assert api.get(f"/requests/{rid}/applications", user=first).status_code == 403
    mine = api.get("/me/applications", user=first).get_json()["items"]
    assert mine[0]["request"]["id"] == rid and mine[0]["state"] == "declined"


def test_notifications_carry_the_kinds_api_md_names(api, create_user, create_group):
    """API.md's kinds for the board: `request_matched`, `application`, `application_accepted`."""
    admin, volunteer = create_user(), create_user()
    group = create_group(admin=admin, members=[volunteer])
    api.put("/me/skills", {"skills": [{"name": "Cooking", "level": 3}]}, user=volunteer)
    rid = new_request(api, group, admin, skills=[{"name": "Cooking", "level": 2}]).get_json()["id"]

    def kinds(user):
        return [n["kind"] for n in api.get("/notifications", user=user).get_json()["items"]]

    assert "request_matched" in kinds(volunteer)
    application = api.post(f"/requests/{rid}/applications", {}, user=volunteer).get_json()
    assert "application" in kinds(admin)
    api.post(f"/applications/{application['id']}/accept", user=admin)
    assert "application_accepted" in kinds(volunteer)


def test_search_finds_requests_for_those_who_may_see_them(api, create_user, create_group):
    """API.md's search items include `type: "request"`, only where the caller may see the request."""
    admin, member, outsider = create_user(), create_user(), create_user()
    group = create_group(admin=admin, members=[member])
    rid = new_request(api, group, admin, title="Film the harvest festival").get_json()["id"]
    found = api.get("/search?q=harvest", user=member).get_json()["items"]
    assert [(item["type"], item["id"], item["title"]) for item in found] == [
        ("request", rid, "Film the harvest festival")
    ]
    assert api.get("/search?q=short film&type=request", user=member).get_json()["items"][0]["id"] == rid
    assert api.get("/search?q=harvest", user=outsider).get_json()["items"] == []


def test_skill_search_pages_like_every_list(api):
    """API.md's lists: `limit` defaults to 50, and `next` leads to the following page."""
    first = api.get("/skills").get_json()
    assert len(first["items"]) == 50 and first["next"]
    second = api.get(f"/skills?cursor={first['next']}&limit=200").get_json()
    names = [item["name"] for item in first["items"] + second["items"]]
    assert len(names) == len(set(names)) > 50
    assert len(api.get("/skills?limit=3").get_json()["items"]) == 3
    assert api.get("/skills?cursor=nonsense").status_code == 422
    documented = api.get("/openapi.json").get_json()["paths"]["/skills"]["get"]["parameters"]
    assert {"name": "limit", "in": "query", "required": False,
            "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}} in documented  # fmt: skip


def test_applications_and_saved_searches_page_like_every_list(api, create_user, create_group):
    """API.md's lists take `?limit=` and hand a `next` cursor to the following page (nothing is cut off)."""
    admin, volunteer, other = create_user(), create_user(), create_user()
    group = create_group(admin=admin, members=[volunteer, other], privacy="open")
    rids = [new_request(api, group, admin, title=f"Need {n}").get_json()["id"] for n in range(3)]
    for rid in rids:
        assert api.post(f"/requests/{rid}/applications", {}, user=volunteer).status_code == 201
    api.post(f"/requests/{rids[0]}/applications", {}, user=other)

    def walk(path, user):
        seen, page = [], api.get(f"{path}?limit=1", user=user).get_json()
        while True:
            assert len(page["items"]) <= 1
            seen += page["items"]
            if page["next"] is None:
                return seen
            page = api.get(f"{path}?limit=1&cursor={page['next']}", user=user).get_json()

    assert [a["request"]["id"] for a in walk("/me/applications", volunteer)] == rids[::-1]  # newest first
    assert [a["user"]["id"] for a in walk(f"/requests/{rids[0]}/applications", admin)] == [volunteer.id, other.id]
    for q in ("gardening", "video"):
        api.post("/me/saved-searches", {"q": q}, user=volunteer)
    assert [s["q"] for s in walk("/me/saved-searches", volunteer)] == ["gardening", "video"]
