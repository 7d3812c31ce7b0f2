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
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.api.http import BAD_REQUEST, LIST_MAX_AGE, TAG_FEEDS, UNAVAILABLE, public_base, search_or_503
from app.api.v1_params import search_dependency
from app.api.v1_present import as_utc, card_url
from app.catalogue.practices import practice_to_record
from app.deps import EngineDep, SearchDep, SettingsDep
from app.models import Practice, Status
from app.search.base import MAX_PER_PAGE, SearchIndex, SearchQuery, SearchResult
from app.search.params import MAX_PAGE

log = logging.getLogger(__name__)
router = APIRouter(tags=[TAG_FEEDS])
ExportQuery = Annotated[SearchQuery, Depends(search_dependency(with_paging=False))]

BATCH = MAX_PER_PAGE
CSV_COLUMNS = (
    "id", "slug", "url", "title", "summary", "problem", "solution", "outcome", "outcome_figures",
    "region_code", "region", "municipality", "municipality_type_slug", "municipality_type",
    "themes", "theme_names", "year_started", "resources", "partners",
    "contact_organisation", "contact_person", "contact_email", "contact_phone", "contact_website",
    "source_url", "documents", "published_at", "updated_at",
)
JOIN = "; "
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
                found = session.exec(
                    select(Practice).where(col(Practice.id).in_(ids), Practice.status == Status.published)
                ).unique()
                by_id = {p.id: p for p in found}
                for practice_id in ids:
                    if practice_id in by_id:
                        yield by_id[practice_id]
                session.expunge_all()
            if page >= result.pages or not result.hits:
                return


def public_record(practice: Practice) -> dict[str, Any]:
    """The `practices export` record without what is not public."""
    record = practice_to_record(practice)
    if not practice.contact_public:
        record.pop("contact", None)
    return record


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


def csv_row(p: Practice, base: str) -> list[str]:
    public = p.contact_public
    themes = sorted(p.themes, key=lambda t: t.slug)
    values: dict[str, Any] = {
        "id": p.id,
        "slug": p.slug,
        "url": card_url(base, p.slug),
        "title": p.title,
        "summary": p.summary,
        "problem": p.problem,
        "solution": p.solution,
        "outcome": p.outcome,
        "outcome_figures": JOIN.join(_figure(f) for f in p.outcome_figures or []),
        "region_code": p.region_code,
        "region": p.region.name,
        "municipality": p.municipality,
        "municipality_type_slug": p.municipality_type_slug,
        "municipality_type": p.municipality_type.name,
        "themes": JOIN.join(t.slug for t in themes),
        "theme_names": JOIN.join(t.name for t in themes),
        "year_started": p.year_started,
        "resources": p.resources,
        "partners": p.partners,
        "contact_organisation": p.contact_organisation if public else None,
        "contact_person": p.contact_person if public else None,
        "contact_email": p.contact_email if public else None,
        "contact_phone": p.contact_phone if public else None,
        "contact_website": p.contact_website if public else None,
        "source_url": p.source_url,
        "documents": JOIN.join(f"{d.get('title', '')} ({d.get('url', '')})" for d in p.documents or []),
        "published_at": _iso(p.published_at),
        "updated_at": _iso(p.updated_at),
    }
    return [_cell(values[c]) for c in CSV_COLUMNS]


def csv_stream(practices: Iterator[Practice], base: str) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield ("\ufeff" + buffer.getvalue()).encode()  # BOM: Excel then reads the file as UTF-8
    n = 0
    for practice in practices:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(csv_row(practice, base))
        n += 1
        yield buffer.getvalue().encode()
    log.info("csv export: %d practices", n)


def jsonl_stream(practices: Iterator[Practice]) -> Iterator[bytes]:
    for practice in practices:
        yield (json.dumps(public_record(practice), ensure_ascii=False) + "\n").encode()


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
    "открыл кириллицу; несколько значений в одной ячейке — через «; ». Параметры page, per_page и facets "
    "принимаются и не учитываются.",
    response_class=StreamingResponse,
    responses={
        200: {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}},
        400: BAD_REQUEST,
        503: UNAVAILABLE,
    },
)
def export_csv(
    request: Request, query: ExportQuery, engine: EngineDep, index: SearchDep, settings: SettingsDep
) -> StreamingResponse:
    base = public_base(request, settings)
    first = search_or_503(index, batch_query(query, 1))
    body = csv_stream(matching_practices(engine, index, query, first), base)
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
)
def export_jsonl(request: Request, query: ExportQuery, engine: EngineDep, index: SearchDep) -> StreamingResponse:
    first = search_or_503(index, batch_query(query, 1))
    body = jsonl_stream(matching_practices(engine, index, query, first))
    return _attachment(body, "application/x-ndjson; charset=utf-8", "practices.jsonl")
