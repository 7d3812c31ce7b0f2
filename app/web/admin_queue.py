"""The moderation queue: practices by status (pending first, oldest first), with counts."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func
from sqlmodel import col, select
from starlette.exceptions import HTTPException

from app.deps import SessionDep
from app.models import Practice, Status
from app.search.params import whole_number
from app.web.admin_auth import CurrentAdmin
from app.web.submit import TRACKING_RE
from app.web.templating import templates

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
        if not re.match(TRACKING_RE, code):
            raise _param_error("code", "номер заявки выглядит как P-1A2B3C4D")
        found = session.exec(select(Practice.id).where(Practice.tracking_code == code)).first()
        if found is None:
            raise HTTPException(404, f"Заявка {code} не найдена.")
        return RedirectResponse(f"/admin/practices/{found}", status_code=303)

    counts = {
        Status(s): n
        for s, n in session.exec(select(Practice.status, func.count(col(Practice.id))).group_by(Practice.status))
    }
    stmt = select(Practice).where(Practice.status == status)
    if status in (Status.pending, Status.rejected):
        stmt = stmt.order_by(col(Practice.created_at), col(Practice.id))  # the longest waiting first
    else:
        stmt = stmt.order_by(col(Practice.updated_at).desc(), col(Practice.id).desc())
    items = session.exec(stmt.offset((page - 1) * PER_PAGE).limit(PER_PAGE)).unique().all()
    total = counts.get(status, 0)
    return templates.TemplateResponse(
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
