"""JSON API v1: search, cards, reference lists (the change feed is in v1_changes).

Everything here is public and read-only: published practices only, CORS open, ETag and
Cache-Control on every success, problem+json on every error.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import Response
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.api import v1_changes
from app.api.http import (
    BAD_REQUEST,
    ITEM_MAX_AGE,
    LIST_MAX_AGE,
    NOT_MODIFIED,
    TAG_API,
    UNAVAILABLE,
    BadParams,
    cached_response,
    json_body,
    problem_response,
    public_base,
    search_or_503,
    unknown_params,
)
from app.api.v1_models import (
    FacetValueOut,
    MunicipalityTypeList,
    MunicipalityTypeOut,
    PracticeCard,
    PracticeList,
    RegionList,
    RegionOut,
    ThemeList,
    ThemeOut,
)
from app.api.v1_params import search_dependency
from app.api.v1_present import hit_item, link_header, page_links, practice_card
from app.catalogue.practices import get_public
from app.deps import ReferenceDep, SearchDep, SessionDep, SettingsDep
from app.models import Practice, PracticeTheme, Status
from app.search.base import SearchQuery
from app.search.params import labelled_facets

NOT_FOUND = problem_response("Нет такой опубликованной практики")

router = APIRouter(prefix="/api/v1", tags=[TAG_API])
SearchQueryDep = Annotated[SearchQuery, Depends(search_dependency(with_facets=True))]


def no_params(request: Request) -> None:
    errors = unknown_params(request, ())
    if errors:
        raise BadParams(errors)


@router.get(
    "/practices",
    response_model=PracticeList,
    summary="Поиск практик",
    description="Тот же поиск, что на странице /practices: текст, фильтры, сортировка, страницы, фасеты. "
    "Ссылки на соседние страницы — в `links` и в заголовке `Link`.",
    responses={304: NOT_MODIFIED, 400: BAD_REQUEST, 503: UNAVAILABLE},
)
def list_practices(
    request: Request, query: SearchQueryDep, index: SearchDep, ref: ReferenceDep, settings: SettingsDep
) -> Response:
    result = search_or_503(index, query)
    base = public_base(request, settings)
    links = page_links(base + "/api/v1/practices", query, result, request.query_params.get("facets"))
    facets = {
        name: [FacetValueOut(value=v.value, label=v.label, count=v.count, selected=v.selected) for v in values]
        for name, values in labelled_facets(result, query, ref.label).items()
    }
    body = PracticeList(
        items=[hit_item(hit, ref, base) for hit in result.hits],
        total=result.total,
        page=query.page,
        per_page=query.per_page,
        pages=result.pages,
        facets=facets,
        links=links,
    )
    return cached_response(request, json_body(body), "application/json", LIST_MAX_AGE, {"Link": link_header(links)})


_KEY = re.compile(r"^(\d{1,18}|[a-z0-9]+(?:-[a-z0-9]+)*)$")


@router.get(
    "/practices/{key}",
    response_model=PracticeCard,
    summary="Карточка практики",
    description="Полная публичная карточка по id или slug. Контакты — только если авторы разрешили их публиковать.",
    responses={304: NOT_MODIFIED, 400: BAD_REQUEST, 404: NOT_FOUND},
    dependencies=[Depends(no_params)],
)
def get_practice(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    key: Annotated[str, Path(description="Числовой id или slug", examples=["42"])],
) -> Response:
    practice = get_public(session, key) if _KEY.match(key) else None
    if practice is None:
        raise HTTPException(404, "Практика не найдена или не опубликована")
    body = practice_card(practice, public_base(request, settings))
    return cached_response(request, json_body(body), "application/json", ITEM_MAX_AGE)


def _counts(session: Session, column: Any) -> dict[str, int]:
    rows = session.exec(
        select(column, func.count()).where(Practice.status == Status.published).group_by(column)  # type: ignore[call-overload]
    )
    return {key: n for key, n in rows}


@router.get(
    "/regions",
    response_model=RegionList,
    summary="Регионы с числом опубликованных практик",
    responses={304: NOT_MODIFIED, 400: BAD_REQUEST},
    dependencies=[Depends(no_params)],
)
def regions(request: Request, session: SessionDep, ref: ReferenceDep) -> Response:
    counts = _counts(session, Practice.region_code)
    items = [
        RegionOut(code=r.code, name=r.name, federal_district=r.federal_district, count=counts.get(r.code, 0))
        for r in ref.regions.values()
    ]
    return cached_response(request, json_body(RegionList(items=items)), "application/json", ITEM_MAX_AGE)


@router.get(
    "/themes",
    response_model=ThemeList,
    summary="Темы с числом опубликованных практик",
    responses={304: NOT_MODIFIED, 400: BAD_REQUEST},
    dependencies=[Depends(no_params)],
)
def themes(request: Request, session: SessionDep, ref: ReferenceDep) -> Response:
    rows = session.exec(
        select(PracticeTheme.theme_slug, func.count(col(PracticeTheme.practice_id)))
        .join(Practice, col(Practice.id) == col(PracticeTheme.practice_id))
        .where(Practice.status == Status.published)
        .group_by(col(PracticeTheme.theme_slug))
    )
    counts = {slug: n for slug, n in rows}
    items = [
        ThemeOut(slug=t.slug, name=t.name, description=t.description, count=counts.get(t.slug, 0))
        for t in ref.themes.values()
    ]
    return cached_response(request, json_body(ThemeList(items=items)), "application/json", ITEM_MAX_AGE)


@router.get(
    "/municipality-types",
    response_model=MunicipalityTypeList,
    summary="Типы муниципальных образований с числом опубликованных практик",
    responses={304: NOT_MODIFIED, 400: BAD_REQUEST},
    dependencies=[Depends(no_params)],
)
def municipality_types(request: Request, session: SessionDep, ref: ReferenceDep) -> Response:
    counts = _counts(session, Practice.municipality_type_slug)
    items = [
        MunicipalityTypeOut(slug=m.slug, name=m.name, count=counts.get(m.slug, 0))
        for m in ref.municipality_types.values()
    ]
    body = MunicipalityTypeList(items=items)
    return cached_response(request, json_body(body), "application/json", ITEM_MAX_AGE)


router.include_router(v1_changes.router)
