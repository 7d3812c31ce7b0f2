"""The current search as a file: CSV for spreadsheets, JSON Lines in the import format.

Both stream: the search index gives the matching ids page by page (in the search's order),
the database gives the cards in batches, in a session the generator opens for itself (the
request's session is closed before the body is sent). Only published practices, only public
fields: the contact only when `contact_public`.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.api.params import ExportQueryDep, documented
from app.api.responses import BAD_REQUEST, LIST_MAX_AGE, UNAVAILABLE, search_or_503
from app.api.v1.present import as_utc, card_url
from app.catalogue.practices import fields, queries
from app.catalogue.practices.schemas import PLACE_LABELS
from app.catalogue.reference import Reference
from app.deps import EngineDep, ReferenceDep, SearchDep, SettingsDep
from app.links import public_base
from app.models import Adoption, Practice
from app.search.base import MAX_PER_PAGE, SearchIndex, SearchQuery, SearchResult
from app.search.params import EXPORT, MAX_PAGE

log = logging.getLogger(__name__)
router = APIRouter()

BATCH = MAX_PER_PAGE
JOIN = "; "
# A reference code is followed by the name people read: region_code, region, ….
NAMES_BESIDE = {"region": "region", "municipality_type": "municipality_type", "themes": "theme_names"}
# Record keys that are no column: the slug leads the row anyway, the contact's consent is implied.
NOT_COLUMNS = ("slug", "contact_public")


def _csv_columns() -> tuple[str, ...]:
    columns = ["id", "slug", "url"]
    for f in fields.FIELDS:
        if f.key in NOT_COLUMNS:
            continue
        columns.append(f.attribute)
        if f.key in NAMES_BESIDE:
            columns.append(NAMES_BESIDE[f.key])
    return (*columns, "adoptions", "published_at", "updated_at")


CSV_COLUMNS = _csv_columns()
# A cell starting with one of these is a formula to a spreadsheet (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def batch_query(query: SearchQuery, page: int) -> SearchQuery:
    return replace(query, page=page, per_page=BATCH, facets=())


def matching_practices(
    engine: Engine, index: SearchIndex, query: SearchQuery, first: SearchResult
) -> Iterator[Practice]:
    """Published practices matching the search, in its order, read in batches.

    `first` is the first page, searched before the response started (so an unavailable engine
    is a 503, not a cut-off file).
    """
    seen: set[int] = set()
    with Session(engine) as session:
        for page in range(1, MAX_PAGE + 1):
            result = first if page == 1 else index.search(batch_query(query, page))
            ids = [h.id for h in result.hits if h.id not in seen]
            seen.update(ids)
            if ids:
                by_id = queries.published_by_ids(session, ids)
                for practice_id in ids:
                    if practice_id in by_id:
                        yield by_id[practice_id]
                session.expunge_all()
            if page >= result.pages or not result.hits:
                return


def _number(value: Any) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _figure(f: dict[str, Any]) -> str:
    text = f"{f.get('indicator', '')}: {_number(f.get('value_before')) or '—'} → {_number(f.get('value_after')) or '—'}"
    if f.get("unit"):
        text += f" {f['unit']}"
    if f.get("period"):
        text += f" ({f['period']})"
    return text


def _iso(value: datetime | None) -> str | None:
    stamp = as_utc(value)
    return stamp.isoformat(timespec="seconds").replace("+00:00", "Z") if stamp else None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _award(a: dict[str, Any], ref: Reference) -> str:
    competition = ref.competitions.get(a["competition"])
    text = f"{a['year']}: {competition.short_name or competition.name if competition else a['competition']}"
    nomination = ref.nominations.get(a.get("nomination") or "")
    if nomination:
        text += f", «{nomination.name}»"
    if a.get("category"):
        text += f", категория {a['category']}"
    if a.get("place"):
        text += f", {PLACE_LABELS.get(a['place'], a['place'])}"
    if a.get("prize"):
        text += f", {a['prize']}"
    return text


def _adoption(a: Adoption) -> str:
    """Where the practice was adopted: «Старооскольский городской округ (Белгородская область, 2024)»."""
    where = ", ".join(x for x in (a.region.name, str(a.year) if a.year else None) if x)
    return f"{a.municipality} ({where})"


def _text(key: str, value: Any, ref: Reference) -> Any:
    """A record value as one cell."""
    if value is None:
        return None
    if key == "outcome_figures":
        return JOIN.join(_figure(f) for f in value)
    if key == "documents":
        return JOIN.join(f"{d.get('title', '')} ({d.get('url', '')})" for d in value)
    if key == "awards":
        return JOIN.join(_award(a, ref) for a in value)
    return JOIN.join(value) if isinstance(value, list) else value


def csv_row(p: Practice, ref: Reference, base: str) -> list[str]:
    record = fields.to_record(p, public_only=True)
    values: dict[str, Any] = {"id": p.id, "slug": p.slug, "url": card_url(base, p.slug)}
    for f in fields.FIELDS:
        if f.key not in NOT_COLUMNS:
            values[f.attribute] = _text(f.key, fields.get(record, f.key), ref)
    values["region"] = ref.label("region", p.region_code)
    values["municipality_type"] = ref.label("municipality_type", p.municipality_type_slug)
    values["theme_names"] = JOIN.join(ref.label("theme", t) for t in record.get("themes", []))
    values["adoptions"] = JOIN.join(_adoption(a) for a in p.adoptions)
    values["published_at"] = _iso(p.published_at)
    values["updated_at"] = _iso(p.updated_at)
    return [_cell(values.get(c)) for c in CSV_COLUMNS]


def csv_stream(practices: Iterator[Practice], ref: Reference, base: str) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield ("\ufeff" + buffer.getvalue()).encode()  # BOM: Excel then reads the file as UTF-8
    n = 0
    for practice in practices:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(csv_row(practice, ref, base))
        n += 1
        yield buffer.getvalue().encode()
    log.info("csv export: %d practices", n)


def jsonl_stream(practices: Iterator[Practice]) -> Iterator[bytes]:
    for practice in practices:
        yield (json.dumps(fields.to_record(practice, public_only=True), ensure_ascii=False) + "\n").encode()


def _attachment(body: Iterator[bytes], media_type: str, filename: str) -> StreamingResponse:
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": f"public, max-age={LIST_MAX_AGE}",
    }
    return StreamingResponse(body, media_type=media_type, headers=headers)


@router.get(
    "/export/practices.csv",
    summary="Поиск в CSV",
    description="Все практики текущего поиска (без страниц), все публичные поля; UTF-8 с BOM, чтобы Excel "
    "открыл кириллицу; несколько значений в одной ячейке — через «; »; столбец `adoptions` — где ещё внедрили. Параметры page, per_page и facets "
    "принимаются и не учитываются.",
    response_class=StreamingResponse,
    responses={
        200: {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}},
        400: BAD_REQUEST,
        503: UNAVAILABLE,
    },
    openapi_extra=documented(EXPORT.model),
)
def export_csv(
    request: Request, query: ExportQueryDep, engine: EngineDep, index: SearchDep, ref: ReferenceDep,
    settings: SettingsDep,
) -> StreamingResponse:
    base = public_base(request, settings)
    first = search_or_503(index, batch_query(query, 1))
    body = csv_stream(matching_practices(engine, index, query, first), ref, base)
    return _attachment(body, "text/csv; charset=utf-8", "practices.csv")


@router.get(
    "/export/practices.jsonl",
    summary="Поиск в JSON Lines",
    description="Те же записи, что выгружает `practices export` (формат импорта), без закрытых полей: "
    "контакты — только если авторы разрешили их публиковать. Одна практика на строку.",
    response_class=StreamingResponse,
    responses={
        200: {"description": "JSON Lines", "content": {"application/x-ndjson": {"schema": {"type": "string"}}}},
        400: BAD_REQUEST,
        503: UNAVAILABLE,
    },
    openapi_extra=documented(EXPORT.model),
)
def export_jsonl(query: ExportQueryDep, engine: EngineDep, index: SearchDep) -> StreamingResponse:
    first = search_or_503(index, batch_query(query, 1))
    body = jsonl_stream(matching_practices(engine, index, query, first))
    return _attachment(body, "application/x-ndjson; charset=utf-8", "practices.jsonl")
