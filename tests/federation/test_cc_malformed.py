"""Never a 500: malformed bodies, headers and parameters on every Credit Commons route get a 4xx in the protocol's
error shape (schemathesis needs an OpenAPI document we do not keep; these are the inputs it would try first)."""

import pytest

from .cc_schemas import conforms

UUID = "6f1e2d3c-4b5a-4978-8a1b-2c3d4e5f6a7b"
ROUTES = [
    ("GET", ""),
    ("GET", "handshake"),
    ("GET", "absolutepath"),
    ("GET", "about"),
    ("GET", "workflows"),
    ("POST", "transaction/relay"),
    ("PATCH", f"transaction/{UUID}/C"),
    ("GET", f"transaction/{UUID}"),
    ("GET", f"entries/{UUID}"),
    ("GET", "account"),
    ("GET", "account/summary"),
    ("GET", "account/limits"),
    ("GET", "account/history"),
    ("GET", "account/names"),
]
BODIES = [b"", b"{", b"[]", b'"x"', b"null", b'{"uuid": 1, "entries": {}}', b'{"entries": [' * 200, b"\xff\xfe"]
QUERIES = ["acc_path=%00", "acc_path=" + "a/" * 400, "samples=-1", "limit=99999999999999999999", "samples=1e9"]


@pytest.mark.parametrize("method, route", ROUTES, ids=[f"{m} {r}" for m, r in ROUTES])
@pytest.mark.parametrize("body", BODIES, ids=range(len(BODIES)))
def test_a_malformed_body_on_any_route_is_a_clear_refusal(leeds, method, route, body):
    answer = leeds.trunk.call(method, route, body)
    assert answer.status_code < 500  # 503 would be our catch-all for a fault of ours
    if answer.status_code >= 400:
        conforms(answer, "errors")


@pytest.mark.parametrize("method, route", ROUTES, ids=[f"{m} {r}" for m, r in ROUTES])
@pytest.mark.parametrize("query", QUERIES)
def test_malformed_parameters_on_any_route_are_a_clear_refusal(leeds, method, route, query):
    answer = leeds.trunk.call(method, f"{route}?{query}")
    assert answer.status_code in (200, 201, 400, 404)
    if answer.status_code >= 400:
        conforms(answer, "errors")


@pytest.mark.parametrize("method, route", ROUTES, ids=[f"{m} {r}" for m, r in ROUTES])
@pytest.mark.parametrize(
    "headers",
    [{}, {"cc-node": ""}, {"cc-node": "/" * 500}, {"cc-user": "ocn", "cc-auth": "null"}, {"cc-node": "ocn\u00e9"}],
    ids=range(5),
)
def test_malformed_credentials_on_any_route_get_401(client, leeds, method, route, headers):
    answer = client.open(f"/cc/leeds/{route}", method=method, headers=headers)
    assert answer.status_code == 401 and conforms(answer, "errors")
