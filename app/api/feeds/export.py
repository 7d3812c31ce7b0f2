"""The current search as a file: CSV (for programs, or for Excel), XLSX, and JSON Lines in the
import format.

CSV and JSON Lines stream: the search index gives the matching ids page by page (in the search's
order), the database gives the cards in batches, in a session the generator opens for itself
(the request's session is closed before the body is sent). An XLSX is a zip, complete only at
its end: it is written row by row into a spooled temporary file (bounded memory) and then sent.
Only published practices, only public fields: the contact only when `contact_public`.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from typing import IO, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.api.params import ExportDep, NoParams, Nothing, documented
from app.api.responses import BAD_REQUEST, LIST_MAX_AGE, UNAVAILABLE, search_or_503
from app.api.v1.present import card_url
from app.catalogue.practices import fields, queries, table
from app.catalogue.practices.sheets import XLSX_TYPE, CsvWriter, XlsxWriter
from app.catalogue.reference import Reference
from app.deps import EngineDep, ReferenceDep, SearchDep, SettingsDep
from app.links import public_base
from app.models import Practice
from app.search.base import MAX_PER_PAGE, SearchIndex, SearchQuery, SearchResult, SearchUnavailable
from app.search.params import EXPORT, MAX_PAGE

log = logging.getLogger(__name__)
router = APIRouter()

BATCH = MAX_PER_PAGE
CSV_COLUMNS = tuple(c.key for c in table.COLUMNS)
SPOOL_BYTES = 8 * 1024 * 1024  # an XLSX larger than this goes to a temporary file on disk
CHUNK = 64 * 1024


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
    for page in range(1, MAX_PAGE + 1):
        result = first if page == 1 else index.search(batch_query(query, page))
        ids = [h.id for h in result.hits if h.id not in seen]
        seen.update(ids)
        if ids:
            # A session per batch, closed before the batch is handed out: a client that leaves
            # mid-file abandons this generator, and no transaction may stay open behind it.
            with Session(engine) as session:
                by_id = queries.published_by_ids(session, ids)
            for practice_id in ids:
                if practice_id in by_id:
                    yield by_id[practice_id]
        if page >= result.pages or not result.hits:
            return


def public_row(practice: Practice, ref: Reference, base: str) -> tuple[dict[str, Any], dict[str, list[list[Any]]]]:
    """A practice's public values by column (`table.COLUMNS`) and its row groups' rows."""
    record = fields.to_record(practice, public_only=True)
    extra = {"id": practice.id, "url": card_url(base, practice.slug), "published_at": practice.published_at,
             "updated_at": practice.updated_at, "adoptions": [table.adoption_text(a) for a in practice.adoptions]}
    return table.row_values(record, ref, extra), table.sheet_rows(record, ref)


def csv_stream(practices: Iterator[Practice], ref: Reference, base: str, dialect: table.Dialect) -> Iterator[bytes]:
    writer = CsvWriter(dialect)
    yield writer.header()
    n = 0
    for practice in practices:
        yield writer.row(public_row(practice, ref, base)[0])
        n += 1
    log.info("csv export (%s): %d practices", dialect, n)


def jsonl_stream(practices: Iterator[Practice]) -> Iterator[bytes]:
    for practice in practices:
        yield (json.dumps(fields.to_record(practice, public_only=True), ensure_ascii=False) + "\n").encode()


def write_xlsx(practices: Iterator[Practice], ref: Reference, base: str) -> IO[bytes]:
    """The practices as a workbook (`sheets.XlsxWriter`) in a spooled temporary file."""
    writer = XlsxWriter(ref)
    n = 0
    for practice in practices:
        writer.add(*public_row(practice, ref, base))
        n += 1
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (closed by file_chunks)
    writer.save(out)
    log.info("xlsx export: %d practices", n)
    return out


def file_chunks(out: IO[bytes]) -> Iterator[bytes]:
    try:
        while chunk := out.read(CHUNK):
            yield chunk
    finally:
        out.close()


def _workbook(out: IO[bytes], filename: str) -> StreamingResponse:
    """A written workbook, sent from its temporary file (its length known: it is complete)."""
    length = out.seek(0, 2)
    out.seek(0)
    return _attachment(file_chunks(out), XLSX_TYPE, filename, length)


def _attachment(body: Iterator[bytes], media_type: str, filename: str, length: int | None = None) -> StreamingResponse:
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": f"public, max-age={LIST_MAX_AGE}",
    }
    if length is not None:
        headers["Content-Length"] = str(length)
    return StreamingResponse(body, media_type=media_type, headers=headers)


@router.get(
    "/export/practices.csv",
    summary="Поиск в CSV",
    description="Все практики текущего поиска (без страниц), все публичные поля; UTF-8 с BOM, чтобы Excel "
    "открыл кириллицу; несколько значений в одной ячейке — через «; ». По умолчанию — RFC 4180: запятые и "
    "английские имена столбцов (для программ); `dialect=excel-ru` — точки с запятой и русские заголовки "
    "(Excel в русской локали открывает по столбцам). Столбец `adoptions` — где ещё внедрили практику. "
    "Параметры page, per_page и facets принимаются и не учитываются.",
    response_class=StreamingResponse,
    responses={
        200: {"description": "Файл CSV", "content": {"text/csv": {"schema": {"type": "string"},
              "example": "id,slug,url,title\r\n1,yunarmiya-belgorod,https://…/practices/yunarmiya-belgorod,"
                         "Юнармейские отряды в школах\r\n"}}},
        400: BAD_REQUEST,
        503: UNAVAILABLE,
    },
    openapi_extra=documented(EXPORT.model),
)
def export_csv(
    request: Request, export: ExportDep, engine: EngineDep, index: SearchDep, ref: ReferenceDep, settings: SettingsDep,
) -> StreamingResponse:
    base = public_base(request, settings)
    first = search_or_503(index, batch_query(export.query, 1))
    body = csv_stream(matching_practices(engine, index, export.query, first), ref, base, export.dialect)
    filename = "practices-excel.csv" if export.dialect == "excel-ru" else "practices.csv"
    return _attachment(body, "text/csv; charset=utf-8", filename)


@router.get(
    "/export/practices.xlsx",
    summary="Поиск в Excel (XLSX)",
    description="Те же практики, что в CSV, книгой Excel: лист «Практики» (по строке на практику, ссылки — "
    "ссылками, годы и номера — числами), лист «Столбцы» (что в каком столбце), листы «Цифры» (результаты "
    "числами), «Документы» и «Награды». Такой файл можно поправить и загрузить обратно через импорт. "
    "Параметры page, per_page, facets и dialect принимаются и не учитываются.",
    response_class=StreamingResponse,
    responses={
        200: {"description": "Книга Excel", "content": {XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}}},
        400: BAD_REQUEST,
        503: UNAVAILABLE,
    },
    openapi_extra=documented(EXPORT.model),
)
def export_xlsx(
    request: Request, export: ExportDep, engine: EngineDep, index: SearchDep, ref: ReferenceDep, settings: SettingsDep,
) -> StreamingResponse:
    base = public_base(request, settings)
    first = search_or_503(index, batch_query(export.query, 1))
    try:
        out = write_xlsx(matching_practices(engine, index, export.query, first), ref, base)
    except SearchUnavailable as exc:  # a later page: still before the response started
        raise HTTPException(503, "Поиск временно недоступен, повторите запрос позже", headers={"Retry-After": "30"}) from exc
    return _workbook(out, "practices.xlsx")


@router.get(
    "/export/practices.jsonl",
    summary="Поиск в JSON Lines",
    description="Те же записи, что выгружает `practices export` (формат импорта), без закрытых полей: "
    "контакты — только если авторы разрешили их публиковать. Одна практика на строку.",
    response_class=StreamingResponse,
    responses={
        200: {"description": "Файл JSON Lines: по практике на строку", "content": {"application/x-ndjson": {
              "schema": {"type": "string"},
              "example": '{"slug": "yunarmiya-belgorod", "title": "Юнармейские отряды в школах", "region": "RU-BEL", '
                         '"municipality_type": "municipal-district", "themes": ["youth"], "status": "published"}\n'}}},
        400: BAD_REQUEST,
        503: UNAVAILABLE,
    },
    openapi_extra=documented(EXPORT.model),
)
def export_jsonl(export: ExportDep, engine: EngineDep, index: SearchDep) -> StreamingResponse:
    first = search_or_503(index, batch_query(export.query, 1))
    body = jsonl_stream(matching_practices(engine, index, export.query, first))
    return _attachment(body, "application/x-ndjson; charset=utf-8", "practices.jsonl")


@router.get(
    "/export/practices-template.xlsx",
    summary="Шаблон таблицы для импорта",
    description="Пустая книга Excel с теми же листами и столбцами, что выгрузка XLSX, с описанием столбцов и "
    "справочниками кодов (регионы, типы МО, темы, конкурсы, номинации). Заполненный шаблон модератор загружает "
    "на странице «Импорт из таблицы»; регион, тип МО и темы можно писать названиями.",
    response_class=StreamingResponse,
    responses={200: {"description": "Книга Excel", "content": {XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}}},
               400: BAD_REQUEST},
    openapi_extra=documented(Nothing),
    dependencies=[NoParams],
)
def export_template(ref: ReferenceDep) -> StreamingResponse:
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (closed by file_chunks)
    XlsxWriter(ref, columns_only=True).save(out)
    return _workbook(out, "practices-template.xlsx")
