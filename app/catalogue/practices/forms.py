"""HTML form data ↔ the practice schema, shared by the submission form and the moderator's editor.

Form field names are the schema's paths, so an error's `field` is the name of the input it
belongs to: `title`, `contact.email`, `submitter.name`, `outcome_figures.0.indicator`,
`documents.1.url`. Repeatable rows are compacted (empty rows dropped, the rest numbered from 0)
before validation, so the row numbers in errors are the row numbers shown again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

from app.catalogue.practices import fields
from app.catalogue.practices.checks import check
from app.catalogue.practices.schemas import LIMITS, number_of, whole_of
from app.catalogue.reference import Reference

M = TypeVar("M", bound=BaseModel)

# One input each, by record key (contact.* included); "sources" is one URL per line.
TEXT_FIELDS = tuple(f.key for f in fields.FIELDS if f.kind in fields.TEXT_KINDS and not f.group)
CONTACT_KEYS = tuple(f.leaf for f in fields.FIELDS if f.group == "contact")
SUBMITTER_KEYS = ("name", "organisation", "email")
ROW_GROUPS: dict[str, tuple[str, ...]] = {
    "outcome_figures": ("indicator", "value_before", "value_after", "unit", "period"),
    "documents": ("title", "url"),
    "awards": ("competition", "year", "nomination", "category", "place", "prize", "source_url"),
}
NUMBER_KEYS = ("value_before", "value_after")
DEFAULT_ROWS = 2
# A trap for bots, named so that browsers' autofill leaves it alone.
HONEYPOT = "leave_empty"
MAX_FIELDS = 1000
_ROW = re.compile(r"^(outcome_figures|documents|awards)\.(\d{1,4})\.([a-z_]+)$")
# Control characters (tab and newlines stay); what no person types into a form.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

LABELS = {
    **fields.LABELS,
    "submitter": "Отправитель",
    "submitter.name": "Ваше имя",
    "submitter.organisation": "Ваша организация",
    "submitter.email": "Ваша электронная почта",
    "outcome_figures.indicator": "показатель",
    "outcome_figures.value_before": "значение до",
    "outcome_figures.value_after": "значение после",
    "outcome_figures.unit": "единица",
    "outcome_figures.period": "период",
    "documents.title": "название",
    "documents.url": "ссылка",
    "awards.competition": "конкурс",
    "awards.year": "год",
    "awards.nomination": "номинация",
    "awards.category": "категория",
    "awards.place": "место",
    "awards.prize": "приз",
    "awards.source_url": "источник",
}
# Messages that read better than the generic ones for a group of checkboxes.
FRIENDLY = {
    ("themes", "too_short"): "выберите хотя бы одну тему",
    ("themes", "too_long"): f"выберите не больше {LIMITS['themes']} тем",
}
MAX_ROWS = {"outcome_figures": LIMITS["figures"], "documents": LIMITS["documents"], "awards": LIMITS["awards"]}


@dataclass
class PracticeForm:
    """What a person typed, as shown again: flat name → text (`themes` a list, `contact_public` a bool)."""

    values: dict[str, Any] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ROW_GROUPS, DEFAULT_ROWS))
    honeypot: str = ""

    def get(self, name: str) -> Any:
        return self.values.get(name, "")

    def add_row(self, group: str) -> None:
        if group in self.rows:
            self.rows[group] = min(self.rows[group] + 1, max(MAX_ROWS[group], self.filled(group)))

    def filled(self, group: str) -> int:
        n = 0
        while any(self.values.get(f"{group}.{n}.{k}") for k in ROW_GROUPS[group]):
            n += 1
        return n


def _clean(value: str) -> str:
    return _CONTROL.sub("", value)


def _shown_rows(filled: int, group: str) -> int:
    rows = max(filled + 1, DEFAULT_ROWS)
    return rows if rows <= MAX_ROWS[group] else max(filled, MAX_ROWS[group])


def parse_pairs(pairs: Iterable[tuple[str, str]]) -> PracticeForm:
    """Form pairs (name, value) → PracticeForm; unknown names are ignored."""
    form = PracticeForm()
    themes: list[str] = []
    raw_rows: dict[str, dict[int, dict[str, str]]] = {g: {} for g in ROW_GROUPS}
    simple = {*TEXT_FIELDS, "sources", *(f"contact.{k}" for k in CONTACT_KEYS), *(f"submitter.{k}" for k in SUBMITTER_KEYS)}
    for name, raw in pairs:
        value = _clean(raw)
        if name in simple:
            form.values[name] = value
        elif name == "themes":
            if value.strip() and value.strip() not in themes:
                themes.append(value.strip())
        elif name == "contact_public":
            form.values["contact_public"] = value.strip().lower() in ("on", "1", "true", "yes", "да")
        elif name == HONEYPOT:
            form.honeypot = value
        elif (m := _ROW.match(name)) and m.group(3) in ROW_GROUPS[m.group(1)]:
            raw_rows[m.group(1)].setdefault(int(m.group(2)), {})[m.group(3)] = value
    form.values["themes"] = themes
    for group, rows in raw_rows.items():
        kept = [row for _, row in sorted(rows.items()) if any(v.strip() for v in row.values())]
        for i, row in enumerate(kept):
            for key, value in row.items():
                form.values[f"{group}.{i}.{key}"] = value
        form.rows[group] = _shown_rows(len(kept), group)
    return form


# What only moderators edit (a submission carrying them is refused by its schema).
MODERATOR_ONLY = ("awards",)


def to_payload(form: PracticeForm, submitter: bool = False) -> dict[str, Any]:
    """The schema's input: empty fields left out, so a required empty field reads «обязательное поле».
    `submitter`: the public form (its submitter fields; no moderators' row groups)."""
    v = form.values

    def given(name: str) -> str | None:
        text = v.get(name)
        return text if isinstance(text, str) and text.strip() else None

    payload: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if (text := given(name)) is not None:
            payload[name] = text.strip() if name in ("region", "municipality_type", "slug") else text
    if "year_started" in payload:  # the schema takes a number, the form has text
        payload["year_started"] = whole_of(payload["year_started"])
    payload["themes"] = list(v.get("themes") or [])
    payload["contact"] = {k: text for k in CONTACT_KEYS if (text := given(f"contact.{k}")) is not None}
    payload["contact_public"] = bool(v.get("contact_public"))
    if (text := given("sources")) is not None:
        payload["sources"] = [line.strip() for line in text.splitlines() if line.strip()]
    for group, keys in ROW_GROUPS.items():
        if submitter and group in MODERATOR_ONLY:
            continue
        rows = []
        for i in range(form.filled(group)):
            row = {}
            for key in keys:
                if (text := given(f"{group}.{i}.{key}")) is not None:
                    row[key] = number_of(text) if key in NUMBER_KEYS else text
            rows.append(row)
        payload[group] = rows
    if submitter:
        payload["submitter"] = {k: text for k in SUBMITTER_KEYS if (text := given(f"submitter.{k}")) is not None}
    return payload


def validate(model: type[M], payload: dict[str, Any], ref: Reference) -> tuple[M | None, list[dict[str, str]]]:
    """The schema's rules plus the reference tables (`checks.check`), with the form's wording."""
    obj, errors, raw = check(model, payload, ref)
    for err, schema_error in zip(errors, raw, strict=False):  # the schema's errors come first
        err["message"] = FRIENDLY.get((err["field"], schema_error["type"]), err["message"])
    return obj, errors


def form_field(error_field: str) -> str:
    """The input an error belongs to: `themes.2` → `themes` (one group of checkboxes)."""
    return "themes" if error_field.startswith("themes.") else error_field


def field_id(name: str) -> str:
    return "f-" + name.replace(".", "-").replace("_", "-")


def label(name: str) -> str:
    m = re.match(r"^(outcome_figures|documents|awards)\.(\d+)(?:\.([a-z_]+))?$", name)
    if m:
        text = f"{LABELS[m.group(1)]}, строка {int(m.group(2)) + 1}"
        return text + (f": {LABELS.get(m.group(1) + '.' + m.group(3), m.group(3))}" if m.group(3) else "")
    return LABELS.get(name, name)


@dataclass
class FieldError:
    name: str  # the input's name
    id: str  # the input's id, for the summary's links
    label: str
    message: str


def form_errors(errors: list[dict[str, str]]) -> dict[str, FieldError]:
    """Errors by input name (several for one input joined), in the order they came."""
    out: dict[str, FieldError] = {}
    for err in errors:
        name = form_field(err["field"])
        if name in out:
            if err["message"] not in out[name].message:
                out[name].message += "; " + err["message"]
        else:
            out[name] = FieldError(name, field_id(name), label(name), err["message"])
    return out


def _show_number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def form_from_record(record: dict[str, Any]) -> PracticeForm:
    """A stored practice (`fields.to_record`) as the editor shows it."""
    form = PracticeForm()
    v = form.values
    for name in TEXT_FIELDS:
        if record.get(name) is not None:
            v[name] = str(record[name])
    v["themes"] = list(record.get("themes") or [])
    for key, value in (record.get("contact") or {}).items():
        if value:
            v[f"contact.{key}"] = str(value)
    v["contact_public"] = bool(record.get("contact_public"))
    v["sources"] = "\n".join(record.get("sources") or [])
    for group, keys in ROW_GROUPS.items():
        rows = record.get(group) or []
        for i, row in enumerate(rows):
            for key in keys:
                value = row.get(key)
                v[f"{group}.{i}.{key}"] = _show_number(value) if key in NUMBER_KEYS else (value or "")
        form.rows[group] = _shown_rows(len(rows), group)
    return form
