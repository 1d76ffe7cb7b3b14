"""Contract fuzzing: Schemathesis generates requests for every operation of /api/v1/openapi.json.

Runs when Schemathesis is installed (requirements-dev.txt); a bounded number of examples per operation.
"""

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 15


def test_no_generated_request_gives_a_500_or_an_answer_the_document_does_not_allow(app, api, create_user, create_group):
    user = create_user()
    create_group(admin=user, privacy="open")
    create_group(admin=user, privacy="secret")
    headers = {"Authorization": f"Bearer {api.token(user)}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        if operation.path == "/tokens/current":
            continue  # revoking the token would leave the other operations anonymous; tested by hand

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        run()
