"""The moderation queue: practices by status (pending first, oldest first), narrowed by region,
theme, submission dates and text; bulk approve / reject (`bulk`) from the same page."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException

from app.catalogue.practices import fields, queries
from app.catalogue.practices.queries import QueueFilter
from app.catalogue.practices.schemas import clean_text
from app.catalogue.reference import Reference
from app.deps import ReferenceDep, SessionDep
from app.models import Status
from app.querystring import whole_number
from app.web.admin.auth import CurrentAdmin
from app.web.admin.nav import NAV_LABELS, nav
from app.web.templating import render

router = APIRouter()
PER_PAGE = 50
MAX_TEXT = 200
STATUS_LABELS = NAV_LABELS
STATUS_NAMES = {s: fields.STATUS_NAMES[s.value] for s in Status}


def _param_error(name: str, message: str) -> HTTPException:
    return HTTPException(400, f"Параметр {name}: {message}")


def _date(params: QueryParams, name: str) -> date | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise _param_error(name, "нужна дата вида 2026-01-31") from None


def queue_filter(params: QueryParams, ref: Reference) -> QueueFilter:
    """The queue's narrowing from the query string; a bad value is a 400 naming the parameter."""
    try:
        status = Status(params.get("status", Status.pending.value))
    except ValueError:
        raise _param_error("status", "допустимо " + ", ".join(s.value for s in Status)) from None
    region = (params.get("region") or "").strip() or None
    if region is not None and region not in ref.regions:
        raise _param_error("region", "неизвестный код региона")
    theme = (params.get("theme") or "").strip() or None
    if theme is not None and theme not in ref.themes:
        raise _param_error("theme", "неизвестная тема")
    text = " ".join((clean_text(params.get("q")) or "").split())  # no NUL: PostgreSQL refuses it
    if len(text) > MAX_TEXT:
        raise _param_error("q", f"не длиннее {MAX_TEXT} символов")
    since, until = _date(params, "from"), _date(params, "to")
    if since and until and since > until:
        raise _param_error("from", "дата «с» позже даты «по»")
    return QueueFilter(status=status, region=region, theme=theme, since=since, until=until, text=text)


def filter_params(f: QueueFilter) -> list[tuple[str, str]]:
    """The filter as query parameters (what links and the bulk form carry along)."""
    params = [("status", f.status.value)]
    for name, value in (("region", f.region), ("theme", f.theme), ("q", f.text),
                        ("from", f.since.isoformat() if f.since else None),
                        ("to", f.until.isoformat() if f.until else None)):
        if value:
            params.append((name, value))
    return params


@router.get("/admin", response_class=HTMLResponse)
def queue(request: Request, admin: CurrentAdmin, session: SessionDep, ref: ReferenceDep) -> Response:
    params = request.query_params
    code = (params.get("code") or "").strip().upper()
    if code:
        if not re.match(queries.TRACKING_RE, code):
            raise _param_error("code", "номер заявки выглядит как P-1A2B3C4D")
        found = queries.by_tracking_code(session, code)
        if found is None:
            raise HTTPException(404, f"Заявка {code} не найдена.")
        return RedirectResponse(f"/admin/practices/{found.id}", status_code=303)
    f = queue_filter(params, ref)
    page = whole_number(params.get("page", "1"), 1, 100_000)
    if page is None:
        raise _param_error("page", "нужно целое число от 1 до 100000")
    total = queries.queue_count(session, f)
    query = urlencode(filter_params(f))
    return render(request, "admin/queue.html", {
        "admin": admin,
        **nav(session),
        "filter": f,
        "query": query,
        "status": f.status,
        "labels": STATUS_LABELS,
        "ref": ref,
        "items": queries.queue_page(session, f, (page - 1) * PER_PAGE, PER_PAGE),
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PER_PAGE)),
        "bulk": bulk_message(params),
    })


def bulk_message(params: QueryParams) -> str | None:
    """What the last bulk action did (carried in the redirect's query string)."""
    action, done = params.get("done"), whole_number(params.get("n", ""), 0, 10_000)
    if action not in ("approve", "reject") or done is None:
        return None
    verb = "Опубликовано" if action == "approve" else "Отклонено"
    text = f"{verb}: {done}."
    skipped = [c for c in (params.get("skipped") or "").split(",") if re.match(queries.TRACKING_RE, c)]
    if skipped:
        text += (f" Пропущено: {len(skipped)} ({', '.join(skipped)}) — их изменили после того, как вы открыли "
                 "страницу, или действие им уже недоступно.")
    return text
