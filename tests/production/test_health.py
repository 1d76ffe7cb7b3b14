"""/healthz, and a clear 503 (page or API error) while the database is away, recovering by itself."""

from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy.engine import make_url

from platform6.extensions import db


def unreachable_database(database_url: str, tmp_path) -> str:
    """A URL of the same kind as the test database that nothing answers."""
    if database_url.startswith("postgres"):
        return "postgresql://postgres@127.0.0.1:9/p6_nowhere"  # the discard port: nothing listens
    return f"sqlite:///{tmp_path / 'missing-folder' / 'platform6.db'}"


@pytest.fixture
def down_client(database_url, tmp_path, other_app):
    return other_app(unreachable_database(database_url, tmp_path)).test_client()


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_healthz_answers_503_when_the_database_is_away(down_client):
    response = down_client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_an_api_request_gets_the_api_error_body_with_503_and_retry_after(down_client):
    response = down_client.post("/api/v1/tokens", json={"email": "a@example.org", "password": "long enough"})
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "service_unavailable"
    assert "database" in response.get_json()["error"]["message"]
    assert int(response.headers["Retry-After"]) > 0
    assert down_client.get("/api/v1/groups/1").status_code == 503


def test_a_page_request_gets_a_clear_503_page(down_client):
    for path in ("/groups", "/"):
        response = down_client.get(path)
        assert response.status_code == 503
        html = response.get_data(as_text=True)
        assert "Briefly unavailable" in html and "Try again" in html
        assert response.headers["Content-Security-Policy"]


def test_the_app_comes_back_by_itself_when_the_database_appears(database_url, tmp_path, other_app):
    if database_url.startswith("postgres"):
        pytest.skip("PostgreSQL: see the outage test below")
    missing = tmp_path / "later"
    client = other_app(f"sqlite:///{missing / 'platform6.db'}").test_client()
    assert client.get("/healthz").status_code == 503
    missing.mkdir()
    assert client.get("/healthz").status_code == 200


def _admin_connection(database_url: str):
    url = make_url(database_url)
    return psycopg.connect(
        host=url.host or "127.0.0.1", port=url.port or 5432, user=url.username, dbname="postgres", autocommit=True
    )


@contextmanager
def database_outage(database_url: str):
    """Refuse new connections to the test database and cut the ones open, until the block ends."""
    name = make_url(database_url).database
    with _admin_connection(database_url) as admin:
        try:
            admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            yield
        finally:
            admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')


def test_postgresql_outage_gives_503_and_the_app_recovers_when_the_database_returns(
    app, client, api, database_url, create_user
):
    if not database_url.startswith("postgres"):
        pytest.skip("needs PostgreSQL")
    bearer = {"Authorization": f"Bearer {api.token(create_user())}"}
    assert api.get("/me", headers=bearer).status_code == 200
    db.session.remove()
    with database_outage(database_url):
        assert client.get("/healthz").status_code == 503
        during = api.get("/me", headers=bearer)
        assert during.status_code == 503
        assert during.get_json()["error"]["code"] == "service_unavailable"
        assert client.get("/groups").status_code == 503
    # No restart, no pool reset: the next requests simply work again.
    assert client.get("/healthz").status_code == 200
    assert api.get("/me", headers=bearer).status_code == 200
    assert client.get("/groups").status_code == 200


def test_postgresql_connections_cut_by_the_server_are_replaced_without_an_error(app, api, database_url, create_user):
    if not database_url.startswith("postgres"):
        pytest.skip("needs PostgreSQL")
    bearer = {"Authorization": f"Bearer {api.token(create_user())}"}
    assert api.get("/me", headers=bearer).status_code == 200
    db.session.remove()
    name = make_url(database_url).database
    with _admin_connection(database_url) as admin:
        cut = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        ).fetchone()[0]
    assert cut >= 1
    # pool_pre_ping notices the dead pooled connection and opens a new one: no 503, no 500.
    assert api.get("/me", headers=bearer).status_code == 200


def test_ids_beyond_what_the_database_holds_answer_404_or_422_never_500(app, api, create_user, create_group):
    user = create_user()
    group = create_group(admin=user)
    huge = 2**40
    assert api.get(f"/groups/{huge}", user=user).status_code == 404
    assert api.get(f"/groups/{2**31 - 1}", user=user).status_code == 404
    refused = api.post(f"/groups/{group.id}/members", {"user_id": huge}, user=user)
    assert refused.status_code in (404, 422)
    assert refused.get_json()["error"]["code"] in ("not_found", "validation_failed")
