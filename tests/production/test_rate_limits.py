"""Flask-Limiter on sign-in, sign-up, token creation and password reset, without breaking API.md's own sign-in rule."""

import pytest
import redis
from flask import jsonify

from platform6.ratelimit import rate_limit


def test_api_sign_in_rule_holds_exactly_with_the_limiter_on(app, api, create_user):
    """API.md: 401 for the first 10 wrong passwords for one email within 15 minutes, then 429 rate_limited."""
    assert app.config["RATELIMIT_ENABLED"]
    user = create_user()
    for _ in range(10):
        wrong = api.post("/tokens", {"email": user.email, "password": "wrong password"})
        assert wrong.status_code == 401
        assert wrong.get_json()["error"]["code"] == "unauthorized"
    refused = api.post("/tokens", {"email": user.email, "password": "correct horse"})
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "rate_limited"
    other = create_user()
    assert api.post("/tokens", {"email": other.email, "password": "correct horse"}).status_code == 201


def test_the_limiter_429_uses_the_api_error_body_on_api_paths(app, api):
    app.config["RATELIMIT_SIGN_UP"] = "2/minute"
    for n in range(2):
        body = {"email": f"p{n}@example.org", "name": "P", "password": "long enough"}
        assert api.post("/users", body).status_code == 201
    refused = api.post("/users", {"email": "p9@example.org", "name": "P", "password": "long enough"})
    assert refused.status_code == 429
    error = refused.get_json()["error"]
    assert error["code"] == "rate_limited" and error["message"]
    assert int(refused.headers["Retry-After"]) > 0
    assert int(refused.headers["X-RateLimit-Remaining"]) == 0


def test_retry_after_is_only_sent_with_a_refusal(api, create_user):
    user = create_user()
    wrong = api.post("/tokens", {"email": user.email, "password": "wrong password"})
    assert wrong.status_code == 401
    assert "Retry-After" not in wrong.headers
    assert wrong.headers["X-RateLimit-Remaining"].isdigit()


def test_the_api_sign_in_rule_keeps_its_own_retry_after(app, api, create_user):
    user = create_user()
    for _ in range(10):
        api.post("/tokens", {"email": user.email, "password": "wrong password"})
    refused = api.post("/tokens", {"email": user.email, "password": "wrong password"})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= app.config["LOGIN_WINDOW_MINUTES"] * 60 - 1


def test_when_the_limit_store_is_unreachable_requests_still_go_through(app, other_app):
    client = other_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0").test_client()
    body = {"email": "u1@example.org", "name": "U", "password": "long enough"}
    assert client.post("/api/v1/users", json=body).status_code == 201


def test_refused_sign_ins_on_the_page_and_the_api_share_one_budget_per_address(app, client, api, create_user):
    app.config["RATELIMIT_SIGN_IN"] = "3/minute"
    user = create_user()
    for _ in range(5):
        assert client.get("/sign-in").status_code == 200  # showing the form is free
    for _ in range(3):  # signing in with the right password is free too
        assert api.post("/tokens", {"email": user.email, "password": "correct horse"}).status_code == 201
    assert client.post("/sign-in", data={"email": user.email, "password": "nope nope"}).status_code == 401
    assert api.post("/tokens", {"email": user.email, "password": "wrong again"}).status_code == 401
    assert client.post("/sign-in", data={"email": user.email, "password": "still no"}).status_code == 401
    page = client.post("/sign-in", data={"email": user.email, "password": "correct horse"})
    assert page.status_code == 429
    assert "Slow down" in page.get_data(as_text=True)
    assert api.post("/tokens", {"email": user.email, "password": "correct horse"}).status_code == 429
    elsewhere = client.post(
        "/sign-in", data={"email": user.email, "password": "correct horse"}, environ_base={"REMOTE_ADDR": "192.0.2.7"}
    )
    assert elsewhere.status_code == 302


def test_sign_up_page_and_password_reset_are_limited(app, client):
    app.config["RATELIMIT_SIGN_UP"] = "1/minute"
    app.config["RATELIMIT_PASSWORD_RESET"] = "1/minute"
    data = {"name": "Q", "email": "q@example.org", "password": "long enough"}
    assert client.post("/sign-up", data=data | {"password": "short"}).status_code == 422  # no account: free
    assert client.post("/sign-up", data=data).status_code == 302
    client.post("/sign-out")
    assert client.post("/sign-up", data=data | {"email": "r@example.org"}).status_code == 429
    assert client.post("/forgot-password", data={"email": "q@example.org"}).status_code == 302
    assert client.post("/forgot-password", data={"email": "q@example.org"}).status_code == 429


def test_creating_tokens_on_the_settings_page_is_limited_per_person(app, client, create_user, login):
    app.config["RATELIMIT_TOKENS"] = "2/minute"
    login(create_user())
    for _ in range(2):
        assert client.post("/settings", data={"form": "token", "token-name": "script"}).status_code == 200
    assert client.post("/settings", data={"form": "token", "token-name": "script"}).status_code == 429


def test_one_decorator_limits_a_feature_route_per_user(database_url, other_app, create_user, api):
    """What the credit feature does for payments: `@rate_limit("payments", per="user")` under the route."""
    from platform6.api import api_blueprint, require_user

    bp = api_blueprint("limited_example_api", __name__)

    @bp.post("/limited-example")
    @rate_limit("payments", per="user")
    def pay():
        return jsonify({"paid_by": require_user().id}), 201

    example = other_app(RATELIMIT_PAYMENTS="2/minute")
    example.register_blueprint(bp)
    client = example.test_client()
    first, second = create_user(), create_user()
    tokens = {user.id: api.token(user) for user in (first, second)}

    def pay_as(user_id):
        return client.post("/api/v1/limited-example", headers={"Authorization": f"Bearer {tokens[user_id]}"})

    assert [pay_as(first.id).status_code for _ in range(3)] == [201, 201, 429]
    assert pay_as(first.id).get_json()["error"]["code"] == "rate_limited"
    assert pay_as(second.id).status_code == 201  # another person, same address: their own budget


def test_limits_can_be_switched_off(app, other_app):
    client = other_app(RATELIMIT_ENABLED=False, RATELIMIT_SIGN_UP="1/minute").test_client()
    for n in range(3):
        body = {"email": f"s{n}@example.org", "name": "S", "password": "long enough"}
        assert client.post("/api/v1/users", json=body).status_code == 201


def test_with_redis_storage_the_counts_outlive_the_process_that_made_them(app, other_app, database_url):
    """Counters kept in Redis (RATELIMIT_STORAGE_URI): an app started afresh sees what another counted."""
    # CI runs the SQLite and PostgreSQL suites at once: each flushes a Redis database of its own.
    url = f"redis://127.0.0.1:6379/{14 if database_url.startswith('postgres') else 15}"
    store = redis.Redis.from_url(url)
    try:
        store.flushdb()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings = {"RATELIMIT_STORAGE_URI": url, "RATELIMIT_SIGN_UP": "2/minute"}
    body = {"name": "T", "password": "long enough"}
    first = other_app(**settings).test_client()
    assert first.post("/api/v1/users", json=body | {"email": "t1@example.org"}).status_code == 201
    assert first.post("/api/v1/users", json=body | {"email": "t2@example.org"}).status_code == 201
    assert any(b"sign_up" in key for key in store.scan_iter())
    restarted = other_app(**settings).test_client()
    assert restarted.post("/api/v1/users", json=body | {"email": "t3@example.org"}).status_code == 429
    store.flushdb()
    store.close()
