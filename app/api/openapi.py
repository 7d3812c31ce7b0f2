"""The OpenAPI document as people read it in /docs: in Russian, with an example for every schema and
every operation.

FastAPI writes «Successful Response» and «Validation Error» itself, and describes its 422 as its
own shape, though this service answers every error as problem+json (`app.errors`). `finish`
rewrites those, and hangs the examples of `app.api.examples` on their schemas: each nested schema
takes the part of its parent's example it describes, so the examples agree with each other.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI

from app.api import examples
from app.api.responses import PROBLEM_SCHEMA

_REF = "#/components/schemas/"
JSON_TYPES = ("application/json", "application/problem+json")
VALIDATION = "Неверный параметр пути или поле тела: `errors` называет каждый"


def _success(operation: dict[str, Any], status: str) -> str:
    summary = (operation.get("summary") or "").strip()
    what = summary[:1].lower() + summary[1:] if summary else "ответ"
    return f"{'Создано' if status == '201' else 'Успешно'}: {what}"


def _problem(status: str) -> dict[str, Any]:
    code = int(status)
    return {**examples.PROBLEM, "status": code, "title": HTTPStatus(code).phrase,
            **({} if code == 400 else {"detail": HTTPStatus(code).description or HTTPStatus(code).phrase})}


def _russian_responses(doc: dict[str, Any]) -> None:
    for operation in _operations(doc):
        for status, response in operation.get("responses", {}).items():
            if response.get("description") == "Successful Response":
                response["description"] = _success(operation, status)
            if response.get("description") == "Validation Error":
                response["description"] = VALIDATION
                response["content"] = {"application/problem+json": {"schema": PROBLEM_SCHEMA}}
            for spec in (response.get("content") or {}).values():
                schema = spec.get("schema") or {}
                if str(schema.get("title", "")).startswith("Response "):
                    del schema["title"]  # FastAPI's «Response Healthz Healthz Get»
    schemas = doc.get("components", {}).get("schemas", {})
    text = repr(doc["paths"])
    for unused in ("HTTPValidationError", "ValidationError"):
        if _REF + unused not in text:
            schemas.pop(unused, None)


def _operations(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for item in doc.get("paths", {}).values() for op in item.values() if isinstance(op, dict)]


def _walk(schema: dict[str, Any], example: Any, schemas: dict[str, Any], found: dict[str, Any]) -> None:
    """Give every named schema under `schema` the part of `example` it describes (the first seen)."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix(_REF)
        if name not in found:
            found[name] = example
            _walk(schemas[name], example, schemas, found)
        return
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            if example is None or option.get("type") == "null":
                continue
            _walk(option, example, schemas, found)
    if isinstance(example, dict):
        properties = schema.get("properties", {})
        for name, value in example.items():
            if name in properties:
                _walk(properties[name], value, schemas, found)
            elif isinstance(schema.get("additionalProperties"), dict):
                _walk(schema["additionalProperties"], value, schemas, found)
    elif isinstance(example, list) and isinstance(schema.get("items"), dict):
        for item in example:
            _walk(schema["items"], item, schemas, found)


def _component_examples(doc: dict[str, Any]) -> dict[str, Any]:
    """Every named schema's example: the listed ones, and the parts of them nested schemas describe."""
    schemas = doc.get("components", {}).get("schemas", {})
    found: dict[str, Any] = {}
    for name, example in examples.COMPONENTS.items():
        if name in schemas:
            found.setdefault(name, example)
            _walk(schemas[name], example, schemas, found)
    for name, example in found.items():
        schemas[name].setdefault("examples", [example])
    return found


def _content_example(spec: dict[str, Any], media: str, status: str, key: tuple[str, str], found: dict[str, Any]) -> None:
    if "example" in spec or "examples" in spec:
        return
    ref = (spec.get("schema") or {}).get("$ref", "").removeprefix(_REF)
    if ref in found:
        spec["example"] = found[ref]
    elif media == "application/problem+json":
        spec["example"] = _problem(status)
    elif key in examples.RESPONSES:
        spec["example"] = examples.RESPONSES[key]


def _examples(doc: dict[str, Any]) -> None:
    found = _component_examples(doc)
    for path, item in doc.get("paths", {}).items():
        for method, operation in item.items():
            for status, response in operation.get("responses", {}).items():
                for media, spec in (response.get("content") or {}).items():
                    _content_example(spec, media, status, (method, path), found)
            for media, spec in operation.get("requestBody", {}).get("content", {}).items():
                _content_example(spec, media, "", (method, path), found)


def finish(doc: dict[str, Any]) -> dict[str, Any]:
    _russian_responses(doc)
    _examples(doc)
    return doc


def install(app: FastAPI) -> None:
    """`app.openapi()` gives the finished document (built once, like FastAPI's own)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        fresh = app.openapi_schema is None
        doc = build()
        return finish(doc) if fresh else doc

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to customise the document
