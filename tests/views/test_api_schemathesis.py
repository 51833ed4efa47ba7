"""Schemathesis generates requests from the OpenAPI document: no 5xx, no response that contradicts it.

Operations are driven through Hypothesis directly (schemathesis' pytest plugin does not yet work
with pytest 9), one parametrised test per documented operation.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from schemathesis.checks import positive_data_acceptance
from schemathesis.generation import GenerationMode

from calendar_app.api.openapi import PATHS
from calendar_app.api.openapi_writes import PATHS as WRITE_PATHS

OPERATIONS = [f"GET {path}" for path in PATHS]
#: The write side, called with a district staff member's token: generated bodies must be answered
#: with 2xx or a documented 4xx, never a 5xx.
WRITE_OPERATIONS = [f"{method.upper()} {path}" for path, ops in WRITE_PATHS.items() for method in ops]
#: Negative requests need a parameter to break: operations without any have none.
CASES = [(op, GenerationMode.POSITIVE) for op in OPERATIONS] + [
    (f"GET {path}", GenerationMode.NEGATIVE) for path, item in PATHS.items() if item["get"].get("parameters")]


@pytest.fixture(scope="module")
def api_schema(app, demo):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.mark.parametrize("operation, mode", CASES, ids=[f"{op}-{mode.value}" for op, mode in CASES])
def test_api_conforms_to_its_openapi_document(api_schema, operation, mode):
    """Positive: schema-valid requests get documented answers. Negative: schema-invalid ones (an empty
    `start`, a `limit` of "abc") are refused, so that what the document forbids the API forbids too."""
    method, path = operation.split(" ", 1)
    op = api_schema[path][method]

    @given(case=op.as_strategy(generation_mode=mode))
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case):
        # A schema-valid request may still be refused for rules OpenAPI cannot state (end before start,
        # a window over a year, a cursor not issued by us): those 400s are correct, so that one check is off.
        # The in-process transport asks for compression but does not decompress: ask for plain bytes
        # (compressed JSON is tested in tests/feeds/test_feed_compression.py).
        case.headers = {**(case.headers or {}), "Accept-Encoding": "identity"}
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    run()


@pytest.fixture(scope="module")
def staff_token(app, demo):
    from sqlalchemy import select

    from calendar_app.accounts.models import User
    from calendar_app.accounts.tokens import issue_api_token

    user = demo.session.scalar(select(User).where(User.username == "linzi_staff"))
    _, secret = issue_api_token(user)
    demo.session.commit()
    return secret


@pytest.mark.parametrize("operation", WRITE_OPERATIONS)
def test_api_writes_answer_every_generated_request_without_a_server_error(api_schema, staff_token, operation):
    method, path = operation.split(" ", 1)
    op = api_schema[path][method]

    @given(case=op.as_strategy())
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case):
        # Always the real token: generated credentials would only meet the token-guessing limit.
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {staff_token}",
                        "Accept-Encoding": "identity"}  # see above
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    run()
