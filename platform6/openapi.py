"""The OpenAPI 3.1 document of /api/v1, built from the app's route map, and browsable docs at /api/docs.

Nothing is written twice: paths and methods come from the URL rules under /api/v1; a route's
request body is the pydantic `Body` model its view passes to `parse_body(...)`; bearer auth from
whether it calls `require_user()` or `optional_user()`; list routes (`paginate`/`page_of`/`_ranked_page`) get the
`cursor` and `limit` parameters and the list envelope; the success status from `created(...)` (201),
`no_content()` (204) or an explicit `, 202`. A feature's api.py needs no changes to appear here.
"""

import inspect
import re

from flask import Blueprint, Flask, current_app, jsonify, render_template
from pydantic import BaseModel

from .api import MAX_ID, MAX_LIMIT, PREFIX, api_blueprint
from .security import CONTENT_SECURITY_POLICY

bp = api_blueprint("openapi_api", __name__)
docs = Blueprint("api_docs", __name__)

#: Swagger UI renders with inline style attributes; scripts stay 'self' only.
DOCS_CSP = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

_PLACEHOLDER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
_BODY_CALL = re.compile(r"parse_body\((\w+)\)")
_EXPLICIT_STATUS = re.compile(r"\),\s*(20[0-9])\s*$", re.MULTILINE)

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "examples": ["not_found"]},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            },
        }
    },
}
PAGE_SCHEMA = {
    "type": "object",
    "required": ["items", "next"],
    "properties": {"items": {"type": "array", "items": {"type": "object"}}, "next": {"type": ["string", "null"]}},
}
ERRORS = {
    "400": "The body is not JSON (`bad_request`).",
    "401": "No token, or a wrong or revoked one (`unauthorized`).",
    "403": "Visible but not allowed (`forbidden`, or a domain code).",
    "404": "Not found, or not visible to the caller (`not_found`).",
    "409": "Conflicts with the current state (`conflict`, or a domain code).",
    "422": "Wrong shape or type, or a rule refused it (`validation_failed`, or a domain code).",
    "429": "Too many requests (`rate_limited`); see Retry-After.",
    "503": "The database cannot be reached (`service_unavailable`); see Retry-After.",
}


def openapi_path(rule: str) -> str:
    return _PLACEHOLDER.sub(lambda m: "{" + m.group(2) + "}", rule[len(PREFIX) :])


def _path_parameters(rule: str) -> list[dict]:
    parameters = []
    for converter, name in _PLACEHOLDER.findall(rule):
        schema = {"type": "integer", "minimum": 0, "maximum": MAX_ID} if converter == "int" else {"type": "string"}
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return parameters


def _source(view) -> str:
    try:
        return inspect.getsource(inspect.unwrap(view))
    except (OSError, TypeError):
        return ""


def body_model(view) -> type[BaseModel] | None:
    """The pydantic model the view parses its body with, if any."""
    found = _BODY_CALL.search(_source(view))
    if not found:
        return None
    model = inspect.unwrap(view).__globals__.get(found.group(1))
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def success_statuses(source: str) -> list[str]:
    """The 2xx statuses a view answers: 201 for created(...), 204 for no_content(), explicit ", 20x", else 200."""
    statuses = set(_EXPLICIT_STATUS.findall(source))
    if "no_content()" in source:
        statuses.add("204")
    if "created(" in source:
        statuses.add("201")
    return sorted(statuses) or ["200"]


def _summary(view, endpoint: str) -> str:
    doc = inspect.getdoc(inspect.unwrap(view))
    if doc:
        return doc.splitlines()[0]
    return endpoint.split(".")[-1].replace("_", " ").capitalize()


def _operation(app: Flask, rule, method: str, schemas: dict) -> dict:
    view = app.view_functions[rule.endpoint]
    source = _source(view)
    blueprint = rule.endpoint.split(".")[0]
    operation: dict = {
        "operationId": f"{rule.endpoint}.{method.lower()}",
        "summary": _summary(view, rule.endpoint),
        "tags": [blueprint.removesuffix("_api")],
        "parameters": _path_parameters(rule.rule),
    }
    if "require_user()" in source:
        operation["security"] = [{"bearer": []}]
    elif "optional_user()" in source:
        operation["security"] = [{}, {"bearer": []}]
    else:
        operation["security"] = []
    listing = any(call in source for call in ("paginate(", "page_of(", "_ranked_page("))
    if listing:
        operation["parameters"] += [
            {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"}},
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 50},
            },
        ]
    if (model := body_model(view)) is not None:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
        operation["requestBody"] = {
            "required": bool(schema.get("required")),
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}},
        }
    responses: dict = {}
    for status in success_statuses(source):
        responses[status] = {"description": "Done."}
        if status != "204":
            schema = {"$ref": "#/components/schemas/Page"} if listing else {"type": "object"}
            responses[status]["content"] = {"application/json": {"schema": schema}}
    operation["responses"] = responses | {code: {"$ref": f"#/components/responses/E{code}"} for code in ERRORS}
    return operation


def build_document(app: Flask) -> dict:
    schemas: dict = {"Error": ERROR_SCHEMA, "Page": PAGE_SCHEMA}
    paths: dict = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(openapi_path(rule.rule), {})[method.lower()] = _operation(app, rule, method, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Platform 6 API",
            "version": "1",
            "description": "Discussions, decisions, skills and mutual credit for co-operative networks. "
            "Errors use one body: `{error: {code, message, fields?}}`; ids and amounts are integers "
            "up to 2^53-1; lists are `{items, next}` pages.",
        },
        "servers": [{"url": PREFIX}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "POST /tokens"}},
            "responses": {
                f"E{code}": {
                    "description": text,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
                for code, text in ERRORS.items()
            },
        },
    }


@bp.get("/openapi.json")
def openapi_document():
    """This document: the whole /api/v1 as OpenAPI 3.1."""
    document = current_app.extensions.get("openapi_document")
    if document is None:
        document = current_app.extensions["openapi_document"] = build_document(current_app)
    return jsonify(document)


@docs.get("/api/docs")
def browse():
    response = current_app.make_response(render_template("api_docs.html"))
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response


def configure_api_docs(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(docs)
