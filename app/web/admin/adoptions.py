"""Adoption reports under /admin/adoptions: moderators approve (the card then shows the
adoption, and the practice's contact hears of it) or reject them with a reason."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from app.catalogue.adoptions import queries, service
from app.catalogue.practices.schemas import clean_text
from app.catalogue.practices.service import CatalogueError
from app.deps import SessionDep
from app.models import AdoptionStatus
from app.querystring import whole_number
from app.web.admin.auth import CurrentAdmin, actor
from app.web.admin.nav import nav
from app.web.admin.review import MAX_NOTE
from app.web.forms import PostedPairs
from app.web.templating import render

router = APIRouter()
PER_PAGE = 50
LABELS = {AdoptionStatus.pending: "Ждут решения", AdoptionStatus.approved: "Одобрены",
          AdoptionStatus.rejected: "Отклонены"}
DONE = {"approve": "Внедрение одобрено: оно уже на карточке практики.", "reject": "Сообщение о внедрении отклонено."}


def _page(request: Request, admin: CurrentAdmin, session: SessionDep, status: AdoptionStatus, page: int,
          error: str | None = None, code: int = 200) -> HTMLResponse:
    return render(request, "admin/adoptions.html", {
        "admin": admin,
        **nav(session),
        "status": status,
        "labels": LABELS,
        "items": queries.page(session, status, (page - 1) * PER_PAGE, PER_PAGE),
        "done": DONE.get(request.query_params.get("done", "")),
        "error": error,
    }, code)


@router.get("/admin/adoptions", response_class=HTMLResponse)
def adoptions(request: Request, admin: CurrentAdmin, session: SessionDep) -> HTMLResponse:
    try:
        status = AdoptionStatus(request.query_params.get("status", AdoptionStatus.pending.value))
    except ValueError:
        raise HTTPException(400, "Параметр status: допустимо pending, approved, rejected") from None
    page = whole_number(request.query_params.get("page", "1"), 1, 100_000)
    if page is None:
        raise HTTPException(400, "Параметр page: нужно целое число от 1 до 100000")
    return _page(request, admin, session, status, page)


@router.post("/admin/adoptions/{adoption_id}", response_class=HTMLResponse)
def decide(request: Request, adoption_id: int, pairs: PostedPairs, admin: CurrentAdmin,
           session: SessionDep) -> Response:
    adoption = queries.get(session, adoption_id)
    if adoption is None:
        raise HTTPException(404, "Сообщение о внедрении не найдено.")
    action = pairs.get("action", "")
    note = clean_text(pairs.get("note", "")) or None
    problem = None
    if action not in DONE:
        problem = "Неизвестное действие."
    elif note is not None and len(note) > MAX_NOTE:
        problem = f"Причина слишком длинная: не больше {MAX_NOTE} символов."
    else:
        try:
            if action == "approve":
                service.approve(session, adoption, actor(admin))
            else:
                service.reject(session, adoption, actor(admin), note)
        except CatalogueError as exc:
            problem = "; ".join(e["message"] for e in exc.errors)
    if problem is not None:
        return _page(request, admin, session, AdoptionStatus.pending, 1, error=problem, code=422)
    return RedirectResponse(f"/admin/adoptions?done={action}", status_code=303)
