"""Imports and exports of practices: JSON Lines (the format in DESIGN.md) and spreadsheets (XLSX
and CSV, read by `sheets`).

An import reads every record first and checks each once (`checks.check`), so all of a record's
errors are reported together, the schema's and the unknown codes alike, each with its line, or
its sheet, row and column. Nothing is written while any record is bad, unless the bad ones are
to be skipped. Practices are matched by their address (slug), so importing a file twice
creates no duplicates.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

import orjson
from sqlmodel import Session

from app.catalogue.practices import bulk, fields, queries
from app.catalogue.practices.checks import check
from app.catalogue.practices.schemas import PracticeIn
from app.catalogue.practices.service import CatalogueError, change_status, update_practice
from app.catalogue.practices.sheets import Place, SheetError, SheetRecord, read_sheet, record_of
from app.catalogue.practices.slugs import slugify
from app.catalogue.reference import Reference
from app.db import begin_write
from app.models import Practice, Status


@dataclass
class LineError:
    line: int  # the line of a JSON Lines file, or the row of a sheet
    field: str
    message: str
    place: Place | None = None  # in a spreadsheet: sheet, row and column

    def __str__(self) -> str:
        if self.place is not None:
            return f"{self.place}: {self.message}"
        return f"строка {self.line}: {self.field}: {self.message}"


@dataclass
class Source:
    """One practice as a file gives it: its line (or row), the raw record, what was wrong while
    reading it, and where in the file each of its fields is."""

    line: int
    raw: dict[str, Any] | None
    errors: list[LineError] = field(default_factory=list)
    sheet: SheetRecord | None = None
    # A sheet's rows name no status: they take the import's (`write_checked(new_status=…)`).
    takes_status: bool = False

    def error(self, error_field: str, message: str) -> LineError:
        return LineError(self.line, error_field, message, self.sheet.place(error_field) if self.sheet else None)


@dataclass
class Checked:
    """A source after its check: the practice, or every error it has."""

    source: Source
    data: PracticeIn | None
    errors: list[LineError]

    @property
    def line(self) -> int:
        return self.source.line

    @property
    def slug(self) -> str | None:
        return self.data.slug or slugify(self.data.title) if self.data else None


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


# -- Reading ----------------------------------------------------------------------------------

def jsonl_sources(lines: Iterable[str]) -> Iterator[Source]:
    """Each non-blank line of a JSON Lines file."""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError:
            obj = None
        if obj is None:  # not JSON (or a bare null): the standard parser's words for the error
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                yield Source(number, None, [LineError(number, "json", f"неверный JSON: {exc.msg} (позиция {exc.pos})")])
                continue
        if not isinstance(obj, dict):
            yield Source(number, None, [LineError(number, "json", "строка должна быть объектом JSON")])
            continue
        yield Source(number, obj)


def sheet_sources(name: str, data: bytes, ref: Reference) -> list[Source]:
    """Each practice of an XLSX or CSV file (by `name`'s extension); raises `sheets.SheetError`
    for a file that cannot be read at all. A row of figures, documents or awards that names no
    practice is a source of its own, with only its error."""
    result = read_sheet(name, data)
    out = []
    for sheet_record in result.records:
        raw, cell_errors = record_of(sheet_record, ref)
        source = Source(sheet_record.row, raw, sheet=sheet_record, takes_status=True)
        source.errors = [source.error(f, m) for f, m in cell_errors]
        out.append(source)
    for place, message in result.problems:
        out.append(Source(place.row, None, [LineError(place.row, "practice", message, place)]))
    return out


def file_sources(name: str, data: bytes, ref: Reference) -> list[Source]:
    """The practices of a file by its name's extension: .jsonl (JSON Lines), .xlsx or .csv.
    Raises `SheetError` for a file that cannot be read at all."""
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if suffix in ("jsonl", "ndjson"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SheetError("файл JSON Lines должен быть в кодировке UTF-8") from exc
        return list(jsonl_sources(text.splitlines()))
    if suffix in ("xlsx", "csv"):
        return sheet_sources(name, data, ref)
    raise SheetError("нужен файл .jsonl, .xlsx или .csv")


def check_file(name: str, data: bytes, ref: Reference) -> list[Checked]:
    """Every practice of a file (`file_sources`) checked (`check_sources`)."""
    with _collector_paused():
        return check_sources(file_sources(name, data, ref), ref)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a file is read and checked: every record
    stays alive until it is written, so each collection on the way traverses all the records
    read so far and frees nothing; for 100,000 practices those collections were 5 of the 9 s
    of CPU of reading and checking. (Cycles made meanwhile, if any, wait for the next one.)"""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check_sources(sources: Iterable[Source], ref: Reference) -> list[Checked]:
    """Every source checked in one pass: all of its errors, and a second use of an address."""
    with _collector_paused():
        return _checked(sources, ref)


def _checked(sources: Iterable[Source], ref: Reference) -> list[Checked]:
    out: list[Checked] = []
    seen: dict[str, int] = {}
    for source in sources:
        if source.raw is None:
            out.append(Checked(source, None, source.errors))
            continue
        data, problems, _ = check(PracticeIn, source.raw, ref)
        reported = {e.field for e in source.errors}
        errors = source.errors + [source.error(p["field"], p["message"]) for p in problems if p["field"] not in reported]
        title = source.raw.get("title")
        slug = source.raw.get("slug") or (slugify(title) if isinstance(title, str) and title.strip() else None)
        if isinstance(slug, str):
            if slug in seen:
                errors.append(source.error("slug", f"тот же адрес страницы, что в строке {seen[slug]}"))
            seen.setdefault(slug, source.line)
        out.append(Checked(source, None if errors else data, errors))
    return out


# -- Writing ----------------------------------------------------------------------------------

def _status_of(checked: Checked, existing: Practice | None, new_status: Status | None) -> Status:
    """What the practice's status becomes: the record's own (JSON Lines), or for a sheet's row the
    import's choice (`new_status`), an existing practice keeping its own when there is none."""
    assert checked.data is not None and checked.source.raw is not None
    if not checked.source.takes_status or new_status is None or "status" in checked.source.raw:
        return checked.data.status  # JSON Lines: the record's, published when it names none
    if new_status == Status.published or existing is None:
        return new_status
    return existing.status


SUBMITTED_MESSAGE = ("по этому адресу — практика, присланная через форму; импорт её не меняет "
                     "(дайте строке другой slug или разрешите обновлять присланные)")


@dataclass
class _Writer:
    """One import's writes and what it was told (see `write_checked`)."""

    session: Session
    ref: Reference
    actor: str
    skip_bad: bool
    create_only: bool
    new_status: Status | None
    update_submitted: bool
    report: ImportReport = field(default_factory=ImportReport)

    def refuse(self, errors: list[LineError]) -> None:
        if not self.skip_bad:
            raise ImportFailed(errors)
        self.report.errors.extend(errors)
        self.report.skipped += 1

    def existing(self, item: Checked, current: Practice) -> None:
        """A line whose address is a practice already."""
        if self.create_only:
            self.report.unchanged += 1
        elif current.submitter_email is not None and not self.update_submitted:
            self.refuse([item.source.error("slug", SUBMITTED_MESSAGE)])
        else:
            try:
                with self.session.begin_nested():
                    self._update(item, current)
            except CatalogueError as exc:
                self.refuse([item.source.error(e["field"], e["message"]) for e in exc.errors])

    def _update(self, item: Checked, current: Practice) -> None:
        assert item.data is not None
        status = _status_of(item, current, self.new_status)
        data = item.data.model_copy(update={"slug": current.slug, "status": status})
        changed = update_practice(self.session, self.ref, current, data, self.actor)
        if current.status != status:
            change_status(self.session, current, status, self.actor, note=current.moderation_note or "импорт")
            changed = changed or {"status": True}
        self.report.updated += bool(changed)
        self.report.unchanged += not changed


def write_checked(
    session: Session,
    ref: Reference,
    checked: list[Checked],
    actor: str = "import",
    skip_bad: bool = False,
    create_only: bool = False,
    new_status: Status | None = None,
    progress: Callable[[int], Any] | None = None,
    update_submitted: bool = False,
) -> ImportReport:
    """Write the checked practices: nothing if any is bad, unless `skip_bad`. `create_only`
    leaves existing practices as they are (the seed step: moderators' edits are never
    overwritten). `new_status`: the status of a sheet's new rows (see `_status_of`). A practice
    someone sent through the public form is never updated unless `update_submitted`: an
    address in a file must not take over a submitter's card.

    New practices go in a chunk at a time (`bulk.create_many`); existing ones are updated one
    by one, since each update is compared with what the card holds."""
    writer = _Writer(session, ref, actor, skip_bad, create_only, new_status, update_submitted)
    report = writer.report
    for item in checked:
        if item.errors:
            report.errors.extend(item.errors)
            report.skipped += 1
    if report.errors and not skip_bad:
        raise ImportFailed(report.errors)
    begin_write(session)
    good = [item for item in checked if item.data is not None]
    existing = queries.by_slugs(session, [item.slug for item in good if item.slug])
    fresh: dict[str, Checked] = {}
    done = 0
    for item in good:
        assert item.slug is not None
        current = existing.get(item.slug)
        if current is None:
            fresh[item.slug] = item
            continue
        writer.existing(item, current)
        done += 1
        if progress:
            progress(done)
    new_cards = [bulk.NewCard(item.data, slug, _status_of(item, None, new_status))
                 for slug, item in fresh.items() if item.data is not None]
    taken = bulk.create_many(session, new_cards, actor,
                             progress=(lambda n: progress(done + n)) if progress else None)
    report.created = len(new_cards) - len(taken)
    for new in taken:  # another writer created these addresses meanwhile: they are updates now
        current = queries.by_slug(session, new.slug)
        if current is None:
            writer.refuse([fresh[new.slug].source.error("slug", "адрес страницы занят, повторите импорт")])
        else:
            writer.existing(fresh[new.slug], current)
    return report


def import_lines(
    session: Session,
    ref: Reference,
    lines: Iterable[str],
    actor: str = "import",
    skip_bad: bool = False,
    create_only: bool = False,
    progress: Callable[[int], Any] | None = None,
) -> ImportReport:
    """A JSON Lines import: check every line, then write (see `write_checked`)."""
    checked = check_sources(jsonl_sources(lines), ref)
    return write_checked(session, ref, checked, actor, skip_bad, create_only, progress=progress)


# -- JSON Lines out ---------------------------------------------------------------------------

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
