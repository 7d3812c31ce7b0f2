"""The private edit link `/submit/edit/{token}`: a submitter whose practice is «на доработке»
fixes the card and sends it back to the queue. The token came by mail only; it expires, works
once and stops working when the moderator decides otherwise (`app.catalogue.practices.tokens`)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.exceptions import HTTPException

from app.catalogue.practices import fields, tokens
from app.catalogue.practices.forms import PracticeForm, form_from_record, to_payload, validate
from app.catalogue.practices.schemas import CardIn
from app.catalogue.practices.service import CatalogueError, StaleCard, resubmit
from app.catalogue.reference import Reference
from app.deps import ReferenceDep, SessionDep, SettingsDep
from app.models import EditToken, Practice
from app.web.forms import PostedForm, form_context
from app.web.templating import render

router = APIRouter(include_in_schema=False)
INVALID = ("Ссылка для правки недействительна: она устарела, уже использована или заявку уже рассмотрели. "
           "Узнать, что с заявкой, можно по её номеру на странице /submit/status.")
# The token is in the address: never hand it to another site in a Referer.
PRIVATE = {"Referrer-Policy": "no-referrer"}
Token = Annotated[str, Path(max_length=100)]


def _live(session: Session, secret: str, token: str) -> tuple[EditToken, Practice]:
    found = tokens.find(session, secret, token) if re.match(tokens.TOKEN_RE, token) else None
    if found is None:
        raise HTTPException(404, INVALID, headers=PRIVATE)
    return found


def _render(request: Request, ref: Reference, practice: Practice, form: PracticeForm,
            errors: list[dict[str, str]], status: int = 200, **extra: Any) -> HTMLResponse:
    context = form_context(ref, form, errors, practice=practice, **extra)
    return render(request, "submit_edit.html", context, status, PRIVATE)


@router.get("/submit/edit/{token}", response_class=HTMLResponse)
def edit_page(request: Request, token: Token, session: SessionDep, ref: ReferenceDep,
              settings: SettingsDep) -> HTMLResponse:
    _, practice = _live(session, settings.secret_key, token)
    return _render(request, ref, practice, form_from_record(fields.to_record(practice)), [])


@router.post("/submit/edit/{token}", response_class=HTMLResponse)
def send_again(request: Request, token: Token, posted: PostedForm, session: SessionDep, ref: ReferenceDep,
               settings: SettingsDep) -> Response:
    row, practice = _live(session, settings.secret_key, token)
    form, rest = posted
    if rest.get("add_row"):
        return _render(request, ref, practice, form, [])
    payload = to_payload(form, submitter=True)  # the public form's fields: no moderators' rows
    payload.pop("submitter", None)  # the submitter stays who they were
    data, errors = validate(CardIn, payload, ref)
    if data is None:
        return _render(request, ref, practice, form, errors, 422)
    try:
        resubmit(session, ref, row, practice, data)
    except CatalogueError as exc:
        # Nothing of a refused resubmission may be committed: above all not the spent link.
        session.rollback()
        if isinstance(exc, StaleCard):
            return _render(request, ref, practice, form, [], 409, form_error=exc.errors[0]["message"])
        if any(e["field"] == "token" for e in exc.errors):
            raise HTTPException(404, INVALID, headers=PRIVATE) from exc
        return _render(request, ref, practice, form, exc.errors, 422)
    return RedirectResponse(f"/submit/{practice.tracking_code}?done=resubmitted", status_code=303)
