"""The review page: edit any field, approve, reject with a reason, archive, restore; the audit log.

Edits and status changes go through the catalogue services, which write the outbox (search),
the change log (mirrors) and the audit log (actor "admin:<username>") in the same transaction.
A hidden `version` field refuses to overwrite a card someone else changed meanwhile.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.exceptions import HTTPException

from app.catalogue.practices import fields, queries
from app.catalogue.practices.forms import LABELS, PracticeForm, form_from_record, to_payload, validate
from app.catalogue.practices.schemas import PracticeIn, clean_text
from app.catalogue.practices.service import (
    STALE_MESSAGE,
    TRANSITIONS,
    CatalogueError,
    StaleCard,
    change_status,
    update_practice,
)
from app.catalogue.reference import Reference
from app.deps import ReferenceDep, SessionDep, SettingsDep
from app.models import Practice, Status
from app.web.admin.auth import CurrentAdmin, actor
from app.web.admin.diff import word_diff
from app.web.admin.nav import nav
from app.web.admin.queue import STATUS_NAMES
from app.web.forms import PostedForm, PostedPairs, form_context
from app.web.pages.practice import card_context
from app.web.templating import render

router = APIRouter()
MAX_NOTE = 5000
# action → (new status, button text)
ACTIONS: dict[str, tuple[Status, str]] = {
    "approve": (Status.published, "Одобрить и опубликовать"),
    "revise": (Status.revision, "Вернуть на доработку"),
    "reject": (Status.rejected, "Отклонить"),
    "archive": (Status.archived, "Снять с публикации (в архив)"),
    "restore": (Status.published, "Вернуть в публикацию"),
    "reopen": (Status.pending, "Вернуть на проверку"),
}
DONE = {
    "saved": "Изменения сохранены.",
    "unchanged": "Изменений нет: карточка не менялась.",
    "approve": "Практика опубликована и уже находится поиском.",
    "reject": "Практика отклонена; отправителю ушло письмо с причиной.",
    "revise": "Заявка возвращена на доработку; отправителю ушло письмо с вашим сообщением и личной ссылкой для правки.",
    "archive": "Практика снята с публикации и убрана из поиска.",
    "restore": "Практика снова опубликована.",
    "reopen": "Практика возвращена на проверку.",
}
ACTION_LABELS = {
    "create": "создание карточки",
    "adoption_report": "сообщение о внедрении",
    "adoption_approve": "внедрение одобрено",
    "adoption_reject": "внедрение отклонено",
    "submit": "заявка получена",
    "edit": "правка",
    "approve": "одобрение",
    "reject": "отклонение",
    "revise": "возврат на доработку",
    "resubmit": "исправлено отправителем",
    "archive": "снятие с публикации",
    "restore": "возврат в публикацию",
    "reopen": "возврат на проверку",
    "verify": "сведения сверены с источником",
}
AUDIT_FIELDS = {**fields.COLUMN_LABELS, "status": "Статус", "note": "Комментарий модератора",
                "adoption": "Сообщение о внедрении №", "municipality": "Муниципальное образование"}


def _practice(session: Session, practice_id: int) -> Practice:
    practice = queries.get(session, practice_id)
    if practice is None:
        raise HTTPException(404, "Практика не найдена.")
    return practice


def _show(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "да" if value else "нет"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 600 else text[:600] + "…"


def _status_word(value: Any) -> Any:
    try:
        return STATUS_NAMES[Status(value)]
    except ValueError:
        return value


def _who(actor_name: str) -> str:
    kind, _, name = actor_name.partition(":")
    if kind == "admin":
        return f"модератор {name}"
    if kind == "submitter":
        return f"отправитель {name}"
    if kind == "client":
        return "отправитель (адрес скрыт)"
    if kind == "adopter":
        return f"сообщил о внедрении {name}"
    return actor_name


def _when(at: datetime) -> str:
    if at.tzinfo is None:  # SQLite keeps naive UTC
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%d.%m.%Y %H:%M:%S UTC")


def audit_rows(session: Session, practice_id: int) -> list[dict[str, Any]]:
    """The practice's audit log, newest first, as the page shows it."""
    out = []
    for row in queries.audit_log(session, practice_id):
        changes: list[dict[str, Any]] = []
        for key, value in (row.changes or {}).items():
            name = AUDIT_FIELDS.get(key) or LABELS.get(key, key)
            if key == "status":  # stored as codes; shown in words
                value = [_status_word(v) for v in value] if isinstance(value, list) else _status_word(value)
            if isinstance(value, list) and len(value) == 2:
                diff = word_diff(value[0], value[1]) if key != "status" else None
                changes.append({"field": name, "old": _show(value[0]), "new": _show(value[1]), "diff": diff})
            elif value not in (None, ""):
                changes.append({"field": name, "old": None, "new": _show(value), "diff": None})  # a detail, not a change
        out.append({
            "at": _when(row.at),
            "iso": row.at.isoformat(),
            "who": _who(row.actor),
            "action": ACTION_LABELS.get(row.action, row.action),
            "changes": changes,
        })
    return out


