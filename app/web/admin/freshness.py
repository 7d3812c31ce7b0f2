"""«Давно не проверялись» under /admin/freshness: published cards whose facts were never checked
against their sources or not for two years, the longest unchecked first, each with its source
and a one-click «Проверено» (app.catalogue.practices.freshness)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from app.catalogue.practices import freshness, queries
from app.deps import SessionDep
from app.models import Status, utcnow
from app.querystring import whole_number
from app.web.admin.auth import CurrentAdmin, actor
from app.web.admin.nav import nav
from app.web.forms import PostedPairs
from app.web.templating import render

router = APIRouter()
PER_PAGE = 50
MAX_PAGE = 100_000
DONE = {
    "verified": "Отмечено: сведения проверены сегодня.",
    # Another moderator (or a second click) was first: the card is already checked, nothing is lost.
    "already": "Эту карточку уже отметили проверенной сегодня.",
}


def _page_number(raw: str | None) -> int:
    page = whole_number(raw or "1", 1, MAX_PAGE)
    if page is None:
        raise HTTPException(400, f"Параметр page: нужно целое число от 1 до {MAX_PAGE}")
    return page


@router.get("/admin/freshness", response_class=HTMLResponse)
def stale_cards(request: Request, admin: CurrentAdmin, session: SessionDep) -> HTMLResponse:
    page = _page_number(request.query_params.get("page"))
    today = utcnow().date()
    total = freshness.due_count(session, today)
    return render(request, "admin/freshness.html", {
        "admin": admin,
        **nav(session),
        "items": freshness.due_page(session, today, (page - 1) * PER_PAGE, PER_PAGE),
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PER_PAGE)),
        "since": freshness.stale_since(today),
        "months": freshness.STALE_AFTER_MONTHS,
        "done": DONE.get(request.query_params.get("done", "")),
    })


# Posted to the list's own address (the card's id in the form), so a moderator whose session
# ended meanwhile signs in and lands on the list again.
@router.post("/admin/freshness", response_class=HTMLResponse)
def verify(pairs: PostedPairs, admin: CurrentAdmin, session: SessionDep) -> Response:
    practice_id = whole_number(pairs.get("id", ""), 1, 2**63 - 1)
    if practice_id is None:
        raise HTTPException(400, "Поле id: нужен номер практики")
    practice = queries.get(session, practice_id)
    if practice is None or practice.status != Status.published:
        raise HTTPException(404, "Опубликованная практика не найдена.")
    page = _page_number(pairs.get("page"))
    done = "verified" if freshness.mark_verified(session, practice, actor(admin), utcnow().date()) else "already"
    return RedirectResponse(f"/admin/freshness?page={page}&done={done}", status_code=303)
