"""API.md "Accounts and tokens", to the letter."""

from platform6.extensions import db


def test_sign_up_returns_the_user_and_makes_a_handle_from_the_name(api):
    response = api.post("/users", {"email": "Zoe@Example.org", "name": "Zoë Smith", "password": "long enough"})
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) >= {"id", "name", "handle", "email", "created_at"}
    assert body["handle"] == "zoesmith"
    assert body["email"] == "zoe@example.org"
    assert body["created_at"].endswith("Z")


def test_sign_up_refuses_a_taken_email_or_handle_with_409(api):
    api.post("/users", {"email": "a@example.org", "name": "A", "password": "long enough", "handle": "anna"})
    same_email = api.post("/users", {"email": "A@example.org", "name": "B", "password": "long enough"})
    assert same_email.status_code == 409
    assert same_email.get_json()["error"]["code"] == "conflict"
    same_handle = api.post(
        "/users", {"email": "b@example.org", "name": "B", "password": "long enough", "handle": "Anna"}
    )
    assert same_handle.status_code == 409
    # API.md: `fields` only for validation (422), so a conflict's error is code and message alone
    assert set(same_email.get_json()["error"]) == set(same_handle.get_json()["error"]) == {"code", "message"}


def test_default_handles_do_not_collide(api):
    first = api.post("/users", {"email": "a@example.org", "name": "Sam Lee", "password": "long enough"}).get_json()
    second = api.post("/users", {"email": "b@example.org", "name": "Sam Lee", "password": "long enough"}).get_json()
    assert first["handle"] == "samlee" and second["handle"] == "samlee2"


def test_sign_up_validates_its_fields(api):
    response = api.post("/users", {"email": "not an email", "name": "A", "password": "short"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert "email" in error["fields"]
    wrong_type = api.post("/users", {"email": "a@example.org", "name": 5, "password": "long enough"})
    assert wrong_type.status_code == 422 and "name" in wrong_type.get_json()["error"]["fields"]
    short = api.post("/users", {"email": "a@example.org", "name": "A", "password": "short"})
    assert short.status_code == 422 and "password" in short.get_json()["error"]["fields"]


def test_a_body_that_is_not_json_is_400(api):
    response = api.post("/users", data="{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


def test_json_of_the_wrong_shape_is_422(api):
    assert api.post("/users", [1, 2, 3]).status_code == 422
    assert api.post("/tokens", "just a string").status_code == 422


def test_token_round_trip(api, create_user):
    user = create_user(email="t@example.org")
    response = api.post("/tokens", {"email": "T@example.org", "password": "correct horse"})
    assert response.status_code == 201
    token = response.get_json()["token"]
    assert response.get_json()["user"]["id"] == user.id
    me = api.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["id"] == user.id
    assert api.delete("/tokens/current", headers={"Authorization": f"Bearer {token}"}).status_code == 204
    after = api.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert after.status_code == 401
    assert after.get_json()["error"]["code"] == "unauthorized"


def test_tokens_are_stored_hashed(api, create_user):
    from platform6.accounts.models import ApiToken

    create_user(email="t@example.org")
    token = api.post("/tokens", {"email": "t@example.org", "password": "correct horse"}).get_json()["token"]
    stored = db.session.scalars(db.select(ApiToken.token_hash)).all()
    assert token not in stored and ApiToken.hash(token) in stored


def test_wrong_password_is_401_and_the_eleventh_failure_is_429(api, create_user):
    create_user(email="t@example.org")
    for _ in range(10):
        assert api.post("/tokens", {"email": "t@example.org", "password": "wrong!!!!"}).status_code == 401
    refused = api.post("/tokens", {"email": "t@example.org", "password": "correct horse"})
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert "Retry-After" in refused.headers


def test_failures_for_one_email_do_not_lock_out_another(api, create_user):
    create_user(email="other@example.org")
    for _ in range(10):
        api.post("/tokens", {"email": "t@example.org", "password": "wrong!!!!"})
    assert api.post("/tokens", {"email": "other@example.org", "password": "correct horse"}).status_code == 201


def test_missing_or_bad_token_is_401(api):
    assert api.get("/me").status_code == 401
    assert api.get("/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert api.get("/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_me_lists_my_groups_with_my_role(api, create_user, create_group):
    me = create_user()
    group = create_group(admin=me, name="Bakers")
    body = api.get("/me", user=me).get_json()
    assert body["groups"] == [{"id": group.id, "handle": group.handle, "name": "Bakers", "role": "admin"}]


def test_users_are_visible_only_to_people_who_share_a_group(api, create_user, create_group):
    me, friend, stranger = create_user(), create_user(), create_user()
    create_group(admin=me, members=[friend])
    shown = api.get(f"/users/{friend.id}", user=me)
    assert shown.status_code == 200
    assert shown.get_json() == {"id": friend.id, "name": friend.name, "handle": friend.handle}
    assert api.get(f"/users/{stranger.id}", user=me).status_code == 404
    assert api.get("/users/999999", user=me).status_code == 404


def test_a_sign_up_that_races_past_the_email_check_still_answers_409(api, create_user, monkeypatch):
    """Two sign-ups for one email at once: the database's unique email decides, and the loser gets 409."""
    from platform6.accounts import service

    create_user(email="race@example.org")
    monkeypatch.setattr(service, "user_by_email", lambda email: None)  # as if the other sign-up had not committed yet
    response = api.post("/users", {"email": "race@example.org", "name": "Late", "password": "long enough"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