def _render(request: Request, session: Session, ref: Reference, practice: Practice, admin: Any,
            form: PracticeForm | None = None, errors: list[dict[str, str]] | None = None,
            status: int = 200, **extra: Any) -> HTMLResponse:
    form = form or form_from_record(fields.to_record(practice))
    actions = [(name, label) for name, (target, label) in ACTIONS.items()
               if TRANSITIONS.get((practice.status, target)) == name]
    page: dict[str, Any] = {
        "admin": admin,
        **nav(session),
        "practice": practice,
        "status_name": STATUS_NAMES[practice.status],
        "actions": actions,
        "audit": audit_rows(session, practice.id),  # type: ignore[arg-type]
        "show_slug": True,
        "done": DONE.get(request.query_params.get("done", "")),
        "action_error": None,
        "failed_action": None,
        "note": "",
        "version": practice.version,
    }
    page.update(extra)
    context = form_context(ref, form, errors or [], **page)
    return render(request, "admin/review.html", context, status)


@router.get("/admin/practices/{practice_id}/preview", response_class=HTMLResponse)
def preview(request: Request, practice_id: int, _admin: CurrentAdmin, session: SessionDep,
            settings: SettingsDep, ref: ReferenceDep) -> HTMLResponse:
    """The card exactly as the public page renders it (same template, same context)."""
    practice = _practice(session, practice_id)
    context = card_context(request, session, settings, ref, practice, preview=True,
                           preview_status=STATUS_NAMES[practice.status])
    return render(request, "practice.html", context)


@router.get("/admin/practices/{practice_id}", response_class=HTMLResponse)
def review(request: Request, practice_id: int, admin: CurrentAdmin, session: SessionDep,
           ref: ReferenceDep) -> HTMLResponse:
    return _render(request, session, ref, _practice(session, practice_id), admin)


def _stale(practice: Practice, version: str | None) -> str | None:
    return STALE_MESSAGE if version != str(practice.version) else None


@router.post("/admin/practices/{practice_id}", response_class=HTMLResponse)
def save(request: Request, practice_id: int, posted: PostedForm, admin: CurrentAdmin, session: SessionDep,
         ref: ReferenceDep) -> Response:
    form, rest = posted
    practice = _practice(session, practice_id)
    if rest.get("add_row"):
        return _render(request, session, ref, practice, admin, form=form, version=rest.get("version", ""))
    stale = _stale(practice, rest.get("version"))
    if stale:
        return _render(request, session, ref, practice, admin, form=form, status=409, form_error=stale)
    data, errors = validate(PracticeIn, to_payload(form), ref)
    if data is None:
        return _render(request, session, ref, practice, admin, form=form, errors=errors, status=422)
    try:
        changes = update_practice(session, ref, practice, data, actor(admin))
        done = "saved" if changes else "unchanged"
        if rest.get("then") == "approve" and TRANSITIONS.get((practice.status, Status.published)) == "approve":
            change_status(session, practice, Status.published, actor(admin))
            done = "approve"
    except StaleCard:
        return _render(request, session, ref, practice, admin, form=form, status=409, form_error=STALE_MESSAGE)
    except CatalogueError as exc:
        return _render(request, session, ref, practice, admin, form=form, errors=exc.errors, status=422)
    return RedirectResponse(f"/admin/practices/{practice.id}?done={done}", status_code=303)


@router.post("/admin/practices/{practice_id}/status", response_class=HTMLResponse)
def set_status(request: Request, practice_id: int, pairs: PostedPairs, admin: CurrentAdmin, session: SessionDep,
               ref: ReferenceDep) -> Response:
    practice = _practice(session, practice_id)
    name = pairs.get("action", "")
    note = clean_text(pairs.get("note", "")) or None
    problem = _stale(practice, pairs.get("version"))
    status = 409 if problem else 422
    if problem is None and name not in ACTIONS:
        problem = "Неизвестное действие."
    elif problem is None and TRANSITIONS.get((practice.status, ACTIONS[name][0])) != name:
        problem = f"Это действие недоступно: практика сейчас {STATUS_NAMES[practice.status]}."
    elif problem is None and note is not None and len(note) > MAX_NOTE:
        problem = f"Комментарий слишком длинный: не больше {MAX_NOTE} символов."
    if problem is None:
        try:
            change_status(session, practice, ACTIONS[name][0], actor(admin), note)
        except CatalogueError as exc:
            status = 409 if isinstance(exc, StaleCard) else 422
            problem = "; ".join(e["message"] for e in exc.errors)
    if problem is not None:
        return _render(request, session, ref, practice, admin, status=status,
                       action_error=problem, note=pairs.get("note", "")[:MAX_NOTE + 100], failed_action=name)
    return RedirectResponse(f"/admin/practices/{practice.id}?done={name}", status_code=303)
