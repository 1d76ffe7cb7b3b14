"""Our JSON Schemas of what the Credit Commons routes answer (schemas/cc_answers.json), for the in-process tests."""

import json
from pathlib import Path

import jsonschema

SCHEMAS = json.loads((Path(__file__).parent / "schemas" / "cc_answers.json").read_text())


def conforms(response, name: str) -> dict:
    """The answer's JSON, after checking it against our schema `name` (its $defs entry)."""
    body = response.get_json()
    jsonschema.Draft202012Validator({**SCHEMAS, "$ref": f"#/$defs/{name}"}).validate(body)
    return body
