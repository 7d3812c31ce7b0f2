"""`/embed/practices`: the listing other sites put in an `<iframe>`.

The page has no site chrome and may be framed by anyone (CSP `frame-ancestors *`, no
X-Frame-Options); its links open the card on our site in a new tab. `/static/embed.js` draws
the same listing from the JSON API into the host page without a frame.
"""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.api.params import EMBED, EMBED_DEFAULT_LIMIT, EmbedBase
from app.api.responses import LIST_MAX_AGE, cached_response
from app.api.v1.present import card_url
from app.deps import ReferenceDep, SearchDep, SettingsDep
from app.links import public_base
from app.querystring import ParamError
from app.search.base import SearchUnavailable
from app.search.params import query_string
from app.web.templating import render, render_text

router = APIRouter(include_in_schema=False)

EMBED_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors *"
)


def _error(request: Request, status: int, message: str, errors: list[ParamError]) -> Response:
    headers = {"Content-Security-Policy": EMBED_CSP, "Cache-Control": "no-store"}
    if status == 503:
        headers["Retry-After"] = "30"
    context = {"message": message, "errors": [{"field": e.param, "message": e.message} for e in errors]}
    return render(request, "embed_error.html", context, status, headers)


@router.get("/embed/practices", response_class=HTMLResponse)
def embed_practices(
    request: Request, index: SearchDep, ref: ReferenceDep, settings: SettingsDep
) -> Response:
    # Its errors are a page for the frame, not problem+json: it validates for itself.
    params, errors = EMBED.validate(request.query_params)
    if params is None:
        return _error(request, 400, "Виджет каталога практик настроен неверно:", errors)
    assert isinstance(params, EmbedBase)
    query = replace(EMBED.query(params), page=1, per_page=params.limit or EMBED_DEFAULT_LIMIT, facets=())
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
    html = render_text(request, "embed_practices.html", context)
    response = cached_response(request, html.encode(), "text/html; charset=utf-8", LIST_MAX_AGE)
    response.headers["Content-Security-Policy"] = EMBED_CSP
    return response
