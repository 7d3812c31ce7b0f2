"""`/api/v1/practices`: the search and the card.

Everything here is public and read-only: published practices only, CORS open, ETag and
Cache-Control on every success, problem+json on every error.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import Response

from app.api.params import NoParams, SearchQueryDep, documented
from app.api.responses import (
    BAD_REQUEST,
    ITEM_MAX_AGE,
    LIST_MAX_AGE,
    NOT_MODIFIED,
    UNAVAILABLE,
    cached_response,
    json_body,
    problem_response,
    searched,
)
from app.api.v1.models import AdoptionList, PracticeCard, PracticeList
from app.api.v1.present import adoption_out, hit_item, link_header, page_links, practice_card
from app.catalogue.practices import queries
from app.deps import ReferenceDep, SearchDep, SessionDep, SettingsDep
from app.links import public_base
from app.search.params import LIST, facet_value, labelled_facets

NOT_FOUND = problem_response("Нет такой опубликованной практики")
router = APIRouter()


@router.get(
    "/practices",
    response_model=PracticeList,
    summary="Поиск практик",
    description="Тот же поиск, что на странице /practices: текст, фильтры, сортировка, страницы, фасеты. "
    "Ссылки на соседние страницы — в `links` и в заголовке `Link` (заголовок опускается, если длиннее 4 КБ).",
    responses={304: NOT_MODIFIED, 400: BAD_REQUEST, 503: UNAVAILABLE},
    openapi_extra=documented(LIST.model),
)
async def list_practices(
    request: Request, query: SearchQueryDep, index: SearchDep, ref: ReferenceDep, settings: SettingsDep
) -> Response:
    result, shown = await searched(index, query)
    base = public_base(request, settings)
    links = page_links(base + "/api/v1/practices", query, result, request.query_params.get("facets"))
    # Plain data, serialised as it is: it is built here field by field after `PracticeList`, and
    # validating twenty items and a hundred facet values again took a sixth of the request
    # (tests/api/test_practices_list.py checks every answer validates as PracticeList).
    body = {
        "items": [hit_item(hit, ref, base) for hit in result.hits],
        "total": result.total,
        "page": query.page,
        "per_page": query.per_page,
        "pages": result.pages,
        "facets": labelled_facets(result, query, ref.label, facet_value),  # dataclasses: orjson writes them as objects
        "links": links.model_dump(by_alias=True),
        "shown_text": shown,
    }
    return cached_response(request, json_body(body), "application/json", LIST_MAX_AGE, link_header(links))


_KEY = re.compile(r"^(\d{1,18}|[a-z0-9]+(?:-[a-z0-9]+)*)$")


@router.get(
    "/practices/{key}",
    response_model=PracticeCard,
    summary="Карточка практики",
    description="Полная публичная карточка по id или slug. Контакты — только если авторы разрешили их публиковать.",
    responses={304: NOT_MODIFIED, 400: BAD_REQUEST, 404: NOT_FOUND},
    dependencies=[NoParams],
)
def get_practice(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    ref: ReferenceDep,
    key: Annotated[str, Path(description="Числовой id или slug", examples=["42"])],
) -> Response:
    practice = queries.get_public(session, key) if _KEY.match(key) else None
    if practice is None:
        raise HTTPException(404, "Практика не найдена или не опубликована")
    body = practice_card(practice, ref, public_base(request, settings))
    return cached_response(request, json_body(body), "application/json", ITEM_MAX_AGE)


@router.get(
    "/practices/{key}/adoptions",
    response_model=AdoptionList,
    summary="Где ещё внедрили практику",
    description="Одобренные модератором сообщения «Мы внедрили эту практику», сначала ранние. "
    "Те же записи — в поле `adoptions` карточки. Контакты сообщивших не публикуются.",
    responses={304: NOT_MODIFIED, 400: BAD_REQUEST, 404: NOT_FOUND},
    dependencies=[NoParams],
)
def practice_adoptions(
    request: Request,
    session: SessionDep,
    key: Annotated[str, Path(description="Числовой id или slug практики", examples=["42"])],
) -> Response:
    practice = queries.get_public(session, key) if _KEY.match(key) else None
    if practice is None:
        raise HTTPException(404, "Практика не найдена или не опубликована")
    body = AdoptionList(items=[adoption_out(a) for a in practice.adoptions], total=len(practice.adoptions))
    return cached_response(request, json_body(body), "application/json", ITEM_MAX_AGE)
