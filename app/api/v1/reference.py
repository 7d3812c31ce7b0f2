"""`/api/v1/districts`, `/regions`, `/themes`, `/municipality-types`: the reference lists with
counts of published practices."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.api.params import NoParams
from app.api.responses import BAD_REQUEST, ITEM_MAX_AGE, NOT_MODIFIED, cached_response, json_body
from app.api.v1.models import (
    DistrictList,
    DistrictOut,
    MunicipalityTypeList,
    MunicipalityTypeOut,
    RegionList,
    RegionOut,
    ThemeList,
    ThemeOut,
)
from app.catalogue.practices import queries
from app.catalogue.reference import district_slug
from app.deps import ReferenceDep, SessionDep

router = APIRouter(dependencies=[NoParams])
RESPONSES: dict[int | str, dict[str, Any]] = {304: NOT_MODIFIED, 400: BAD_REQUEST}


@router.get(
    "/districts", response_model=DistrictList, summary="Федеральные округа с числом опубликованных практик",
    responses=RESPONSES,
)
def districts(request: Request, session: SessionDep, ref: ReferenceDep) -> Response:
    counts = queries.published_counts(session, "region_code")
    items = [
        DistrictOut(slug=d.slug, name=d.full_name, regions=list(d.regions), count=sum(counts.get(c, 0) for c in d.regions))
        for d in ref.districts.values()
    ]
    return cached_response(request, json_body(DistrictList(items=items)), "application/json", ITEM_MAX_AGE)


@router.get("/regions", response_model=RegionList, summary="Регионы с числом опубликованных практик", responses=RESPONSES)
def regions(request: Request, session: SessionDep, ref: ReferenceDep) -> Response:
    counts = queries.published_counts(session, "region_code")
    items = [
        RegionOut(code=r.code, name=r.name, federal_district=r.federal_district,
                  district=district_slug(r.federal_district), count=counts.get(r.code, 0))
        for r in ref.regions.values()
    ]
    return cached_response(request, json_body(RegionList(items=items)), "application/json", ITEM_MAX_AGE)


@router.get("/themes", response_model=ThemeList, summary="Темы с числом опубликованных практик", responses=RESPONSES)
def themes(request: Request, session: SessionDep, ref: ReferenceDep) -> Response:
    counts = queries.theme_counts(session)
    items = [
        ThemeOut(slug=t.slug, name=t.name, description=t.description, count=counts.get(t.slug, 0))
        for t in ref.themes.values()
    ]
    return cached_response(request, json_body(ThemeList(items=items)), "application/json", ITEM_MAX_AGE)


@router.get(
    "/municipality-types",
    response_model=MunicipalityTypeList,
    summary="Типы муниципальных образований с числом опубликованных практик",
    responses=RESPONSES,
)
def municipality_types(request: Request, session: SessionDep, ref: ReferenceDep) -> Response:
    counts = queries.published_counts(session, "municipality_type_slug")
    items = [
        MunicipalityTypeOut(slug=m.slug, name=m.name, count=counts.get(m.slug, 0))
        for m in ref.municipality_types.values()
    ]
    return cached_response(request, json_body(MunicipalityTypeList(items=items)), "application/json", ITEM_MAX_AGE)
