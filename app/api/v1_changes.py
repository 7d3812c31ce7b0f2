"""`GET /api/v1/changes`: incremental sync for mirrors, read from the ChangeLog table.

A mirror starts with no cursor (everything since the beginning), applies each change in order
(`upsert`: store the card by id; `delete`: remove the id) and passes `next_cursor` as `since`
next time. Several changes of one practice within a page are collapsed into its current state.

The horizon. A cursor must never move past a change that is not yet visible, or a mirror would
skip it for ever. `seq` comes from a sequence, and sequence values are handed out at insert
time but committed in any order, so "seq > cursor" alone can miss a late commit:

- SQLite has one writer at a time and assigns rowids at insert inside that writer's
  transaction, so every visible seq is final: the horizon is the highest visible seq.
- PostgreSQL: we hold the cursor back below any seq that may still be in flight, without a
  time window (a long import could outlast any window). `nextval` takes a RowExclusiveLock on
  the sequence that is held until its transaction ends, so:
    1. read `last` = the last value the sequence has handed out (non-transactional);
    2. look in pg_locks for other transactions holding a lock on the sequence;
    3. if there are none, every seq <= `last` is committed (and visible to the next
       statement) or rolled back for ever: horizon = `last`;
       otherwise an in-flight seq can only be a gap among the visible seqs, so the horizon is
       the end of the unbroken run of visible seqs after the cursor.
  Steps 1 and 2 must run in that order: a transaction holding a seq <= `last` either still
  holds its lock at step 2 or has committed before the rows are read. A gap left by a
  rollback holds the cursor only while other writers are in flight; the next quiet moment
  releases it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import exists, text
from sqlmodel import Session, col, func, select

from app.api.http import (
    BAD_REQUEST,
    LIST_MAX_AGE,
    NOT_MODIFIED,
    BadParams,
    cached_response,
    json_body,
    public_base,
    unknown_params,
)
from app.api.v1_models import Change, ChangesPage, Links
from app.api.v1_present import practice_card
from app.deps import SessionDep, SettingsDep
from app.models import ChangeLog, Practice, Status
from app.search.params import whole_number

router = APIRouter()  # included in v1.router, which tags it

DEFAULT_LIMIT = 500
MAX_LIMIT = 1000
# change_log.seq is a 32-bit integer column; nine digits stay below its limit.
MAX_CURSOR = 999_999_999


def horizon(session: Session, cursor: int, limit: int) -> int:
    """The highest seq below which no change can still appear (see the module docstring)."""
    if session.get_bind().dialect.name != "postgresql":
        return session.exec(select(func.max(ChangeLog.seq))).one() or 0
    last = session.exec(  # type: ignore[call-overload]
        text("SELECT pg_sequence_last_value(pg_get_serial_sequence('change_log', 'seq')::regclass)")
    ).scalar()
    if last is None:  # nothing was ever handed out
        return 0
    in_flight = session.exec(  # type: ignore[call-overload]
        text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'relation' "
            "AND relation = pg_get_serial_sequence('change_log', 'seq')::regclass "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND pid <> pg_backend_pid()"
        )
    ).scalar()
    if not in_flight:
        return int(last)
    if cursor >= last:
        return int(last)
    starts = session.exec(select(exists().where(col(ChangeLog.seq) == cursor + 1))).one()
    if not starts:
        return cursor
    end = min(int(last), cursor + limit)  # a page never needs more than `limit` seqs
    first_missing_next = session.exec(  # type: ignore[call-overload]
        text(
            "SELECT min(c.seq) FROM change_log c WHERE c.seq >= :start AND c.seq < :end "
            "AND NOT EXISTS (SELECT 1 FROM change_log d WHERE d.seq = c.seq + 1)"
        ),
        params={"start": cursor + 1, "end": end},
    ).scalar()
    return int(first_missing_next) if first_missing_next is not None else end


def _parse(request: Request) -> tuple[int, int]:
    errors = unknown_params(request, ("since", "limit"))
    cursor, limit = 0, DEFAULT_LIMIT
    raw = request.query_params.get("since")
    if raw not in (None, ""):
        if (value := whole_number(raw, 0, MAX_CURSOR)) is not None:
            cursor = value
        else:
            errors.append({"field": "since", "message": f"нужен курсор из next_cursor (целое число от 0 до {MAX_CURSOR})"})
    raw = request.query_params.get("limit")
    if raw not in (None, ""):
        if (value := whole_number(raw, 1, MAX_LIMIT)) is not None:
            limit = value
        else:
            errors.append({"field": "limit", "message": f"допустимо от 1 до {MAX_LIMIT}"})
    if errors:
        raise BadParams(errors)
    return cursor, limit


def changes_since(session: Session, cursor: int, limit: int, base: str) -> tuple[list[Change], int, bool]:
    """Changes after `cursor` up to the horizon: (collapsed changes, next cursor, more to come)."""
    top = horizon(session, cursor, limit)
    rows = list(
        session.exec(
            select(ChangeLog)
            .where(col(ChangeLog.seq) > cursor, col(ChangeLog.seq) <= top)
            .order_by(col(ChangeLog.seq))
            .limit(limit)
        )
    )
    latest: dict[int, ChangeLog] = {}
    for row in rows:
        latest.pop(row.practice_id, None)  # re-insert: dict order becomes the order of latest changes
        latest[row.practice_id] = row
    practices: dict[int, Practice] = {}
    if latest:
        found = session.exec(select(Practice).where(col(Practice.id).in_(list(latest)))).unique()
        practices = {p.id: p for p in found if p.id is not None}
    changes = []
    for practice_id, row in latest.items():
        practice = practices.get(practice_id)
        # The current state wins over the logged kind: a later change is replayed again anyway.
        if practice is not None and practice.status == Status.published:
            changes.append(
                Change(seq=row.seq or 0, kind="upsert", id=practice_id, slug=practice.slug,
                       practice=practice_card(practice, base))
            )
        else:
            slug = practice.slug if practice is not None else row.slug
            changes.append(Change(seq=row.seq or 0, kind="delete", id=practice_id, slug=slug, practice=None))
    full = len(rows) == limit
    next_cursor = (rows[-1].seq or cursor) if full else max(cursor, top)
    more = full and session.exec(
        select(exists().where(col(ChangeLog.seq) > next_cursor, col(ChangeLog.seq) <= top))
    ).one()
    return changes, next_cursor, bool(more)


@router.get(
    "/changes",
    response_model=ChangesPage,
    summary="Изменения для зеркал",
    description="Что опубликовано, изменено или снято с публикации после курсора `since`. "
    "Снятые приходят как `delete` с id и slug. Зеркало, которое применяет изменения по порядку и "
    "передаёт `next_cursor` в следующий запрос, в точности совпадает с каталогом. Пока `has_more` — "
    "запрашивайте `links.next` сразу; иначе — раз в несколько минут.",
    responses={
        304: NOT_MODIFIED,
        400: BAD_REQUEST,
    },
)
def changes(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    since: Annotated[str, Query(
        description="Курсор из `next_cursor` прошлого ответа; без него — с самого начала",
        json_schema_extra={"type": "string", "pattern": "^[0-9]{0,9}$", "examples": ["0"]},
    )] = None,  # type: ignore[assignment]
    limit: Annotated[str, Query(
        description=f"Сколько записей журнала прочитать за раз (1–{MAX_LIMIT}, по умолчанию {DEFAULT_LIMIT})",
        json_schema_extra={"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "examples": [100]},
    )] = None,  # type: ignore[assignment]
) -> Response:
    cursor, size = _parse(request)
    base = public_base(request, settings)
    items, next_cursor, more = changes_since(session, cursor, size, base)
    here = f"{base}/api/v1/changes"
    suffix = f"&limit={size}" if size != DEFAULT_LIMIT else ""
    links = Links(self=f"{here}?since={cursor}{suffix}", next=f"{here}?since={next_cursor}{suffix}")
    body = ChangesPage(changes=items, next_cursor=str(next_cursor), has_more=more, links=links)
    headers = {"Link": f'<{links.next}>; rel="next"'}
    return cached_response(request, json_body(body), "application/json", min(LIST_MAX_AGE, 10), headers)

