"""Import from a spreadsheet (/admin/imports): a moderator uploads an XLSX or CSV, sees every row's
errors at once, each with its sheet, row and column, and imports when the whole sheet is good,
or skips the bad rows on purpose. Nothing is written before that; imported practices wait in
the queue unless the moderator publishes them. The template to fill is /export/practices-template.xlsx.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from app.catalogue import imports
from app.catalogue.practices.io import ImportFailed, check_file
from app.catalogue.practices.sheets import MAX_FILE_BYTES, SheetError
from app.db import is_row_id
from app.deps import ReferenceDep, SessionDep
from app.models import ImportBatch, ImportStatus
from app.web.admin.auth import CurrentAdmin, actor
from app.web.forms import PostedPairs
from app.web.templating import render

router = APIRouter()
TEMPLATE_URL = "/export/practices-template.xlsx"
MEGABYTES = MAX_FILE_BYTES // (1024 * 1024)


async def uploaded_file(request: Request) -> tuple[str, bytes] | str:
    """The posted file as (name, content), or what is wrong with the upload, in Russian."""
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        return "Отправьте файл через форму на этой странице."
    try:
        form = await request.form(max_files=1, max_fields=10)
    except Exception:  # a malformed multipart body: say so, never a 500
        return "Форма повреждена: не удалось прочитать файл."
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return "Выберите файл: таблицу Excel (.xlsx) или CSV."
    data = await upload.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        return f"Файл больше {MEGABYTES} МБ: разделите таблицу на несколько файлов."
    if not data:
        return "Файл пуст."
    return upload.filename, data


Upload = Annotated[tuple[str, bytes] | str, Depends(uploaded_file)]


def _page(request: Request, admin: object, session: SessionDep, error: str | None = None, status: int = 200) -> HTMLResponse:
    context = {"admin": admin, "error": error, "batches": imports.recent(session), "template_url": TEMPLATE_URL,
               "megabytes": MEGABYTES}
    return render(request, "admin/imports.html", context, status)


@router.get("/admin/imports", response_class=HTMLResponse)
def imports_page(request: Request, admin: CurrentAdmin, session: SessionDep) -> HTMLResponse:
    return _page(request, admin, session)


@router.post("/admin/imports", response_class=HTMLResponse)
def upload(request: Request, file: Upload, admin: CurrentAdmin, session: SessionDep, ref: ReferenceDep) -> Response:
    if isinstance(file, str):
        return _page(request, admin, session, file, 400)
    name, data = file
    try:
        checked = check_file(name, data, ref)
    except SheetError as exc:
        return _page(request, admin, session, f"Файл «{name}» не прочитан: {exc}.", 422)
    if not checked:
        return _page(request, admin, session, f"В файле «{name}» нет ни одной практики.", 422)
    batch = imports.create_batch(session, name, actor(admin), checked)
    return RedirectResponse(f"/admin/imports/{batch.id}", status_code=303)


def _batch(session: SessionDep, batch_id: int) -> ImportBatch:
    batch = imports.get(session, batch_id) if is_row_id(batch_id) else None
    if batch is None:
        raise HTTPException(404, "Такой загрузки нет (непринятые загрузки хранятся две недели).")
    return batch


def _preview(request: Request, admin: object, session: SessionDep, batch: ImportBatch, error: str | None = None,
             status: int = 200) -> HTMLResponse:
    context = {
        "admin": admin,
        "batch": batch,
        "bad_rows": [r for r in batch.rows if r["errors"]],
        "good_rows": [r for r in batch.rows if not r["errors"]],
        "updates": imports.updates(session, batch),
        "imported": batch.status == ImportStatus.imported,
        "error": error,
    }
    return render(request, "admin/import_preview.html", context, status)


@router.get("/admin/imports/{batch_id}", response_class=HTMLResponse)
def preview(request: Request, batch_id: int, admin: CurrentAdmin, session: SessionDep) -> HTMLResponse:
    return _preview(request, admin, session, _batch(session, batch_id))


@router.post("/admin/imports/{batch_id}", response_class=HTMLResponse)
def confirm(request: Request, batch_id: int, pairs: PostedPairs, admin: CurrentAdmin, session: SessionDep,
            ref: ReferenceDep) -> Response:
    batch = _batch(session, batch_id)
    skip_bad, publish = pairs.get("skip_bad") == "1", pairs.get("publish") == "1"
    try:
        imports.apply(session, ref, batch, actor(admin), skip_bad, publish)
    except imports.RowsWithErrors:
        return _preview(request, admin, session, batch, "В таблице есть строки с ошибками: исправьте файл и загрузите "
                        "его снова или отметьте «Пропустить строки с ошибками».", 422)
    except imports.AlreadyImported:
        session.rollback()
        return RedirectResponse(f"/admin/imports/{batch.id}", status_code=303)
    except ImportFailed as exc:  # the reference tables changed since the check
        session.rollback()
        problems = "; ".join(str(e) for e in exc.errors[:5])
        return _preview(request, admin, session, _batch(session, batch_id),
                        f"Импорт не выполнен, ничего не записано: {problems}. Загрузите файл снова.", 409)
    except IntegrityError:  # the same address taken by another write at this very moment
        session.rollback()
        return _preview(request, admin, session, _batch(session, batch_id),
                        "Импорт не выполнен, ничего не записано: одновременно добавлена практика с тем же адресом "
                        "страницы. Нажмите «Импортировать» ещё раз.", 409)
    return RedirectResponse(f"/admin/imports/{batch.id}", status_code=303)
