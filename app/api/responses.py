"""Responses of the open-data endpoints: caching with ETags, the documented error shapes,
the stability promise, and the public base address for links.

`cached_response` gives a weak ETag of the body and answers `If-None-Match` with 304.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any, Literal, overload

import orjson
from fastapi import HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel

from app.search.base import SearchIndex, SearchQuery, SearchResult, SearchUnavailable, beside
from app.search.rewrite import search_as_meant

log = logging.getLogger(__name__)

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


@overload
def search_or_503(index: SearchIndex, query: SearchQuery) -> SearchResult: ...


@overload
def search_or_503(index: SearchIndex, query: SearchQuery, as_meant: Literal[True]) -> tuple[SearchResult, str | None]: ...


def search_or_503(index: SearchIndex, query: SearchQuery, as_meant: bool = False) -> Any:
    """The search, or 503 (problem+json, Retry-After) when the engine cannot answer. `as_meant`:
    a query that finds nothing as typed is searched as another reading (`app.search.rewrite`),
    and the reading used is returned beside the result."""
    try:
        return search_as_meant(index, query) if as_meant else index.search(query)
    except SearchUnavailable as exc:
        log.warning("search unavailable for an open-data request: %s", exc)
        raise HTTPException(503, "Поиск временно недоступен, повторите запрос позже", headers={"Retry-After": "30"}) from exc


async def searched(index: SearchIndex, query: SearchQuery) -> tuple[SearchResult, str | None]:
    """`search_or_503(…, as_meant=True)` from an async route (`beside` the engine)."""
    return await beside(index, search_or_503, index, query, True)


def weak_etag(body: bytes) -> str:
    # BLAKE2b: 128 bits as before, in 60 % of SHA-256's time (a search answer is 40 KB).
    return 'W/"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


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
    """Serialise a pydantic model (by alias) or plain data as UTF-8 JSON; datetimes in UTC as
    pydantic writes them (`…Z`)."""
    if isinstance(data, BaseModel):
        return data.model_dump_json(by_alias=True).encode()
    return orjson.dumps(data, option=orjson.OPT_UTC_Z)


OPENAPI_TAGS = [
    {"name": TAG_API, "description": "Поиск, карточки, справочники и журнал изменений. Только опубликованные практики."},
    {"name": TAG_FEEDS, "description": "Лента Atom и выгрузка CSV / JSON Lines по любому поиску."},
]
API_DESCRIPTION = (
    "Поиск, публикация и открытые данные муниципальных практик.\n\n"
    "Открытые данные: JSON API `/api/v1`, лента Atom `/feeds/practices.atom`, "
    "экспорт `/export/practices.csv` и `/export/practices.jsonl`, виджет `/embed/practices`. "
    "Ошибки — `application/problem+json` (RFC 9457) с полем `errors: [{field, message}]`. "
    "Чтение открыто для любых сайтов (CORS), ответы кэшируются (ETag, Cache-Control).\n\n"
    "Параметры запроса читаются, как их отправляет HTML-форма: пустое значение (`year_from=`) — как "
    "если бы параметра не было; значения повторяемых параметров (`region`, `theme`, …) можно "
    "перечислить через запятую (`region=RU-BEL,RU-TA`); у остальных, если параметр повторён, "
    "действует последнее значение. Неизвестный или неверный параметр — ответ 400 с его именем.\n\n"
    + STABILITY_PROMISE
)
