"""`/docs`: the OpenAPI document to try requests in (Swagger UI, served by this site from
app/web/static/swagger-ui, vendored by scripts/vendor-swagger-ui.sh: never a CDN), and
`/docs/reference`: the same document as a plain server-rendered page (no JavaScript): every
operation with its parameters, examples and responses, and every schema. FastAPI's own /docs
loads its scripts from a public CDN, so `create_app` turns it off. The machine-readable document
stays at `/openapi.json`.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape

from app.web.templating import render

router = APIRouter(include_in_schema=False)
METHODS = ("get", "post", "put", "patch", "delete")
_REF = "#/components/schemas/"
EMPTY = "пусто (= не указано)"


def code_spans(text: str | None) -> Markup:
    """Text with `backticks` as <code>; every piece escaped."""
    parts = re.split(r"`([^`]*)`", text or "")
    return Markup("").join(
        Markup("<code>{}</code>").format(part) if i % 2 else escape(part) for i, part in enumerate(parts)
    )


def schema_link(ref: str) -> Markup:
    name = ref.removeprefix(_REF)
    return Markup('<a href="#schema-{}">{}</a>').format(name, name)


def describe(schema: dict[str, Any] | None) -> Markup:
    """A short Russian description of a JSON schema, linking to named schemas."""
    if not schema:
        return Markup("любое значение")
    if "$ref" in schema:
        return schema_link(schema["$ref"])
    if "anyOf" in schema or "oneOf" in schema:
        options = schema.get("anyOf") or schema.get("oneOf") or []
        nullable = any(o.get("type") == "null" for o in options)
        shown = Markup(" или ").join(describe(o) for o in options if o.get("type") != "null")
        return shown + Markup(" или null") if nullable else shown
    kind = schema.get("type")
    if schema.get("const") == "":  # a query parameter's empty value (app.api.params.NOT_GIVEN)
        return Markup(EMPTY)
    if "enum" in schema:
        return Markup("одно из: ") + Markup(", ").join(
            Markup("<code>{}</code>").format(v) if v != "" else Markup(EMPTY) for v in schema["enum"]
        )
    if kind == "array":
        return Markup("список: ") + describe(schema.get("items"))
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return Markup("объект: имя → ") + describe(schema["additionalProperties"])
    names = {"integer": "целое", "number": "число", "string": "строка", "boolean": "true или false", "object": "объект"}
    text = names.get(str(kind), str(kind or "значение"))
    if "minimum" in schema or "maximum" in schema:
        text += f" {schema.get('minimum', '…')}–{schema.get('maximum', '…')}"
    if schema.get("maxLength"):
        text += f", до {schema['maxLength']} символов"
    if schema.get("format") == "date-time":
        text = "дата и время (ISO 8601)"
    return escape(text)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(_shown(v) for v in value)
    return str(value)


def _examples(schema: dict[str, Any]) -> list[str]:
    """A parameter's examples as they are written in a URL."""
    return [_shown(v) for v in schema.get("examples") or ([schema["example"]] if "example" in schema else [])]


def operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Operations grouped by their first tag; declared tags first, operations in the document's order."""
    groups: dict[str, dict[str, Any]] = {}
    described = {t["name"]: t.get("description") for t in document.get("tags", [])}
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            tag = (op.get("tags") or ["Прочее"])[0]
            group = groups.setdefault(tag, {"name": tag, "description": described.get(tag), "operations": []})
            params = [
                {
                    "name": p["name"],
                    "in": {"query": "запрос", "path": "путь", "header": "заголовок"}.get(p["in"], p["in"]),
                    "required": p.get("required", False),
                    "type": describe(p.get("schema")),
                    "description": p.get("description") or p.get("schema", {}).get("description"),
                    "examples": _examples(p.get("schema", {})),
                }
                for p in op.get("parameters", [])
            ]
            body = (op.get("requestBody") or {}).get("content", {})
            responses = [
                {
                    "status": status,
                    "description": response.get("description", ""),
                    "content": [
                        {"type": media, "schema": describe(spec.get("schema")) if spec.get("schema") else None}
                        for media, spec in (response.get("content") or {}).items()
                    ],
                }
                for status, response in op.get("responses", {}).items()
            ]
            group["operations"].append({
                "id": re.sub(r"[^a-z0-9]+", "-", f"{method}{path}".lower()).strip("-"),
                "method": method.upper(),
                "path": path,
                "summary": op.get("summary"),
                "description": op.get("description"),
                "parameters": params,
                "body": [{"type": m, "schema": describe(s.get("schema"))} for m, s in body.items()],
                "responses": responses,
            })
    order = list(described)  # declared tags (the open data first), then the rest as they come
    return sorted(groups.values(), key=lambda g: order.index(g["name"]) if g["name"] in order else len(order))


def schemas(document: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        required = set(schema.get("required", []))
        out.append({
            "name": name,
            "description": schema.get("description"),
            "properties": [
                {"name": prop, "type": describe(spec), "required": prop in required, "description": spec.get("description")}
                for prop, spec in schema.get("properties", {}).items()
            ],
            "type": None if schema.get("properties") else describe(schema),
        })
    return out


@router.get("/docs", response_class=HTMLResponse)
def try_it(request: Request) -> HTMLResponse:
    return render(request, "docs.html", {"openapi_url": request.app.openapi_url})


@router.get("/docs/reference", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    document = request.app.openapi()
    info = document.get("info", {})
    context = {
        "info": info,
        "paragraphs": [code_spans(p) for p in (info.get("description") or "").split("\n\n") if p.strip()],
        "groups": operations(document),
        "schemas": schemas(document),
        "code_spans": code_spans,
    }
    return render(request, "about_api_docs.html", context)
