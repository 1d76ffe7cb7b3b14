"""The OpenAPI document matches the route map, carries each route's request model, and /api/docs works offline."""

import re

from platform6.api import PREFIX
from platform6.openapi import body_model, openapi_path

METHODS = {"get", "post", "put", "patch", "delete"}


def document(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def api_routes(app) -> dict[tuple[str, str], object]:
    return {
        (method.lower(), openapi_path(rule.rule)): rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(PREFIX + "/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def operations(doc: dict):
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            assert method in METHODS
            yield (method, path), operation


def test_it_is_openapi_3_1_of_the_api(client):
    doc = document(client)
    assert doc["openapi"] == "3.1.0"
    assert doc["servers"] == [{"url": "/api/v1"}]
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_the_document_names_exactly_the_routes_of_the_route_map(app, client):
    documented = {key for key, _ in operations(document(client))}
    assert documented == set(api_routes(app))


def test_every_path_parameter_is_declared_with_its_type(app, client):
    routes = api_routes(app)
    for key, operation in operations(document(client)):
        declared = {p["name"]: p["schema"]["type"] for p in operation["parameters"] if p["in"] == "path"}
        assert set(declared) == set(re.findall(r"{(\w+)}", key[1])), key
        for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", routes[key].rule):
            assert declared[name] == ("integer" if converter == "int" else "string"), key


def test_each_write_carries_the_pydantic_model_its_view_parses(app, client):
    doc = document(client)
    schemas = doc["components"]["schemas"]
    routes = api_routes(app)
    with_body = 0
    for key, operation in operations(doc):
        model = body_model(app.view_functions[routes[key].endpoint])
        if model is None:
            assert "requestBody" not in operation, key
            continue
        with_body += 1
        reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert reference == f"#/components/schemas/{model.__name__}"
        assert set(schemas[model.__name__]["properties"]) == set(model.model_fields), key
    assert with_body >= 8
    new_group = schemas["NewGroup"]
    assert new_group["required"] == ["name"]
    assert new_group["properties"]["name"]["maxLength"] == 100
    assert {"open", "closed", "secret"} <= set(
        re.findall(r"open|closed|secret", str(new_group["properties"]["privacy"]))
    )
    assert operations_by_key(doc)[("post", "/groups")]["requestBody"]["required"] is True


def operations_by_key(doc: dict) -> dict:
    return dict(operations(doc))


def test_statuses_auth_and_lists_follow_the_views(client):
    ops = operations_by_key(document(client))
    assert set(ops[("post", "/groups/{group_id}/join")]["responses"]) >= {"201", "202", "401", "404", "429"}
    assert "204" in ops[("delete", "/tokens/current")]["responses"]
    assert ops[("post", "/tokens")]["security"] == []
    assert ops[("get", "/me")]["security"] == [{"bearer": []}]
    assert {} in ops[("get", "/groups/{group_id}")]["security"]
    listing = ops[("get", "/notifications")]
    assert {p["name"] for p in listing["parameters"]} >= {"cursor", "limit"}
    assert listing["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Page"}


def test_every_reference_resolves(client):
    doc = document(client)
    text = str(doc)
    for reference in set(re.findall(r"'\$ref': '#/components/(\w+)/(\w+)'", text)):
        kind, name = reference
        assert name in doc["components"][kind], reference


def test_the_error_responses_use_the_api_error_body(client):
    doc = document(client)
    error = doc["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["required"] == ["code", "message"]
    assert doc["components"]["responses"]["E429"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


def test_api_docs_page_uses_only_vendored_assets_and_no_inline_script(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    for asset in [s for s in sources if s.startswith("/static/")]:
        fetched = client.get(asset)
        assert fetched.status_code == 200, asset
        fetched.close()
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
