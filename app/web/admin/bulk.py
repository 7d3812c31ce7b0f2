"""Bulk approve / reject from the queue: the ticked practices, one reason for all rejections.

Each practice goes through `change_status` like a single action (audit, outbox, change log,
mail), with the version the queue showed: one changed meanwhile is skipped and named, not
overwritten; the others are done.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException

from app.catalogue.practices import queries
from app.catalogue.practices.schemas import clean_text
from app.catalogue.practices.service import TRANSITIONS, CatalogueError, change_status
from app.db import MAX_ROW_ID
from app.deps import ReferenceDep, SessionDep
from app.models import Status
from app.web.admin.auth import CurrentAdmin, actor
from app.web.admin.queue import filter_params, queue_filter
from app.web.admin.review import MAX_NOTE
from app.web.forms import PostedList

router = APIRouter()
BULK = {"approve": Status.published, "reject": Status.rejected}
MAX_ITEMS = 200


@router.post("/admin/bulk")
def bulk(pairs: PostedList, admin: CurrentAdmin, session: SessionDep, ref: ReferenceDep) -> Response:
    fields = dict(pairs)
    ids = list(dict.fromkeys(v for k, v in pairs
                             if k == "ids" and v.isascii() and v.isdigit() and len(v) < 12 and int(v) <= MAX_ROW_ID))
    back = queue_filter(QueryParams(fields.get("back", "")[:2000]), ref)
    action = fields.get("action", "")
    note = clean_text(fields.get("note", "")) or None
    if action not in BULK:
        raise HTTPException(422, "Неизвестное действие: выберите «Опубликовать» или «Отклонить».")
    if not ids:
        raise HTTPException(422, "Не выбрано ни одной заявки: отметьте их в списке.")
    if len(ids) > MAX_ITEMS:
        raise HTTPException(422, f"Слишком много заявок за раз: не больше {MAX_ITEMS}.")
    if action == "reject" and note is None:
        raise HTTPException(422, "Укажите причину отклонения: она уйдёт всем отправителям выбранных заявок.")
    if note is not None and len(note) > MAX_NOTE:
        raise HTTPException(422, f"Причина слишком длинная: не больше {MAX_NOTE} символов.")
    practices = queries.by_ids(session, [int(i) for i in ids])
    done, skipped = 0, []
    for practice_id in (int(i) for i in ids):
        practice = practices.get(practice_id)
        if practice is None:
            continue
        target = BULK[action]
        if fields.get(f"version.{practice_id}") != str(practice.version) or TRANSITIONS.get(
            (practice.status, target)) != action:
            skipped.append(practice.tracking_code)
            continue
        try:
            change_status(session, practice, target, actor(admin), note if action == "reject" else None)
        except CatalogueError:  # changed by someone else between the read and the write
            skipped.append(practice.tracking_code)
            continue
        done += 1
    query = filter_params(back) + [("done", action), ("n", str(done))]
    if skipped:
        query.append(("skipped", ",".join(skipped[:50])))
    return RedirectResponse("/admin?" + urlencode(query), status_code=303)
