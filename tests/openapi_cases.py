"""Schemathesis' coverage phase driven from the tests, as the CLI runs it before fuzzing
(`schemathesis.pytest.from_fixture` does not run on pytest 9 yet).

The coverage cases are deterministic: each keyword of the document at its bounds and just past
them (an empty string for an address, `0` for a boolean, an empty or repeated query parameter),
so a server more lenient than its document is found on every run, not by chance.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from schemathesis import GenerationMode


def coverage_failures(schema: Any, excluded_checks: Iterable[Callable[..., Any]] = ()) -> list[str]:
    """Every operation of `schema` through the coverage cases of both modes; what failed."""
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        cases = schema.iter_coverage_cases(
            operation,
            generation_modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
            generation_config=schema.config.generation_for(operation=operation),
        )
        for case in cases:
            try:
                case.call_and_validate(excluded_checks=list(excluded_checks))
            except Exception as exc:  # collect, so one run reports every case that breaks
                failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    return failures
