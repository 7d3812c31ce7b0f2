"""POST /api/v1/submissions fuzzed from its OpenAPI document: never a 5xx, every answer as
documented, whatever the body holds (schemathesis strategies driven by Hypothesis directly,
as in tests/api/test_schema.py)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

EXAMPLES = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 25}


@pytest.mark.parametrize("mode", list(EXAMPLES), ids=lambda m: m.value)
def test_submission_api_conforms_to_its_schema(app, mode):  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_asgi("/openapi.json", app).include(method="POST", path="/api/v1/submissions")
    (result,) = list(schema.get_all_operations())
    operation = result.ok()

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES[mode], deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def fuzz(case):  # type: ignore[no-untyped-def]
        # Data that fits the schema may still name an unknown region or theme (422): the
        # reference tables are not in the schema. Negative data may be forgiven (a stray
        # control character is cleaned away), so acceptance is not a failure either.
        case.call_and_validate(excluded_checks=[positive_data_acceptance, negative_data_rejection])

    fuzz()
