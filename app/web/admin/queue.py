"""The moderation queue: practices by status (pending first, oldest first), with counts."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from app.catalogue.practices import queries
from app.deps import SessionDep
from app.models import Status
from app.querystring import whole_number
from app.web.admin.auth import CurrentAdmin
from app.web.templating import render

router = APIRouter()
PER_PAGE = 50
STATUS_LABELS = {
    Status.pending: "На проверке",
    Status.published: "Опубликованы",
    Status.rejected: "Отклонены",
    Status.archived: "В архиве",
}

STATUS_NAMES = {
    Status.pending: "на проверке",
    Status.published: "опубликована",
    Status.rejected: "отклонена",
    Status.archived: "в архиве",
}


def _param_error(name: str, message: str) -> HTTPException:
    return HTTPException(400, f"Параметр {name}: {message}")


@router.get("/admin", response_class=HTMLResponse)
def queue(request: Request, admin: CurrentAdmin, session: SessionDep) -> Response:
    params = request.query_params
    raw_status = params.get("status", Status.pending.value)
    try:
        status = Status(raw_status)
    except ValueError:
        raise _param_error("status", "допустимо " + ", ".join(s.value for s in Status)) from None
    raw_page = params.get("page", "1")
    page = whole_number(raw_page, 1, 100_000)
    if page is None:
        raise _param_error("page", "нужно целое число от 1 до 100000")
    code = (params.get("code") or "").strip().upper()
    if code:
        if not re.match(queries.TRACKING_RE, code):
            raise _param_error("code", "номер заявки выглядит как P-1A2B3C4D")
        found = queries.by_tracking_code(session, code)
        if found is None:
            raise HTTPException(404, f"Заявка {code} не найдена.")
        return RedirectResponse(f"/admin/practices/{found.id}", status_code=303)

    counts = queries.status_counts(session)
    items = queries.queue_page(session, status, (page - 1) * PER_PAGE, PER_PAGE)
    total = counts.get(status, 0)
    return render(
        request,
        "admin/queue.html",
        {
            "admin": admin,
            "status": status,
            "labels": STATUS_LABELS,
            "counts": {s: counts.get(s, 0) for s in Status},
            "items": items,
            "page": page,
            "pages": max(1, -(-total // PER_PAGE)),
        },
    )
