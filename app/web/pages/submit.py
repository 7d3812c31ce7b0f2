"""The public submission form: /submit → pending practice → /submit/{tracking code}
(`tracking`).

Server-side validation with every error next to its field; the entered values are kept.
Protection: CSRF and the body limit (app.security middlewares), a honeypot field, and a
per-address rate limit counted in the database.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.catalogue.practices.forms import PracticeForm, to_payload, validate
from app.catalogue.practices.schemas import SubmissionIn
from app.catalogue.practices.service import CatalogueError, submit_practice
from app.catalogue.reference import Reference
from app.deps import ReferenceDep, SessionDep, SettingsDep
from app.security import SUBMIT_ACTION, client_key, record_hit, retry_after
from app.web.forms import PostedForm, form_context, minutes
from app.web.templating import render

router = APIRouter(include_in_schema=False)


def _render(request: Request, ref: Reference, form: PracticeForm, errors: list[dict[str, str]],
            status: int = 200, headers: dict[str, str] | None = None, **extra: Any) -> HTMLResponse:
    return render(request, "submit.html", form_context(ref, form, errors, **extra), status, headers)


@router.get("/submit", response_class=HTMLResponse)
def submit_page(request: Request, ref: ReferenceDep) -> HTMLResponse:
    return _render(request, ref, PracticeForm(), [])


@router.post("/submit", response_class=HTMLResponse)
def submit(request: Request, posted: PostedForm, session: SessionDep, ref: ReferenceDep,
           settings: SettingsDep) -> Response:
    form, rest = posted
    if rest.get("add_row"):
        return _render(request, ref, form, [])
    if form.honeypot.strip():
        return _render(
            request, ref, form, [], status=422,
            form_error="Форма похожа на отправленную роботом: заполнено поле-ловушка, которое обычно скрыто. "
            "Если вы человек, очистите поле «Проверка от роботов» внизу формы и отправьте её ещё раз.",
            show_trap=True, trap_value=form.honeypot,
        )
    key = client_key(request, settings.secret_key)
    wait = retry_after(session, key, SUBMIT_ACTION, settings.submit_rate_limit, settings.submit_rate_window)
    if wait is not None:
        return _render(
            request, ref, form, [], status=429, headers={"Retry-After": str(wait)},
            form_error=f"С вашего адреса уже отправлено {settings.submit_rate_limit} заявок за короткое время. "
            f"Попробуйте снова через {minutes(wait)}; введённые данные сохранены ниже.",
        )
    data, errors = validate(SubmissionIn, to_payload(form, submitter=True), ref)
    if data is None:
        return _render(request, ref, form, errors, status=422)
    try:
        practice = submit_practice(session, ref, data)
    except CatalogueError as exc:
        return _render(request, ref, form, exc.errors, status=422)
    record_hit(session, key, SUBMIT_ACTION, practice.id)
    return RedirectResponse(f"/submit/{practice.tracking_code}", status_code=303)
