"""Public HTML pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func
from sqlmodel import col, select

from app.deps import SessionDep
from app.models import Practice, Status
from app.web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep) -> HTMLResponse:
    total = session.exec(select(func.count()).select_from(Practice).where(Practice.status == Status.published)).one()
    newest = session.exec(
        select(Practice)
        .where(Practice.status == Status.published)
        .order_by(col(Practice.published_at).desc(), col(Practice.id).desc())
        .limit(10)
    ).unique().all()
    return templates.TemplateResponse(request, "home.html", {"total": total, "newest": newest})
