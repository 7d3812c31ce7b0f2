"""HTTP done right for the open-data endpoints: CORS, caching, ETags, parameter errors.

- CORS: the read API, feeds and export may be fetched from any origin (GET/HEAD only; no
  credentials, so `*` is safe). Preflight OPTIONS is answered here, before routing.
- Errors from these paths are never cached (`Cache-Control: no-store`).
- `cached_response` gives a weak ETag of the body and answers `If-None-Match` with 304.
- `BadParams` is the 400 problem+json that names every bad or unknown query parameter.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.search.base import SearchIndex, SearchQuery, SearchResult, SearchUnavailable
from app.settings import Settings

log = logging.getLogger(__name__)

# Paths other sites may read from a browser.
CORS_PREFIXES = ("/api/v1/", "/feeds/", "/export/", "/openapi.json")
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
EXPOSED_HEADERS = "ETag, Link, Content-Disposition, Cache-Control"
TAG_API = "Открытые данные: API v1"
TAG_FEEDS = "Открытые данные: лента и выгрузка"
LIST_MAX_AGE = 60  # seconds: lists, feeds, exports
ITEM_MAX_AGE = 300  # seconds: one card, reference lists

STABILITY_PROMISE = (
    "Обещание стабильности v1: в пределах `/api/v1` мы не удаляем и не переименовываем поля, "
    "параметры и адреса и не меняем их смысл и тип. Новые поля и параметры могут появляться — "
    "клиенты должны игнорировать незнакомые поля. Несовместимые изменения выйдут только как `/api/v2`, "
    "а `/api/v1` будет работать не меньше 12 месяцев после объявления v2 на странице /about/api. "
    "Лента Atom, экспорт CSV/JSON Lines и виджет следуют тому же обещанию."
)


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


def problem_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/problem+json": {"schema": PROBLEM_SCHEMA}}}


NOT_MODIFIED: dict[str, Any] = {"description": "Не изменилось с прошлого раза (If-None-Match совпал с ETag)"}
BAD_REQUEST = problem_response("Неверный или неизвестный параметр; `errors` называет его")
UNAVAILABLE = problem_response("Поиск временно недоступен; повторите через `Retry-After` секунд")


class BadParams(Exception):
    """A request whose query parameters are wrong; `errors` is [{"field", "message"}]."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors

    @property
    def detail(self) -> str:
        return "Неверные параметры запроса: " + ", ".join(dict.fromkeys(e["field"] for e in self.errors))


def unknown_params(request: Request, allowed: Iterable[str]) -> list[dict[str, str]]:
    allowed = set(allowed)
    return [
        {"field": name, "message": "неизвестный параметр; допустимо: " + ", ".join(sorted(allowed))}
        for name in dict.fromkeys(request.query_params.keys())
        if name not in allowed
    ]


def search_or_503(index: SearchIndex, query: SearchQuery) -> SearchResult:
    """The search, or 503 (problem+json, Retry-After) when the engine cannot answer."""
    try:
        return index.search(query)
    except SearchUnavailable as exc:
        log.warning("search unavailable for an open-data request: %s", exc)
        raise HTTPException(503, "Поиск временно недоступен, повторите запрос позже", headers={"Retry-After": "30"}) from exc


def public_base(request: Request, settings: Settings) -> str:
    """The site's public address without a trailing slash (settings.base_url wins)."""
    return (settings.base_url or str(request.base_url)).rstrip("/")


def weak_etag(body: bytes) -> str:
    return 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def etag_matches(request: Request, etag: str) -> bool:
    """`If-None-Match` with weak comparison (RFC 9110 §13.1.2)."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    if header.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in header.split(","))


def cached_response(
    request: Request,
    body: bytes,
    media_type: str,
    max_age: int = LIST_MAX_AGE,
    headers: dict[str, str] | None = None,
) -> Response:
    """200 with a weak ETag and public caching, or 304 if the client has this body already."""
    etag = weak_etag(body)
    out = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}", **(headers or {})}
    if etag_matches(request, etag):
        return Response(status_code=304, headers=out)
    return Response(body, media_type=media_type, headers=out)


def json_body(data: Any) -> bytes:
    """Serialise a pydantic model (by alias) or plain data as UTF-8 JSON."""
    if hasattr(data, "model_dump_json"):
        return data.model_dump_json(by_alias=True).encode()
    import json

    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


class OpenDataMiddleware:
    """CORS for the read endpoints, `no-store` on their errors, HEAD answered as GET without a body.

    Pure ASGI, so streamed exports pass through untouched.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(CORS_PREFIXES):
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        request_headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if method == "OPTIONS" and "access-control-request-method" in request_headers:
            await self._preflight(request_headers, send)
            return

        if method == "HEAD":  # the routes are GET; answer with the GET's headers only
            scope = {**scope, "method": "GET"}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.body" and method == "HEAD":
                message = {**message, "body": b""}
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if method in ("GET", "HEAD"):
                    headers["Access-Control-Allow-Origin"] = "*"
                    headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
                if message["status"] >= 400:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_wrapper)

    @staticmethod
    async def _preflight(request_headers: dict[str, str], send: Send) -> None:
        headers = [
            (b"access-control-allow-origin", b"*"),
            (b"access-control-allow-methods", ALLOWED_METHODS.encode()),
            (b"access-control-max-age", b"86400"),
            (b"content-length", b"0"),
        ]
        wanted = request_headers.get("access-control-request-headers")
        if wanted:  # no credentials are ever allowed, so any request header is harmless
            headers.append((b"access-control-allow-headers", wanted.encode("latin-1")))
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})


def install(app: FastAPI) -> None:
    """Middleware, the 400 handler and the API's written promise in the OpenAPI description."""
    from app.errors import problem

    app.add_middleware(OpenDataMiddleware)

    @app.exception_handler(BadParams)
    async def bad_params(request: Request, exc: BadParams) -> Response:
        return problem(400, exc.detail, exc.errors)

    original_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        # Our read endpoints validate through parse_search and answer 400, never FastAPI's 422.
        if app.openapi_schema is None:
            schema = original_openapi()
            for path, operations in schema.get("paths", {}).items():
                if path.startswith(CORS_PREFIXES):
                    for operation in operations.values():
                        responses = operation.get("responses", {})
                        if "400" in responses:
                            responses.pop("422", None)
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
    app.openapi_tags = [
        *(app.openapi_tags or []),
        {"name": TAG_API, "description": "Поиск, карточки, справочники и журнал изменений. Только опубликованные практики."},
        {"name": TAG_FEEDS, "description": "Лента Atom и выгрузка CSV / JSON Lines по любому поиску."},
    ]
    app.description = (
        (app.description or "")
        + "\n\nОткрытые данные: JSON API `/api/v1`, лента Atom `/feeds/practices.atom`, "
        "экспорт `/export/practices.csv` и `/export/practices.jsonl`, виджет `/embed/practices`. "
        "Ошибки — `application/problem+json` (RFC 9457) с полем `errors: [{field, message}]`. "
        "Чтение открыто для любых сайтов (CORS), ответы кэшируются (ETag, Cache-Control).\n\n"
        + STABILITY_PROMISE
    )
