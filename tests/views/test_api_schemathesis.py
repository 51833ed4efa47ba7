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

OPERATIONS = [f"GET {path}" for path in PATHS]
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
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    run()
