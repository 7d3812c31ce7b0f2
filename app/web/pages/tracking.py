"""What became of a submission: `/submit/status` (a form for the tracking code) and the code's
page `/submit/{code}`: status, dates, the moderator's message or reason. Nothing private: the
tracking code is not a secret (the edit link is, and it goes only by mail)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from app.catalogue.practices import fields, queries
from app.deps import SessionDep, SettingsDep
from app.models import Status
from app.web.templating import render

router = APIRouter(include_in_schema=False)
NOT_FOUND = "Заявка с таким номером не найдена. Проверьте номер: он выглядит как P-1A2B3C4D."


@router.get("/submit/status", response_class=HTMLResponse)
def status_form(request: Request, session: SessionDep,
                code: Annotated[str | None, Query(max_length=100)] = None) -> Response:
    if code is None:
        return render(request, "submit_status.html", {"code": "", "error": None})
    practice = queries.by_tracking_code(session, code)
    if practice is None:
        error = NOT_FOUND if code.strip() else "Введите номер заявки."
        return render(request, "submit_status.html", {"code": code, "error": error}, 404 if code.strip() else 422)
    return RedirectResponse(f"/submit/{practice.tracking_code}", status_code=303)


@router.get("/submit/{code}", response_class=HTMLResponse)
def submitted(request: Request, code: Annotated[str, Path(max_length=20)], session: SessionDep,
              settings: SettingsDep) -> HTMLResponse:
    practice = queries.by_tracking_code(session, code)
    if practice is None:
        raise HTTPException(404, NOT_FOUND)
    return render(request, "submit_done.html", {
        "practice": practice,
        "code": practice.tracking_code,
        "status": practice.status,
        "status_name": fields.STATUS_NAMES[practice.status.value],
        "Status": Status,
        "edit_link_days": settings.edit_link_days,
        "done": request.query_params.get("done") == "resubmitted",
    })
