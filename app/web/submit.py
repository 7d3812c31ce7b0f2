"""The public submission form: /submit → pending practice → /submit/{tracking code}.

Server-side validation with every error next to its field; the entered values are kept.
Protection: CSRF and the body limit (app.security middlewares), a honeypot field, and a
per-address rate limit counted in the database.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import select
from starlette.exceptions import HTTPException

from app.catalogue.forms import (
    HONEYPOT,
    MAX_FIELDS,
    MAX_ROWS,
    TEXT_FIELDS,
    PracticeForm,
    form_errors,
    parse_pairs,
    to_payload,
    validate,
)
from app.catalogue.practices import CatalogueError, submit_practice
from app.catalogue.reference import Reference
from app.catalogue.schemas import LIMITS, MIN_YEAR, SubmissionIn
from app.deps import ReferenceDep, SessionDep, SettingsDep
from app.models import Practice, Status
from app.security import client_key, record_hit, retry_after
from app.web.templating import plural, templates

router = APIRouter(include_in_schema=False)
SUBMIT_ACTION = "submit"
TRACKING_RE = r"^P-[0-9A-F]{8}$"


async def read_pairs(request: Request) -> list[tuple[str, str]]:
    """The posted form as (name, value) pairs; invalid UTF-8 becomes U+FFFD, never an error."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/x-www-form-urlencoded":
        text = (await request.body()).decode("utf-8", errors="replace")
        try:
            return parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS, errors="replace")
        except ValueError as exc:
            raise HTTPException(413, f"Слишком много полей в форме: не больше {MAX_FIELDS}.") from exc
    if ctype == "multipart/form-data":
        try:
            form = await request.form(max_files=0, max_fields=MAX_FIELDS)
        except HTTPException:
            raise
        except Exception as exc:  # malformed multipart: say so, never a 500
            raise HTTPException(400, "Форма повреждена: не удалось прочитать данные.") from exc
        return [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    raise HTTPException(415, "Отправьте форму как application/x-www-form-urlencoded или multipart/form-data.")


async def posted_pairs(request: Request) -> dict[str, str]:
    """A posted form of single-valued fields (sign-in, moderation actions)."""
    return dict(await read_pairs(request))


PostedPairs = Annotated[dict[str, str], Depends(posted_pairs)]


async def posted_form(request: Request) -> tuple[PracticeForm, dict[str, str]]:
    """The practice fields as a PracticeForm, and the other posted fields (buttons, notes)."""
    pairs = await read_pairs(request)
    form = parse_pairs(pairs)
    rest = {k: v for k, v in pairs if not _is_card_field(k)}
    if group := rest.get("add_row"):
        form.add_row(group)
    return form, rest


def _is_card_field(name: str) -> bool:
    return name in ("themes", "contact_public", HONEYPOT) or "." in name or name in TEXT_FIELDS


PostedForm = Annotated[tuple[PracticeForm, dict[str, str]], Depends(posted_form)]


def form_context(ref: Reference, form: PracticeForm, errors: list[dict[str, str]], **extra: Any) -> dict[str, Any]:
    """What `_form_practice.html` and `_form_errors.html` expect."""
    year = date.today().year
    return {
        "form": form,
        "errors": form_errors(errors),
        "ref": ref,
        "limits": LIMITS,
        "row_limits": MAX_ROWS,
        "min_year": MIN_YEAR,
        "current_year": year,
        "long_limit": f"{LIMITS['long_text']:,}".replace(",", "\u00a0"),
        "region_options": [
            (f"{district} федеральный округ", [(r.code, r.name) for r in regions])
            for district, regions in ref.federal_districts().items()
        ],
        "type_options": [(None, [(m.slug, m.name) for m in ref.municipality_types.values()])],
        "form_error": None,
        **extra,
    }


def _render(request: Request, ref: Reference, form: PracticeForm, errors: list[dict[str, str]],
            status: int = 200, headers: dict[str, str] | None = None, **extra: Any) -> HTMLResponse:
    response = templates.TemplateResponse(
        request, "submit.html", form_context(ref, form, errors, **extra), status_code=status
    )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def minutes(seconds: int) -> str:
    n = max(1, -(-seconds // 60))
    return f"{n} {plural(n, 'минуту', 'минуты', 'минут')}"


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
        practice = submit_practice(session, data)
    except CatalogueError as exc:
        return _render(request, ref, form, exc.errors, status=422)
    record_hit(session, key, SUBMIT_ACTION, practice.id)
    return RedirectResponse(f"/submit/{practice.tracking_code}", status_code=303)


@router.get("/submit/{code}", response_class=HTMLResponse)
def submitted(request: Request, code: Annotated[str, Path(max_length=20)], session: SessionDep) -> HTMLResponse:
    """What became of a submission: its tracking number and status, nothing private."""
    code = code.upper()
    practice = None
    if re.match(TRACKING_RE, code):
        practice = session.exec(select(Practice).where(Practice.tracking_code == code)).first()
    if practice is None:
        raise HTTPException(404, "Заявка с таким номером не найдена. Проверьте номер: он выглядит как P-1A2B3C4D.")
    return templates.TemplateResponse(
        request, "submit_done.html",
        {"code": practice.tracking_code, "status": practice.status, "slug": practice.slug, "Status": Status},
    )
