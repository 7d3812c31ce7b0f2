"""JSON Lines import and export (format in DESIGN.md)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from pydantic import ValidationError
from sqlmodel import Session

from app.catalogue.practices import fields, queries
from app.catalogue.practices.schemas import PracticeIn
from app.catalogue.practices.service import CatalogueError, change_status, create_practice, update_practice
from app.catalogue.practices.slugs import slugify
from app.catalogue.reference import Reference
from app.models import Status
from app.validation import error_list


@dataclass
class LineError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"строка {self.line}: {self.field}: {self.message}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[LineError] = field(default_factory=list)


class ImportFailed(Exception):
    def __init__(self, errors: list[LineError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def parse_lines(lines: Iterable[str]) -> Iterator[tuple[int, PracticeIn | None, list[LineError]]]:
    """Each non-blank line as (number, practice or None, errors)."""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield number, None, [LineError(number, "json", f"неверный JSON: {exc.msg} (позиция {exc.pos})")]
            continue
        if not isinstance(obj, dict):
            yield number, None, [LineError(number, "json", "строка должна быть объектом JSON")]
            continue
        try:
            yield number, PracticeIn.model_validate(obj), []
        except ValidationError as exc:
            yield number, None, [LineError(number, e["field"], e["message"]) for e in error_list(exc)]


def import_lines(
    session: Session,
    ref: Reference,
    lines: Iterable[str],
    actor: str = "import",
    skip_bad: bool = False,
    create_only: bool = False,
    progress: Callable[[int], Any] | None = None,
) -> ImportReport:
    """Validate every line first; write nothing if any line is bad, unless `skip_bad`.

    Idempotent: a practice is matched by its slug (given, or made from the title), so the same
    file twice creates no duplicates. `create_only` leaves existing practices as they are
    (the seed step: moderators' edits are never overwritten).
    """
    report = ImportReport()
    good: list[tuple[int, PracticeIn]] = []
    seen_slugs: dict[str, int] = {}
    for number, data, errors in parse_lines(lines):
        if data is not None:
            errors = [LineError(number, e["field"], e["message"]) for e in ref.errors(data.model_dump())]
            slug = data.slug or slugify(data.title)
            if slug in seen_slugs:
                errors.append(LineError(number, "slug", f"повторяет строку {seen_slugs[slug]}"))
            seen_slugs.setdefault(slug, number)
        if errors:
            report.errors.extend(errors)
            report.skipped += 1
        else:
            assert data is not None
            good.append((number, data))
    if report.errors and not skip_bad:
        raise ImportFailed(report.errors)

    for done, (number, data) in enumerate(good, start=1):
        slug = data.slug or slugify(data.title)
        existing = queries.by_slug(session, slug)
        try:
            if existing is not None and create_only:
                report.unchanged += 1
            elif existing is None:
                create_practice(session, ref, data.model_copy(update={"slug": slug}), actor)
                report.created += 1
            else:
                changed = update_practice(session, ref, existing, data.model_copy(update={"slug": slug}), actor)
                if existing.status != data.status:
                    change_status(session, existing, data.status, actor, note=existing.moderation_note or "импорт")
                    changed = changed or {"status": True}
                report.updated += bool(changed)
                report.unchanged += not changed
        except CatalogueError as exc:
            err = [LineError(number, e["field"], e["message"]) for e in exc.errors]
            if not skip_bad:
                raise ImportFailed(err) from exc
            report.errors.extend(err)
            report.skipped += 1
        if progress:
            progress(done)
    return report


def export_records(
    session: Session, statuses: Iterable[Status] = (Status.published,), batch: int = 1000
) -> Iterator[dict[str, Any]]:
    return (fields.to_record(p) for p in queries.iter_practices(session, statuses, batch))


def write_jsonl(
    records: Iterable[dict[str, Any]], out: IO[str], progress: Callable[[int], Any] | None = None
) -> int:
    n = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n")
        n += 1
        if progress and n % 500 == 0:
            progress(n)
    if progress:
        progress(n)
    return n
