"""For other sites: the `/embed/practices` listing for an `<iframe>`, and the `/about/api` page.

The embed page has no site chrome and may be framed by anyone (CSP `frame-ancestors *`, no
X-Frame-Options); its links open the card on our site in a new tab. `/static/embed.js` draws
the same listing from the JSON API into the host page without a frame.
"""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.api.http import LIST_MAX_AGE, STABILITY_PROMISE, BadParams, cached_response, public_base
from app.api.v1_params import newest_unless_asked, parse_or_400
from app.api.v1_present import card_url
from app.deps import ReferenceDep, SearchDep, SettingsDep
from app.search.base import SearchUnavailable
from app.search.params import KNOWN, query_string, whole_number
from app.web.templating import templates

router = APIRouter(include_in_schema=False)

EMBED_DEFAULT_LIMIT = 5
EMBED_MAX_LIMIT = 50
EMBED_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors *"
)


def _limit(request: Request) -> tuple[int, list[dict[str, str]]]:
    raw = request.query_params.get("limit")
    if raw in (None, ""):
        return EMBED_DEFAULT_LIMIT, []
    if (value := whole_number(raw, 1, EMBED_MAX_LIMIT)) is not None:
        return value, []
    return EMBED_DEFAULT_LIMIT, [{"field": "limit", "message": f"допустимо от 1 до {EMBED_MAX_LIMIT}"}]


def _error(request: Request, status: int, message: str, errors: list[dict[str, str]]) -> Response:
    headers = {"Content-Security-Policy": EMBED_CSP, "Cache-Control": "no-store"}
    if status == 503:
        headers["Retry-After"] = "30"
    context = {"message": message, "errors": errors}
    return templates.TemplateResponse(request, "embed_error.html", context, status_code=status, headers=headers)


@router.get("/embed/practices", response_class=HTMLResponse)
def embed_practices(
    request: Request, index: SearchDep, ref: ReferenceDep, settings: SettingsDep
) -> Response:
    limit, errors = _limit(request)
    try:
        # `limit` is ours; paging and facets make no sense in a widget.
        query = parse_or_400(request, allowed=(*[k for k in KNOWN if k not in ("page", "per_page", "facets")], "limit"))
    except BadParams as exc:
        errors = exc.errors + errors
    if errors:
        return _error(request, 400, "Виджет каталога практик настроен неверно:", errors)
    query = replace(newest_unless_asked(request, query), page=1, per_page=limit, facets=())
    try:
        result = index.search(query)
    except SearchUnavailable:
        return _error(request, 503, "Список практик временно недоступен, загляните позже.", [])
    base = public_base(request, settings)
    items = [
        {
            "title": hit.document["title"],
            "url": card_url(base, hit.slug),
            "region": ref.label("region", hit.document["region"]),
            "municipality": hit.document.get("municipality") or "",
            "year": hit.document.get("year_started"),
        }
        for hit in result.hits
    ]
    qs = query_string(query, include_paging=False)
    context = {"items": items, "total": result.total, "more_url": f"{base}/practices" + (f"?{qs}" if qs else "")}
    html = templates.get_template("embed_practices.html").render({"request": request, **context})
    response = cached_response(request, html.encode(), "text/html; charset=utf-8", LIST_MAX_AGE)
    response.headers["Content-Security-Policy"] = EMBED_CSP
    return response


@router.get("/about/api", response_class=HTMLResponse)
def about_api(request: Request, ref: ReferenceDep, settings: SettingsDep) -> HTMLResponse:
    base = public_base(request, settings)
    region = "RU-BEL" if "RU-BEL" in ref.regions else next(iter(ref.regions), "RU-MOW")
    theme = "youth" if "youth" in ref.themes else next(iter(ref.themes), "youth")
    context = {
        "base": base,
        "region": region,
        "region_name": ref.label("region", region),
        "theme": theme,
        "theme_name": ref.label("theme", theme),
        "promise": STABILITY_PROMISE,
    }
    return templates.TemplateResponse(request, "about_api.html", context)
