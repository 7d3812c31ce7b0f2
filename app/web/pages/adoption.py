"""«Мы внедрили эту практику»: the form on every public card posts here; the report waits for a
moderator (/admin/adoptions). Same protection as the submission form: CSRF and the body limit
(app.security), a honeypot field and the per-address limit counted in the database."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.catalogue.adoptions import service
from app.catalogue.adoptions.forms import parse, to_payload
from app.catalogue.adoptions.schemas import AdoptionIn
from app.catalogue.practices.forms import validate
from app.catalogue.practices.service import CatalogueError
from app.deps import ReferenceDep, SessionDep, SettingsDep
from app.security import client_key, record_hit, retry_after
from app.web.adoption_form import adoption_form_context
from app.web.forms import PostedList, minutes
from app.web.pages.practice import card_context, published
from app.web.templating import render

router = APIRouter(include_in_schema=False)
ADOPTION_ACTION = "adoption_report"  # counted like submissions, per address


@router.post("/practices/{slug}/adoptions", response_class=HTMLResponse)
def report_adoption(slug: str, request: Request, pairs: PostedList, session: SessionDep, ref: ReferenceDep,
                    settings: SettingsDep) -> Response:
    practice = published(session, slug)
    form = parse(pairs)

    def again(errors: list[dict[str, str]], status: int, **extra: object) -> HTMLResponse:
        context = card_context(request, session, settings, ref, practice,
                               **adoption_form_context(ref, form, errors, adoption_open=True, **extra))
        return render(request, "practice.html", context, status)

    if form.honeypot.strip():
        return again([], 422, form_error="Форма похожа на отправленную роботом: заполнено скрытое поле-ловушка.")
    key = client_key(request, settings.secret_key)
    wait = retry_after(session, key, ADOPTION_ACTION, settings.submit_rate_limit, settings.submit_rate_window)
    if wait is not None:
        response = again([], 429, form_error=f"С вашего адреса уже отправлено много сообщений. "
                                              f"Попробуйте через {minutes(wait)}; введённое сохранено.")
        response.headers["Retry-After"] = str(wait)
        return response
    data, errors = validate(AdoptionIn, to_payload(form), ref)
    if data is None:
        return again(errors, 422)
    try:
        service.report(session, ref, practice, data)
    except CatalogueError as exc:
        return again(exc.errors, 422)
    record_hit(session, key, ADOPTION_ACTION, practice.id)
    return RedirectResponse(f"/practices/{practice.slug}?adoption=sent#adoptions", status_code=303)
