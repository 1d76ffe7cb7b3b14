"""API.md "Conventions": JSON errors for every status, bearer auth, and no input ever gives a 500."""

import re

import pytest

JUNK_BODIES = [
    b"",
    b"{not json",
    b"[]",
    b'"text"',
    b"null",
    b"12",
    b'{"name": null, "id": "1", "amount": 1.5, "user_id": 99999999999999999999, "choices": [1]}',
    b'{"name": {"nested": true}, "emoji": [], "role": 1, "limit": -1, "body": 123, "kind": "x"}',
    b'{"\\u0000": "\\u0000", "title": "' + b"x" * 5000 + b'"}',
]


def test_unknown_api_routes_answer_json_404(api):
    response = api.get("/no/such/thing")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_wrong_method_answers_json_405(api):
    response = api.call("PUT", "/tokens")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    assert "POST" in response.headers["Allow"]


def test_ids_beyond_2_to_the_53_are_not_found_not_errors(api, create_user):
    me = create_user()
    assert api.get(f"/groups/{2**53}", user=me).status_code == 404
    assert api.get(f"/users/{2**64}", user=me).status_code == 404


def test_error_bodies_have_code_and_message_and_fields_only_for_validation(api, create_user):
    me = create_user()
    not_found = api.get("/groups/424242", user=me).get_json()["error"]
    assert set(not_found) == {"code", "message"}
    invalid = api.post("/groups", {"name": 12}, user=me).get_json()["error"]
    assert invalid["code"] == "validation_failed" and invalid["fields"]["name"]


def _sample_path(rule: str) -> list[str]:
    def fill(value):
        return re.sub(r"<(?:int:)?[^>]+>", value, rule)

    return [fill("1"), fill("2"), fill(str(2**53 + 7))]


def test_no_malformed_request_to_any_api_route_gives_a_500(app, api, create_user, create_group):
    """Every /api/v1 route x junk bodies, as a member and anonymously: 4xx or 2xx, never 5xx."""
    me = create_user()
    create_group(admin=me, privacy="open")
    create_group(admin=me, privacy="secret")
    token = api.token(me)
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1")]
    assert rules
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for path in _sample_path(rule.rule):
                for body in JUNK_BODIES if method != "GET" else [b""]:
                    for headers in ({"Authorization": f"Bearer {token}"}, {}):
                        if method == "DELETE" and path.endswith("/tokens/current"):
                            continue  # would revoke the token the loop is using
                        response = api.client.open(
                            path, method=method, data=body, headers={**headers, "Content-Type": "application/json"}
                        )
                        assert response.status_code < 500, (method, path, body[:60], response.get_data()[:300])
                        assert response.status_code == 204 or response.is_json, (method, path)


@pytest.mark.parametrize(
    "query", ["limit=-5", "limit=99999999999999999999999", "cursor=%00", "cursor=" + "A" * 3000, "limit=1e3"]
)
def test_odd_list_arguments_never_give_a_500(api, create_user, query):
    me = create_user()
    assert api.get(f"/notifications?{query}", user=me).status_code == 422


def test_nul_characters_in_a_body_are_refused_with_422(api, create_user):
    response = api.post("/users", {"email": "a@example.org", "name": "A\u0000B", "password": "long enough"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["body"]
    assert api.post("/groups", {"name": "ok", "x": {"\u0000": 1}}, user=create_user()).status_code == 422
