"""The practice as a row of a table: the columns of the CSV and XLSX exports and of sheet imports,
described once.

A `Column` names its key (the plain CSV's header, unchanged since v1, and the name an import
accepts), its Russian header (the CSV for Excel, XLSX, the open-data structure file) and what it
holds. Reference codes are followed by the names people read (`region_code`, `region`); an
import reads either. The row groups (figures, documents, awards) are one cell of text in a CSV
and sheets of their own in an XLSX (`ROW_SHEETS`), where figures stay numbers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from app.catalogue.practices import fields
from app.catalogue.practices.schemas import PLACE_LABELS, number_of, whole_of
from app.catalogue.reference import Reference
from app.models import Adoption
from app.search.facets import BY_NAME

Kind = Literal["int", "number", "text", "url", "date", "datetime", "list", "flag"]
# CSV dialects: RFC 4180 with the columns' keys (for programs), or semicolons and Russian headers
# (what Excel in a Russian locale opens in columns).
Dialect = Literal["rfc4180", "excel-ru"]
DIALECTS: tuple[Dialect, ...] = ("rfc4180", "excel-ru")
JOIN = "; "


@dataclass(frozen=True)
class Column:
    key: str  # the plain CSV's header; also accepted by an import
    header: str  # Russian: the CSV for Excel, XLSX, the open-data structure file
    description: str
    kind: Kind = "text"
    field: str | None = None  # the record key it carries (None: shown only, never read back)
    names_of: str | None = None  # holds names of this reference facet's values (region, theme…)


# English descriptions, for the open-data structure file ("english description" beside the Russian).
ENGLISH: dict[str, str] = {
    "id": "Practice number in the catalogue",
    "slug": "Address of the practice page: /practices/<slug>",
    "url": "Practice page on the catalogue site",
    "title": "Title of the practice",
    "summary": "Short summary",
    "problem": "The problem addressed",
    "solution": "What was done",
    "outcome": "What came of it",
    "outcome_figures": "Outcome figures: indicator: before → after unit (period), separated by semicolons",
    "region_code": "Region (federal subject) code, e.g. RU-BEL",
    "region": "Region name",
    "municipality": "Municipality",
    "municipality_type_slug": "Municipality type code",
    "municipality_type": "Municipality type name",
    "themes": "Theme codes, separated by semicolons",
    "theme_names": "Theme names, separated by semicolons",
    "year_started": "Year the practice started",
    "resources": "Resources and budget",
    "partners": "Partners",
    "contact_organisation": "Contact organisation (only when the contact may be published)",
    "contact_person": "Contact person",
    "contact_email": "Contact e-mail",
    "contact_phone": "Contact phone",
    "contact_website": "Website",
    "source_url": "The page the card is based on",
    "sources": "Further sources, separated by semicolons",
    "documents": "Documents: title (URL), separated by semicolons",
    "awards": "Awards: year: competition, nomination, category, place, separated by semicolons",
    "verified_at": "When the facts were last checked against the sources",
    "published_at": "When the practice was published (UTC)",
    "updated_at": "When the card last changed (UTC)",
    "contact_public": "Whether the contact may be published: да (yes) or нет (no)",
    "adoptions": "Municipalities that reported adopting the practice (approved), separated by semicolons",
}


def _field(key: str, description: str, kind: Kind = "text", header: str | None = None) -> Column:
    f = fields.BY_KEY[key]
    return Column(f.attribute, header or f.label, description, kind, key)


# Every column of the CSV, in order (the plain CSV's headers are the v1 promise: never renamed).
COLUMNS: tuple[Column, ...] = (
    Column("id", "Номер", "Номер практики в каталоге", "int"),
    _field("slug", "Адрес страницы практики: /practices/<адрес>; по нему импорт узнаёт существующую практику"),
    Column("url", "Ссылка на страницу", "Страница практики на сайте каталога", "url"),
    _field("title", "Название практики (обязательно)"),
    _field("summary", "Кратко о практике, до 1000 символов"),
    _field("problem", "Какую проблему решали"),
    _field("solution", "Что сделали"),
    _field("outcome", "Что получилось"),
    _field("outcome_figures", "Результаты в цифрах: «показатель: было → стало единица (период)», через «; »", "list"),
    _field("region", "Код региона (субъекта РФ), например RU-BEL; см. /api/v1/regions (обязательно: код или название)",
           header="Код региона"),
    Column("region", "Регион", "Название региона (при импорте можно вместо кода)", names_of="region"),
    _field("municipality", "Муниципальное образование"),
    _field("municipality_type", "Код типа муниципального образования; см. /api/v1/municipality-types "
           "(обязательно: код или название)", header="Код типа МО"),
    Column("municipality_type", "Тип муниципального образования", "Название типа (при импорте можно вместо кода)",
           names_of="municipality_type"),
    _field("themes", "Коды тем через «; »; см. /api/v1/themes (обязательно: коды или названия, от 1 до 5)", "list",
           header="Коды тем"),
    Column("theme_names", "Темы", "Названия тем через «; » (при импорте можно вместо кодов)", "list", names_of="theme"),
    _field("year_started", "Год начала практики, с 1991", "int"),
    _field("resources", "Ресурсы и бюджет"),
    _field("partners", "Партнёры"),
    _field("contact.organisation", "Организация, к которой обращаться"),
    _field("contact.person", "Контактное лицо"),
    _field("contact.email", "Электронная почта для связи"),
    _field("contact.phone", "Телефон для связи"),
    _field("contact.website", "Сайт (https:// можно не писать)", "url"),
    _field("source_url", "Страница, на которой основана карточка", "url"),
    _field("sources", "Другие источники: ссылки через «; » или с новой строки", "list"),
    _field("documents", "Документы: «название (ссылка)» через «; »", "list"),
    _field("awards", "Награды: «год: конкурс, «номинация», категория, место» через «; » (только выгрузка)", "list"),
    _field("verified_at", "Когда сведения сверены с источниками (ГГГГ-ММ-ДД)", "date"),
    Column("published_at", "Опубликовано", "Когда практика опубликована (UTC)", "datetime"),
    Column("updated_at", "Обновлено", "Когда карточка менялась в последний раз (UTC)", "datetime"),
    # Added after v1's columns, so their places stay as they were.
    _field("contact_public", "Контакт можно опубликовать: да или нет (в выгрузке контакт есть, только если да)", "flag"),
    Column("adoptions", "Где ещё внедрили", "Муниципалитеты, сообщившие о внедрении практики (одобрено модератором): "
           "«муниципалитет (регион, год)» через «; » (только выгрузка)", "list"),
)
BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
# Fields that are sheets of their own in an XLSX.
ROW_GROUPS = ("outcome_figures", "documents", "awards")


@dataclass(frozen=True)
class RowSheet:
    """A row group as a sheet: one row per item, tied to its practice by address or title."""

    field: str
    title: str
    columns: tuple[Column, ...]  # after the practice's column


PRACTICE_REF = Column("practice", "Практика", "Адрес страницы практики (slug) или её название, как на листе «Практики»")
ROW_SHEETS: tuple[RowSheet, ...] = (
    RowSheet("outcome_figures", "Цифры", (
        Column("indicator", "Показатель", "Что измеряли (обязательно)"),
        Column("value_before", "Было", "Значение до, число", "number"),
        Column("value_after", "Стало", "Значение после, число", "number"),
        Column("unit", "Единица", "Единица измерения"),
        Column("period", "Период", "За какой период"),
    )),
    RowSheet("documents", "Документы", (
        Column("title", "Название", "Название документа (обязательно)"),
        Column("url", "Ссылка", "Ссылка на документ (обязательно)", "url"),
    )),
    RowSheet("awards", "Награды", (
        Column("competition", "Конкурс", "Код конкурса, например lmp (обязательно)"),
        Column("competition_name", "Название конкурса", "Название конкурса (только выгрузка)"),
        Column("year", "Год", "Год награды (обязательно)", "int"),
        Column("nomination", "Номинация", "Код номинации"),
        Column("nomination_name", "Название номинации", "Название номинации (только выгрузка)"),
        Column("category", "Категория", "I — городские и муниципальные округа, городские поселения; II — сельские"),
        Column("place", "Место", "1…10, winner (победитель) или laureate (лауреат)"),
        Column("prize", "Приз", "Приз, как его называет источник"),
        Column("source_url", "Источник", "Страница, которая сообщает о награде", "url"),
    )),
)
SHEET_BY_FIELD: dict[str, RowSheet] = {s.field: s for s in ROW_SHEETS}
# The practices sheet of an XLSX: every column but the row groups.
SHEET_COLUMNS: tuple[Column, ...] = tuple(c for c in COLUMNS if c.field not in ROW_GROUPS)
PRACTICES_SHEET = "Практики"
COLUMNS_SHEET = "Столбцы"


# -- Export: a practice as typed cell values --------------------------------------------------

def _number(value: Any) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def figure_text(f: Mapping[str, Any]) -> str:
    text = f"{f.get('indicator', '')}: {_number(f.get('value_before')) or '—'} → {_number(f.get('value_after')) or '—'}"
    if f.get("unit"):
        text += f" {f['unit']}"
    if f.get("period"):
        text += f" ({f['period']})"
    return text


def award_text(a: Mapping[str, Any], ref: Reference) -> str:
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


def adoption_text(a: Adoption) -> str:
    """Where the practice was adopted: «Старооскольский городской округ (Белгородская область, 2024)»."""
    where = ", ".join(x for x in (a.region.name, str(a.year) if a.year else None) if x)
    return f"{a.municipality} ({where})"


def document_text(d: Mapping[str, Any]) -> str:
    return f"{d.get('title', '')} ({d.get('url', '')})"


def row_values(record: Mapping[str, Any], ref: Reference, extra: Mapping[str, Any]) -> dict[str, Any]:
    """A public record (`fields.to_record`) as the values of `COLUMNS` by key: numbers, dates and
    texts; lists as lists (a CSV joins them). `extra`: id, url, published_at, updated_at."""
    values: dict[str, Any] = dict(extra)
    for column in COLUMNS:
        if column.field is None:
            continue
        value = fields.get(record, column.field)
        if column.field == "outcome_figures":
            value = [figure_text(f) for f in value or []]
        elif column.field == "documents":
            value = [document_text(d) for d in value or []]
        elif column.field == "awards":
            value = [award_text(a, ref) for a in value or []]
        elif column.kind == "date" and value:
            value = date.fromisoformat(value)
        elif column.field == "contact_public":
            value = bool(value) and bool(record.get("contact"))
        values[column.key] = value
    values["region"] = ref.label("region", record["region"])
    values["municipality_type"] = ref.label("municipality_type", record["municipality_type"])
    values["theme_names"] = [ref.label("theme", t) for t in record.get("themes", [])]
    return values


def sheet_rows(record: Mapping[str, Any], ref: Reference) -> dict[str, list[list[Any]]]:
    """The record's row groups as rows of their sheets (the practice's address first)."""
    out: dict[str, list[list[Any]]] = {}
    for sheet in ROW_SHEETS:
        rows = []
        for item in record.get(sheet.field) or []:
            item = dict(item)
            if sheet.field == "awards":
                competition = ref.competitions.get(item["competition"])
                nomination = ref.nominations.get(item.get("nomination") or "")
                item["competition_name"] = competition.name if competition else None
                item["nomination_name"] = nomination.name if nomination else None
            rows.append([record["slug"], *(item.get(c.key) for c in sheet.columns)])
        out[sheet.field] = rows
    return out


def as_text(value: Any) -> str:
    """A cell value as CSV text: lists joined by «; », dates in ISO 8601, flags as да/нет."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, list):
        return JOIN.join(str(v) for v in value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds").replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# -- Import: cells back to a record -----------------------------------------------------------

_HEADERS: dict[str, Column] = {}
for _c in COLUMNS:
    _HEADERS.setdefault(_c.header.casefold(), _c)
    _HEADERS.setdefault(_c.key.casefold(), _c)
_SPLIT = re.compile(r"\s*;\s*|\s*\n\s*")
_DOCUMENT = re.compile(r"^(?P<title>.+?)\s*\((?P<url>[^()\s]+)\)$")
_FIGURE = re.compile(
    r"^(?P<indicator>.+?):\s*(?P<before>\S+)\s*→\s*(?P<after>\S+)(?:\s+(?P<unit>[^(]+?))?(?:\s*\((?P<period>[^)]*)\))?$"
)
TRUE_WORDS = frozenset({"да", "yes", "true", "1", "+", "истина"})
FALSE_WORDS = frozenset({"нет", "no", "false", "0", "-", "ложь", ""})


@dataclass(frozen=True)
class CellError:
    column: str  # the column's key (its header is in `COLUMNS`)
    message: str


def column_for(header: Any) -> Column | None:
    """The column a sheet's header names: its Russian header or its key, in any case."""
    return _HEADERS.get(str(header or "").strip().casefold())


def split_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [part for part in _SPLIT.split(str(value).strip()) if part]


def _codes(names: list[str], facet: str, ref: Reference) -> list[str]:
    """Names (or codes) of a reference facet's values as codes; an unknown name stays as it is,
    so the reference check names it."""
    rows = ref.table(BY_NAME[facet]) or {}
    table = {ref.label(facet, code).casefold(): code for code in rows}
    return [table.get(n.casefold(), n) for n in names]


def _unquote(value: Any) -> Any:
    """A CSV cell the export guarded against formulas (`'+7 …`) back as it was."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def _figures(text: str) -> tuple[list[dict[str, Any]], str | None]:
    out: list[dict[str, Any]] = []
    for part in split_list(text):
        m = _FIGURE.match(part)
        if m is None:
            return out, f"«{part[:60]}»: ожидается «показатель: было → стало единица (период)»"
        figure: dict[str, Any] = {"indicator": m["indicator"]}
        for key, raw in (("value_before", m["before"]), ("value_after", m["after"])):
            figure[key] = None if raw in ("—", "-") else number_of(raw)
        figure |= {k: m[k] for k in ("unit", "period") if m[k]}
        out.append(figure)
    return out, None


def _documents(text: str) -> tuple[list[dict[str, str]], str | None]:
    out: list[dict[str, str]] = []
    for part in split_list(text):
        m = _DOCUMENT.match(part)
        if m is None:
            return out, f"«{part[:60]}»: ожидается «название (ссылка)»"
        out.append({"title": m["title"], "url": m["url"]})
    return out, None


def _cell_value(column: Column, value: Any) -> tuple[Any, str | None]:
    """A cell as the record's value, or the reason it cannot be read."""
    if column.field == "outcome_figures":
        return _figures(str(value))
    if column.field == "documents":
        return _documents(str(value))
    if column.kind == "list":
        return split_list(value), None
    if column.kind == "flag":
        word = str(value).strip().casefold()
        return word in TRUE_WORDS, None if word in TRUE_WORDS | FALSE_WORDS else "нужно «да» или «нет»"
    if isinstance(value, datetime):
        return value.date().isoformat(), None
    if isinstance(value, float) and value.is_integer():
        return int(value), None
    if column.kind == "int" and isinstance(value, str):  # a CSV's year: the schema takes a number
        return whole_of(value), None
    return (value.strip() if isinstance(value, str) else value), None


def record_from_cells(cells: Mapping[str, Any], ref: Reference) -> tuple[dict[str, Any], list[CellError]]:
    """A row's cells (column key -> value) as a raw record for the schema (`PracticeIn`), and
    the errors only a cell can have (an unreadable flag, figure or document). Codes win over
    names; empty cells are left out, so a required one reads «обязательное поле»."""
    record: dict[str, Any] = {}
    errors: list[CellError] = []
    given = {k: _unquote(v) for k, v in cells.items() if v is not None and str(v).strip() != ""}
    for column in COLUMNS:
        if column.field is None or column.key not in given or column.field == "awards":
            continue
        value, problem = _cell_value(column, given[column.key])
        if problem:
            errors.append(CellError(column.key, problem))
            continue
        group, _, leaf = column.field.partition(".")
        if leaf:
            record.setdefault(group, {})[leaf] = value
        else:
            record[column.field] = value
    for facet, target in (("region", "region"), ("municipality_type", "municipality_type"), ("theme", "themes")):
        # A name stands in for a missing code; a name typed where the code goes is read too.
        if target not in record:
            names = next((c for c in COLUMNS if c.names_of == facet and c.key in given), None)
            if names is not None:
                record[target] = split_list(given[names.key]) if names.kind == "list" else str(given[names.key]).strip()
        if target in record:
            value = record[target]
            record[target] = _codes(value, facet, ref) if isinstance(value, list) else _codes([str(value)], facet, ref)[0]
    return record, errors
