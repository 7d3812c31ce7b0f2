"""The faceted search page and its filtered twins: `/practices`, `/regions/{code}`, `/themes/{slug}`.

With the header `X-Partial: 1` the same URL answers with just the results-and-facets fragment,
which app/web/static/search.js swaps in place; without JavaScript every page is plain HTML.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from app.catalogue.reference import Reference
from app.deps import ReferenceDep, SearchDep, SettingsDep
from app.links import public_base
from app.search.base import SearchIndex, SearchQuery, SearchUnavailable, beside
from app.search.params import query_string
from app.search.rewrite import search_as_meant
from app.search.thesaurus import Thesaurus
from app.settings import Settings
from app.web import templating
from app.web.formatting import plural
from app.web.search import view
from app.web.search.hits import hit_views
from app.web.search.suggestions import suggest
from app.web.social import Social

router = APIRouter(include_in_schema=False)
UNAVAILABLE = "Поиск временно недоступен. Попробуйте обновить страницу через минуту."


def count_text(total: int) -> str:
    return f"Найдено {total} {plural(total, 'практика', 'практики', 'практик')}"


def search_context(
    index: SearchIndex, query: SearchQuery, messages: list[str], ref: Reference, thesaurus: Thesaurus
) -> dict[str, Any]:
    try:
        result, shown = search_as_meant(index, query)
    except SearchUnavailable as exc:
        raise HTTPException(503, UNAVAILABLE) from exc
    suggestions = suggest(index, replace(query, text=shown or query.text), result.total, ref, thesaurus)
    state = query_string(query, include_paging=False)  # exports and feeds take the whole selection
    page_beyond = bool(result.total) and not result.hits and query.page > result.pages
    return {
        "query": query,
        "shown_text": shown,  # the reading searched instead of the text as typed, if any
        "messages": messages,
        "result": result,
        "count_text": count_text(result.total),
        "hits": hit_views(result, ref),
        "facets": view.facet_views(result, query, ref),
        "chips": view.chips(query, ref),
        "clear_href": view.SEARCH_PATH,
        "pages": view.pagination(query, result.pages),
        "prev_href": view.href(query, page=query.page - 1) if 1 < query.page <= result.pages else None,
        "next_href": view.href(query, page=query.page + 1) if query.page < result.pages else None,
        "last_href": view.href(query, page=result.pages) if page_beyond else None,
        "sorts": view.sort_links(query),
        "hidden": view.hidden_inputs(query),
        "filter_hidden": view.filter_hidden_inputs(query),
        "show_text": f"Показать {result.total} {plural(result.total, 'практику', 'практики', 'практик')}",
        "state": state,
        "state_paged": view.state(query),
        "suggestions": suggestions,
    }


def search_page_for(
    request: Request,
    settings: Settings,
    index: SearchIndex,
    ref: Reference,
    heading: str,
    intro: str | None = None,
    fixed: dict[str, str] | None = None,
) -> HTMLResponse:
    query, messages = view.parse_page_query(request.query_params, ref)
    for facet, value in (fixed or {}).items():
        chosen = query.selected(facet)
        if value not in chosen:
            query = replace(query.with_selection(facet, (value, *chosen)), page=query.page)
    context = search_context(index, query, messages, ref, request.app.state.thesaurus)
    title = f"«{query.text}» — поиск практик" if query.text else heading
    if query.page > 1:
        title += f", страница {query.page}"
    url = public_base(request, settings) + request.url.path + (f"?{request.url.query}" if request.url.query else "")
    description = f"{context['count_text']}. " + (intro or "Лучшие муниципальные практики: что сработало, где и к кому обратиться.")
    context |= {"heading": heading, "intro": intro, "title": title, "social": Social(title, description, url)}
    partial = request.headers.get("x-partial") == "1"
    response = templating.render(request, "_search_results.html" if partial else "search.html", context)
    # The same URL answers with a page or a fragment: caches must keep them apart.
    response.headers["Vary"] = "X-Partial"
    return response


async def _answer(
    request: Request, settings: Settings, index: SearchIndex, ref: Reference, heading: str,
    intro: str | None = None, fixed: dict[str, str] | None = None,
) -> HTMLResponse:
    """`search_page_for` from an async route (`beside` the engine, as the API's search)."""
    return await beside(index, search_page_for, request, settings, index, ref, heading, intro, fixed)


@router.get("/practices", response_class=HTMLResponse)
async def search_page(request: Request, settings: SettingsDep, index: SearchDep, ref: ReferenceDep) -> HTMLResponse:
    return await _answer(request, settings, index, ref, "Поиск практик")


@router.get("/regions/{code}", response_class=HTMLResponse)
async def region_page(code: str, request: Request, settings: SettingsDep, index: SearchDep, ref: ReferenceDep) -> HTMLResponse:
    region = ref.regions.get(code)
    if region is None:
        raise HTTPException(404, f"Региона с кодом «{code[:64]}» нет в справочнике.")
    intro = f"{region.federal_district} федеральный округ"
    return await _answer(request, settings, index, ref, f"Практики: {region.name}", intro, {"region": code})


@router.get("/themes/{slug}", response_class=HTMLResponse)
async def theme_page(slug: str, request: Request, settings: SettingsDep, index: SearchDep, ref: ReferenceDep) -> HTMLResponse:
    theme = ref.themes.get(slug)
    if theme is None:
        raise HTTPException(404, f"Темы «{slug[:64]}» нет в справочнике.")
    return await _answer(request, settings, index, ref, f"Практики по теме «{theme.name}»", theme.description,
                         {"theme": slug})
