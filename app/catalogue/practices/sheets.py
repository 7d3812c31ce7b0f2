"""Spreadsheets in and out: XLSX (openpyxl) and CSV in two dialects, for the exports, the
template, the open-data files and the imports. The columns are `table.COLUMNS`.

Writing streams rows: openpyxl's write-only workbook spools each sheet to a temporary file, so
memory stays bounded whatever the number of practices. Reading takes an untrusted file, so its
size, its unpacked size, its rows and its columns are bounded before and while it is read.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.writer.excel import ExcelWriter

from app.catalogue.practices import table
from app.catalogue.practices.schemas import number_of
from app.catalogue.practices.table import COLUMNS, PRACTICE_REF, ROW_SHEETS, SHEET_COLUMNS, Column, Dialect
from app.catalogue.reference import Reference

BOM = "\ufeff"
# A cell starting with one of these is a formula to a spreadsheet (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

MAX_FILE_BYTES = 10 * 1024 * 1024  # an upload
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # what an XLSX (a zip) may unpack to
MAX_ROWS = 5000  # practices in one file
MAX_COLUMNS = 80
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# -- CSV --------------------------------------------------------------------------------------

def csv_cell(value: Any) -> str:
    text = table.as_text(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class CsvWriter:
    """CSV lines as bytes: `rfc4180` (commas, the columns' keys: for programs) or `excel-ru`
    (semicolons and Russian headers: what Excel in a Russian locale opens in columns). Both are
    UTF-8 with a BOM (Excel then reads Cyrillic) and CRLF line ends."""

    def __init__(self, dialect: Dialect = "rfc4180") -> None:
        self.dialect = dialect
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, delimiter=";" if dialect == "excel-ru" else ",", lineterminator="\r\n")

    def _line(self, cells: list[str]) -> bytes:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow(cells)
        return self._buffer.getvalue().encode()

    def header(self) -> bytes:
        names = [c.header if self.dialect == "excel-ru" else c.key for c in COLUMNS]
        return BOM.encode() + self._line(names)

    def row(self, values: Mapping[str, Any]) -> bytes:
        return self._line([csv_cell(values.get(c.key)) for c in COLUMNS])


# -- XLSX out ---------------------------------------------------------------------------------

_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_WIDTHS = {"int": 10, "number": 10, "date": 12, "datetime": 20, "url": 40, "flag": 12, "list": 40, "text": 30}


def _typed_cell(sheet: WriteOnlyWorksheet, value: Any, column: Column) -> Any:
    if isinstance(value, list):
        value = "\n".join(str(v) for v in value) or None
    if isinstance(value, bool):
        value = "да" if value else "нет"
    if isinstance(value, datetime):
        value = value.replace(tzinfo=None)  # Excel has no time zones: these are UTC (the header says so)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever it starts with
        if column.kind == "url" and value.lower().startswith(("http://", "https://")):
            cell.hyperlink = value
            cell.style = "Hyperlink"
    elif isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def _header_row(sheet: WriteOnlyWorksheet, columns: Iterable[Column]) -> None:
    cells = []
    for index, column in enumerate(columns, start=1):
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = _BOLD
        cells.append(cell)
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS[column.kind]  # type: ignore[attr-defined]  # write-only sheets have it (the stubs miss it)
    sheet.freeze_panes = "A2"
    sheet.append(cells)


class XlsxWriter:
    """A workbook of practices: «Практики» (one row each), «Столбцы» (what each column holds),
    then «Цифры», «Документы» and «Награды» (one row per item, figures as numbers)."""

    def __init__(self, ref: Reference, columns_only: bool = False) -> None:
        self.ref = ref
        self.book = Workbook(write_only=True)
        # The day, not the second: a file asked for twice the same day is the same bytes (so HEAD
        # and GET agree on its length, and caches on its content).
        today = datetime.combine(datetime.now(UTC).date(), time())
        self.book.properties.created = self.book.properties.modified = today
        self.practices = self.book.create_sheet(table.PRACTICES_SHEET)
        _header_row(self.practices, SHEET_COLUMNS)
        self._describe(self.book.create_sheet(table.COLUMNS_SHEET))
        self.groups: dict[str, WriteOnlyWorksheet] = {}
        for row_sheet in ROW_SHEETS:
            sheet = self.book.create_sheet(row_sheet.title)
            _header_row(sheet, (PRACTICE_REF, *row_sheet.columns))
            self.groups[row_sheet.field] = sheet
        if columns_only:
            self._reference_sheet(self.book.create_sheet("Справочники"))

    def _describe(self, sheet: WriteOnlyWorksheet) -> None:
        head = [Column("sheet", "Лист", ""), Column("header", "Столбец", ""), Column("key", "Ключ", ""),
                Column("description", "Что в нём", "", "list")]
        _header_row(sheet, head)
        rows = [(table.PRACTICES_SHEET, c) for c in SHEET_COLUMNS]
        rows += [(s.title, c) for s in ROW_SHEETS for c in (PRACTICE_REF, *s.columns)]
        for title, column in rows:
            description = WriteOnlyCell(sheet, value=column.description)
            description.alignment = _WRAP
            sheet.append([title, column.header, column.key, description])

    def _reference_sheet(self, sheet: WriteOnlyWorksheet) -> None:
        """The codes and names an import accepts, for the template."""
        head = [Column("list", "Справочник", ""), Column("code", "Код", ""), Column("name", "Название", "", "list")]
        _header_row(sheet, head)
        for title, rows in (("Регионы", self.ref.regions), ("Типы МО", self.ref.municipality_types),
                            ("Темы", self.ref.themes), ("Конкурсы", self.ref.competitions),
                            ("Номинации", self.ref.nominations)):
            for code, row in rows.items():
                sheet.append([title, code, row.name])

    def add(self, values: Mapping[str, Any], groups: Mapping[str, list[list[Any]]]) -> None:
        """One practice: its `table.row_values` and its row groups (`table.sheet_rows`)."""
        self.practices.append([_typed_cell(self.practices, values.get(c.key), c) for c in SHEET_COLUMNS])
        for row_sheet in ROW_SHEETS:
            sheet = self.groups[row_sheet.field]
            for row in groups.get(row_sheet.field, []):
                sheet.append([_typed_cell(sheet, v, c) for v, c in zip(row, (PRACTICE_REF, *row_sheet.columns), strict=True)])

    def save(self, out: IO[bytes]) -> None:
        # Through openpyxl's writer, not `Workbook.save`, which stamps `modified` with the second
        # it runs: the day set above stays, and the same file asked for twice has the same length.
        ExcelWriter(self.book, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()


# -- Reading ----------------------------------------------------------------------------------

class SheetError(ValueError):
    """A file that cannot be read as a whole (not an XLSX, too large, no header)."""


@dataclass
class Place:
    """Where a value is in a file: the sheet (None for CSV), the row as the spreadsheet numbers
    it, and the column's letter and header."""

    sheet: str | None
    row: int
    column: str | None = None

    def __str__(self) -> str:
        where = f"лист «{self.sheet}», " if self.sheet else ""
        where += f"строка {self.row}"
        return where + (f", столбец {self.column}" if self.column else "")


@dataclass
class SheetRecord:
    """A practice read from a sheet: its cells (column key -> value), its row groups' items
    (from their own sheets) and where each of them is."""

    sheet: str | None
    row: int
    cells: dict[str, Any]
    letters: dict[str, str]  # column key -> "D «Регион»"
    items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    item_places: dict[str, list[tuple[str, int, dict[str, str]]]] = field(default_factory=dict)

    def place(self, error_field: str) -> Place:
        """The cell an error about `error_field` (`region`, `themes.1`, `documents.0.url`) is in."""
        head, _, rest = error_field.partition(".")
        if head in self.item_places:
            index, _, leaf = rest.partition(".")
            if index.isdigit() and int(index) < len(self.item_places[head]):
                sheet, row, letters = self.item_places[head][int(index)]
                return Place(sheet, row, letters.get(leaf))
        candidates = [c for c in COLUMNS if c.field == error_field or c.field == head or
                      (c.field and error_field.startswith(c.field + "."))]
        names = {"region": "region", "municipality_type": "municipality_type", "themes": "theme"}.get(head)
        candidates += [c for c in COLUMNS if names and c.names_of == names]
        if head == "slug":  # an address made from the title when the sheet gives none
            candidates.append(table.BY_KEY["title"])
        for column in candidates:
            if column.key in self.letters:
                return Place(self.sheet, self.row, self.letters[column.key])
        return Place(self.sheet, self.row, None)


@dataclass
class ReadResult:
    records: list[SheetRecord]
    problems: list[tuple[Place, str]]  # rows that belong to no practice, and the like
    ignored: list[str]  # headers of columns no field takes


def _letters(headers: list[Any], columns: Callable[[Any], Column | None]) -> tuple[dict[int, Column], dict[str, str], list[str]]:
    by_index: dict[int, Column] = {}
    letters: dict[str, str] = {}
    ignored: list[str] = []
    for index, header in enumerate(headers):
        column = columns(header)
        if column is None:
            if header not in (None, ""):
                ignored.append(str(header))
            continue
        if column.key in letters:
            continue  # the first of two same columns wins
        by_index[index] = column
        letters[column.key] = f"{get_column_letter(index + 1)} «{header}»"
    return by_index, letters, ignored


def _empty(row: Iterable[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def _records(sheet: str | None, rows: Iterator[tuple[Any, ...]], first_row: int = 1) -> ReadResult:
    header = next(rows, None)
    if header is None or _empty(header):
        raise SheetError("в первой строке нет заголовков столбцов")
    by_index, letters, ignored = _letters(list(header), table.column_for)
    if not any(c.field in ("title", "region") for c in by_index.values()):
        raise SheetError("не найден столбец «Название практики»: первая строка должна быть заголовками, как в шаблоне")
    out: list[SheetRecord] = []
    for number, row in enumerate(rows, start=first_row + 1):
        if _empty(row):
            continue
        if len(out) >= MAX_ROWS:
            raise SheetError(f"слишком много строк: не больше {MAX_ROWS} практик в одном файле")
        cells = {c.key: row[i] for i, c in by_index.items() if i < len(row)}
        out.append(SheetRecord(sheet, number, cells, letters))
    return ReadResult(out, [], ignored)


def read_csv(data: bytes) -> ReadResult:
    """A CSV in either dialect (the delimiter is sniffed from the header); UTF-8, or Windows-1251
    as older Excel saves it."""
    if len(data) > MAX_FILE_BYTES:
        raise SheetError(f"файл больше {MAX_FILE_BYTES // (1024 * 1024)} МБ")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1251", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = (tuple(r[:MAX_COLUMNS]) for r in reader)
    return _records(None, rows)


def _check_zip(data: bytes) -> None:
    if len(data) > MAX_FILE_BYTES:
        raise SheetError(f"файл больше {MAX_FILE_BYTES // (1024 * 1024)} МБ")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise SheetError("это не файл Excel (XLSX); сохраните таблицу как «Книга Excel (.xlsx)» или CSV") from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise SheetError("файл распаковывается в слишком большой объём")


def read_xlsx(data: bytes) -> ReadResult:
    """An XLSX: the practices from its first sheet (or «Практики»), their figures, documents and
    awards from the sheets named as in the template, tied to a practice by address or title."""
    _check_zip(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file: say it once
        raise SheetError("файл Excel повреждён или в неизвестном формате") from exc
    try:
        names = book.sheetnames
        main = table.PRACTICES_SHEET if table.PRACTICES_SHEET in names else names[0]
        result = _records(main, book[main].iter_rows(values_only=True, max_col=MAX_COLUMNS))
        for row_sheet in ROW_SHEETS:
            if row_sheet.title in names:
                _attach(result, row_sheet, book[row_sheet.title].iter_rows(values_only=True, max_col=MAX_COLUMNS))
    finally:
        book.close()
    return result


def _attach(result: ReadResult, row_sheet: table.RowSheet, rows: Iterator[tuple[Any, ...]]) -> None:
    """The items of a row-group sheet, each added to the practice its first column names."""
    header = next(rows, None)
    if header is None:
        return
    known = {c.header.casefold(): c for c in (PRACTICE_REF, *row_sheet.columns)}
    known |= {c.key.casefold(): c for c in (PRACTICE_REF, *row_sheet.columns)}
    by_index, letters, _ = _letters(list(header), lambda h: known.get(str(h or "").strip().casefold()))
    by_slug = {str(r.cells["slug"]).strip(): r for r in result.records if r.cells.get("slug")}
    by_title = {str(r.cells["title"]).strip().casefold(): r for r in result.records if r.cells.get("title")}
    for number, row in enumerate(rows, start=2):
        if _empty(row):
            continue
        cells = {c.key: row[i] for i, c in by_index.items() if i < len(row)}
        ref = str(cells.pop("practice", "") or "").strip()
        owner = by_slug.get(ref) or by_title.get(ref.casefold())
        if owner is None:
            where = Place(row_sheet.title, number, letters.get("practice"))
            result.problems.append((where, f"нет практики «{ref[:80]}» на листе «{table.PRACTICES_SHEET}»: "
                                           "укажите её адрес страницы или название"))
            continue
        item = {k: v for k, v in cells.items() if not k.endswith("_name") and v is not None and str(v).strip() != ""}
        owner.items.setdefault(row_sheet.field, []).append(item)
        owner.item_places.setdefault(row_sheet.field, []).append((row_sheet.title, number, letters))


def read_sheet(name: str, data: bytes) -> ReadResult:
    """A file by its name's extension: .xlsx or .csv."""
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if suffix == "xlsx":
        return read_xlsx(data)
    if suffix == "csv":
        return read_csv(data)
    raise SheetError("нужен файл .xlsx или .csv")


def record_of(sheet_record: SheetRecord, ref: Reference) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The raw record a sheet's row gives, and (field, message) errors of its cells."""
    record, cell_errors = table.record_from_cells(sheet_record.cells, ref)
    for group, items in sheet_record.items.items():
        record[group] = [_item(group, item) for item in items]
    return record, [(table.BY_KEY[e.column].field or e.column, e.message) for e in cell_errors]


def _item(group: str, item: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in item.items():
        if isinstance(value, str):
            value = value.strip()
        if isinstance(value, float) and value.is_integer() and key == "year":
            value = int(value)
        if group == "outcome_figures" and key in ("value_before", "value_after") and isinstance(value, str):
            value = number_of(value)
        if key in ("category", "place") and isinstance(value, int | float):
            value = str(int(value))
        out[key] = value
    return out
