"""The API fuzzed from its own OpenAPI document (schemathesis): no 5xx, no answer off the schema.

Every GET operation of the open-data endpoints, against a small published corpus with hidden
practices beside it, with data that fits the schema (positive: it must be accepted and
answered as documented) and data that does not (negative: still never a 5xx, and every answer
as documented). The number of examples is kept modest so this stays well under a minute.

The one parser forgives what the search page's URLs carry — empty values and comma lists such as
`region=&region=RU-BEL,RU-TA`, `has_figures=1` — and the document says so (an empty value beside
each optional value, comma lists in a list's item pattern: `app.api.params.documented`), so
whatever the server accepts is in the document, and whatever is not, it refuses. The coverage
phase's deterministic cases check that with "schema-violating request accepted"
(`tests.openapi_cases`), as the CLI runs them. The random negative cases leave that one check
out: in a query string some of their mutations are valid values again (a list of codes made an
integer is `award=2067`, text a code may be; a parameter made null is sent as not given), so
the check would fail on requests that are right.

(`schemathesis.pytest.from_fixture` does not run on pytest 9 yet, so the strategies are driven
by Hypothesis directly, one operation after another.)
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection

from tests.openapi_cases import coverage_failures

OPEN_DATA = r"^/(api/v1/(practices|districts|regions|themes|municipality-types|changes)|feeds/|export/)"
EXAMPLES = {GenerationMode.POSITIVE: 20, GenerationMode.NEGATIVE: 10}


def load(app):  # type: ignore[no-untyped-def]
    return schemathesis.openapi.from_asgi("/openapi.json", app).include(method="GET", path_regex=OPEN_DATA)


def test_fuzzing_covers_the_open_data_operations(app):  # type: ignore[no-untyped-def]
    paths = {result.ok().path for result in load(app).get_all_operations()}
    assert paths == {
        "/api/v1/practices", "/api/v1/practices/{key}", "/api/v1/practices/{key}/adoptions", "/api/v1/districts", "/api/v1/regions", "/api/v1/themes",
        "/api/v1/municipality-types", "/api/v1/changes", "/feeds/practices.atom",
        "/export/practices.csv", "/export/practices.jsonl", "/export/practices.xlsx", "/export/practices-template.xlsx",
    }


@pytest.mark.parametrize("mode", list(EXAMPLES), ids=lambda m: m.value)
def test_open_data_api_conforms_to_its_schema(app, corpus, mode):  # type: ignore[no-untyped-def]
    failures = []
    for result in load(app).get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES[mode], deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def fuzz(case):  # type: ignore[no-untyped-def]
            case.call_and_validate(excluded_checks=[negative_data_rejection] if mode == GenerationMode.NEGATIVE else [])

        try:
            fuzz()
        except Unsatisfiable:  # no parameter that could be made invalid (e.g. /api/v1/regions)
            assert mode == GenerationMode.NEGATIVE, operation.path
        except Exception as exc:  # collect, so one run reports every operation that breaks
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)


def test_open_data_api_conforms_to_its_schema_at_every_bound(app, corpus):  # type: ignore[no-untyped-def]
    failures = coverage_failures(load(app))
    assert not failures, "\n\n".join(failures)
