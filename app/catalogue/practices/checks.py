"""A raw practice checked once, with every error at once: the schema's rules and the reference
tables' codes together, so nobody fixes one error to be shown the next. The forms, the API
and the imports check this way."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from app.catalogue.reference import Reference
from app.validation import error_list

M = TypeVar("M", bound=BaseModel)


def check(model: type[M], payload: dict[str, Any], ref: Reference) -> tuple[M | None, list[dict[str, str]], list[Any]]:
    """`payload` through `model` and the reference tables: (object or None, errors, the
    schema's raw errors in the same order as the first of `errors`). An unknown code is named
    even when other fields are wrong, unless its own field already has an error."""
    obj: M | None = None
    errors: list[dict[str, str]] = []
    raw: list[Any] = []
    try:
        obj = model.model_validate(payload)
    except ValidationError as exc:
        errors, raw = error_list(exc), list(exc.errors())
    seen = {e["field"] for e in errors}
    errors += [e for e in ref.errors(payload) if e["field"] not in seen]
    return (None, errors, raw) if errors else (obj, [], [])
