"""`GET /api/v1/changes`: incremental sync for mirrors, read from the change log
(`app.catalogue.changes` says how the cursor stays safe).

A mirror starts with no cursor (everything since the beginning), applies each change in order
(`upsert`: store the card by id; `delete`: remove the id) and passes `next_cursor` as `since`
next time. Several changes of one practice within a page are collapsed into its current state.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.api.params import CHANGES_DEFAULT_LIMIT, ChangesParams, documented, params_of
from app.api.responses import BAD_REQUEST, LIST_MAX_AGE, NOT_MODIFIED, cached_response, json_body
from app.api.v1.models import Change, ChangesPage, Links
from app.api.v1.present import practice_card
from app.catalogue.changes import changes_since
from app.deps import ReferenceDep, SessionDep, SettingsDep
from app.links import public_base

router = APIRouter()


@router.get(
    "/changes",
    response_model=ChangesPage,
    summary="Изменения для зеркал",
    description="Что опубликовано, изменено или снято с публикации после курсора `since`. "
    "Снятые приходят как `delete` с id и slug. Зеркало, которое применяет изменения по порядку и "
    "передаёт `next_cursor` в следующий запрос, в точности совпадает с каталогом. Пока `has_more` — "
    "запрашивайте `links.next` сразу; иначе — раз в несколько минут.",
    responses={304: NOT_MODIFIED, 400: BAD_REQUEST},
    openapi_extra=documented(ChangesParams),
)
def changes(
    request: Request,
    params: Annotated[ChangesParams, Depends(params_of(ChangesParams))],
    session: SessionDep,
    settings: SettingsDep,
    ref: ReferenceDep,
) -> Response:
    cursor, size = params.since or 0, params.limit or CHANGES_DEFAULT_LIMIT
    base = public_base(request, settings)
    entries, next_cursor, more = changes_since(session, cursor, size)
    items = [
        Change(seq=e.seq, kind="upsert", id=e.practice_id, slug=e.slug, practice=practice_card(e.practice, ref, base))
        if e.practice is not None
        else Change(seq=e.seq, kind="delete", id=e.practice_id, slug=e.slug, practice=None)
        for e in entries
    ]
    here = f"{base}/api/v1/changes"
    suffix = f"&limit={size}" if size != CHANGES_DEFAULT_LIMIT else ""
    links = Links(self_=f"{here}?since={cursor}{suffix}", next=f"{here}?since={next_cursor}{suffix}")
    body = ChangesPage(changes=items, next_cursor=str(next_cursor), has_more=more, links=links)
    headers = {"Link": f'<{links.next}>; rel="next"'}
    return cached_response(request, json_body(body), "application/json", min(LIST_MAX_AGE, 10), headers)

