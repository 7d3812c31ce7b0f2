"""Spreadsheets moderators import (the page under /admin/imports): read and checked first, kept
as an `ImportBatch`, imported at most once when the moderator says so.

Services flush, never commit. `apply` claims the batch with one conditional update in the same
transaction as the practices it writes: two moderators (or a double click) importing the same
batch at once write it once; if the writes fail, the claim is rolled back with them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, delete, select, update

from app.catalogue.practices import queries
from app.catalogue.practices.io import Checked, ImportReport, Source, check_sources, write_checked
from app.catalogue.reference import Reference
from app.models import ImportBatch, ImportStatus, Status, utcnow

KEEP_CHECKED = timedelta(days=14)  # batches nobody imported are dropped after this
RECENT = 10


def _row(checked: Checked) -> dict[str, Any]:
    raw = checked.source.raw or {}
    title = raw.get("title")
    return {
        "line": checked.line,
        "title": title if isinstance(title, str) else None,
        "slug": checked.slug,
        "raw": None if checked.errors else checked.source.raw,
        "errors": [{"where": str(e.place) if e.place else f"строка {e.line}", "field": e.field, "message": e.message}
                   for e in checked.errors],
    }


def create_batch(session: Session, filename: str, actor: str, checked: list[Checked]) -> ImportBatch:
    """Keep what a file gave, checked, for the moderator to look at; drop stale batches."""
    session.exec(delete(ImportBatch).where(col(ImportBatch.status) == ImportStatus.checked,
                                           col(ImportBatch.created_at) < utcnow() - KEEP_CHECKED))
    rows = [_row(c) for c in checked]
    batch = ImportBatch(filename=filename[:255], created_by=actor[:100], rows=rows,
                        good=sum(1 for r in rows if not r["errors"]), bad=sum(1 for r in rows if r["errors"]))
    session.add(batch)
    session.flush()
    return batch


def get(session: Session, batch_id: int) -> ImportBatch | None:
    return session.get(ImportBatch, batch_id)


def recent(session: Session, limit: int = RECENT) -> list[ImportBatch]:
    return list(session.exec(select(ImportBatch).order_by(col(ImportBatch.created_at).desc(), col(ImportBatch.id).desc())
                             .limit(limit)))


def updates(session: Session, batch: ImportBatch) -> set[str]:
    """The good rows' addresses that belong to practices already: those rows update them."""
    return queries.existing_slugs(session, [r["slug"] for r in batch.rows if not r["errors"] and r["slug"]])


class AlreadyImported(Exception):
    pass


class RowsWithErrors(Exception):
    """The batch has bad rows and the moderator did not choose to skip them."""


def apply(session: Session, ref: Reference, batch: ImportBatch, actor: str, skip_bad: bool,
          publish: bool) -> ImportReport:
    """Import the batch's good rows (all rows must be good unless `skip_bad`): new practices wait
    for moderation unless `publish`. Raises AlreadyImported when another request has imported
    it, `io.ImportFailed` when a row no longer passes its check (the reference tables changed)."""
    if batch.bad and not skip_bad:
        raise RowsWithErrors
    claimed = session.exec(
        update(ImportBatch)
        .where(col(ImportBatch.id) == batch.id, col(ImportBatch.status) == ImportStatus.checked)
        .values(status=ImportStatus.imported, imported_at=utcnow(), imported_by=actor[:100])
    ).rowcount
    if claimed != 1:
        raise AlreadyImported
    sources = [Source(r["line"], r["raw"], takes_status=True) for r in batch.rows if r["raw"] is not None]
    report = write_checked(session, ref, check_sources(sources, ref), actor,
                           new_status=Status.published if publish else Status.pending)
    report.skipped += batch.bad if skip_bad else 0
    session.refresh(batch)
    # The rows' records (contacts among them) are in the practices now: the batch keeps what the
    # preview shows (titles, addresses, errors) and no second copy.
    batch.rows = [{**row, "raw": None} for row in batch.rows]
    batch.report = {"created": report.created, "updated": report.updated, "unchanged": report.unchanged,
                    "skipped": report.skipped, "published": publish}
    session.add(batch)
    session.flush()
    return report
