"""POST /api/v1/submissions fuzzed from its OpenAPI document: never a 5xx, every answer as
documented, whatever the body holds, and a body the document does not allow is refused
(schemathesis strategies driven by Hypothesis directly, as in tests/api/test_schema.py)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.openapi_cases import coverage_failures

EXAMPLES = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 25}
# Data that fits the schema may still name an unknown region or theme (422): the reference tables
# are not in the schema, so acceptance of schema-valid data is not checked. Data that does not
# fit it must be refused: the body's booleans and numbers are JSON's own, an empty address is
# documented.
EXCLUDED = [positive_data_acceptance]


def load(app):  # type: ignore[no-untyped-def]
    return schemathesis.openapi.from_asgi("/openapi.json", app).include(method="POST", path="/api/v1/submissions")


@pytest.mark.parametrize("mode", list(EXAMPLES), ids=lambda m: m.value)
def test_submission_api_conforms_to_its_schema(app, mode):  # type: ignore[no-untyped-def]
    schema = load(app)
    (result,) = list(schema.get_all_operations())
    operation = result.ok()

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES[mode], deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def fuzz(case):  # type: ignore[no-untyped-def]
        case.call_and_validate(excluded_checks=EXCLUDED)

    fuzz()


def test_submission_api_conforms_to_its_schema_at_every_bound(app):  # type: ignore[no-untyped-def]
    """`contact_public: 0`, `"email": ""`, a figure's `"value_before": false`: the coverage cases find each."""
    failures = coverage_failures(load(app), excluded_checks=EXCLUDED)
    assert not failures, "\n\n".join(failures)
