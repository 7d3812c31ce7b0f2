"""The practice card's fields, described once.

Each `CardField` names a key of the record (the JSON Lines format of DESIGN.md, the API card,
the form's input names), the `Practice` column it is stored in, its Russian label and whether
the public may see it. The JSON Lines record, the values written to the table, the form's
fields and labels, the audit log's labels and the CSV/XLSX columns are derived from `FIELDS`;
the pydantic schemas (`schemas.PracticeIn`) and the API card (`app.api.v1.models.PracticeCard`)
state their types explicitly and `tests/catalogue/test_fields.py` checks that they cover it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from app.models import Practice

Kind = Literal["text", "long_text", "code", "codes", "year", "flag", "url", "email", "phone", "rows", "urls", "date", "awards"]
Visibility = Literal["public", "contact", "private"]


@dataclass(frozen=True)
class CardField:
    key: str  # in the record: "title", "contact.email", "themes"
    label: str
    kind: Kind
    column: str | None = None  # the Practice attribute, when it is a plain column
    visibility: Visibility = "public"  # "contact": public only when contact_public

    @property
    def attribute(self) -> str:
        return self.column or self.key

    @property
    def group(self) -> str | None:
        """The nested object of the record it belongs to ("contact"), if any."""
        return self.key.split(".", 1)[0] if "." in self.key else None

    @property
    def leaf(self) -> str:
        return self.key.rsplit(".", 1)[-1]


FIELDS: tuple[CardField, ...] = (
    CardField("slug", "Адрес страницы (slug)", "code"),
    CardField("title", "Название практики", "text"),
    CardField("summary", "Кратко о практике", "long_text"),
    CardField("problem", "Какую проблему решали", "long_text"),
    CardField("solution", "Что сделали", "long_text"),
    CardField("outcome", "Что получилось", "long_text"),
    CardField("outcome_figures", "Результаты в цифрах", "rows"),
    CardField("region", "Регион", "code", column="region_code"),
    CardField("municipality", "Муниципальное образование", "text"),
    CardField("municipality_type", "Тип муниципального образования", "code", column="municipality_type_slug"),
    CardField("themes", "Темы", "codes"),
    CardField("year_started", "Год начала", "year"),
    CardField("resources", "Ресурсы и бюджет", "long_text"),
    CardField("partners", "Партнёры", "long_text"),
    CardField("contact.organisation", "Организация", "text", column="contact_organisation", visibility="contact"),
    CardField("contact.person", "Контактное лицо", "text", column="contact_person", visibility="contact"),
    CardField("contact.email", "Электронная почта для связи", "email", column="contact_email", visibility="contact"),
    CardField("contact.phone", "Телефон", "phone", column="contact_phone", visibility="contact"),
    CardField("contact.website", "Сайт", "url", column="contact_website", visibility="contact"),
    CardField("contact_public", "Контакт можно опубликовать", "flag"),
    CardField("source_url", "Ссылка на источник", "url"),
    CardField("sources", "Другие источники", "urls"),
    CardField("documents", "Документы", "rows"),
    CardField("awards", "Награды", "awards"),
    CardField("verified_at", "Сведения проверены", "date"),
)
BY_KEY: dict[str, CardField] = {f.key: f for f in FIELDS}
# Fields stored in a plain column of `practice` (themes and awards are rows of their own).
COLUMNS: tuple[CardField, ...] = tuple(f for f in FIELDS if f.key not in ("slug", "themes", "awards"))
# What a person types into one input (the form), by record key.
TEXT_KINDS = frozenset({"text", "long_text", "code", "year", "url", "email", "phone", "date"})
LABELS: dict[str, str] = {f.key: f.label for f in FIELDS} | {"contact": "Контакты"}
# The audit log names changed columns: their labels, by column.
COLUMN_LABELS: dict[str, str] = {f.attribute: f.label for f in FIELDS}
# A practice's status in words («практика сейчас …»), by status value.
STATUS_NAMES: dict[str, str] = {
    "pending": "на проверке",
    "revision": "на доработке",
    "published": "опубликована",
    "rejected": "отклонена",
    "archived": "в архиве",
}


def get(record: Mapping[str, Any], key: str) -> Any:
    """A value of a (possibly nested) record key: get(r, "contact.email")."""
    value: Any = record
    for part in key.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


# (column, nested object or None, key): what `column_values` reads, worked out once (imports
# call it for every row).
_COLUMN_PATHS = tuple((f.attribute, f.group, f.leaf) for f in COLUMNS)


def column_values(record: Mapping[str, Any]) -> dict[str, Any]:
    """The values of the plain columns, from a validated record (`PracticeIn.model_dump()`)."""
    out = {}
    for column, group, key in _COLUMN_PATHS:
        holder = record.get(group) if group else record
        out[column] = holder.get(key) if isinstance(holder, Mapping) else None
    return out


def to_record(practice: Practice, public_only: bool = False) -> dict[str, Any]:
    """The practice as a JSON Lines record; empty fields are left out. `public_only` leaves out
    the contact unless it may be published."""
    record: dict[str, Any] = {}
    for f in FIELDS:
        if public_only and f.visibility == "contact" and not practice.contact_public:
            continue
        value = _read(practice, f)
        if value is None or value == [] or value == "":
            continue
        if f.group:
            record.setdefault(f.group, {})[f.leaf] = value
        else:
            record[f.key] = value
    record["status"] = practice.status.value
    return record


def _read(practice: Practice, f: CardField) -> Any:
    if f.key == "themes":
        return sorted(t.slug for t in practice.themes)
    if f.key == "awards":
        return [a.to_record() for a in sorted(practice.awards, key=lambda a: (a.year, a.id or 0))]
    value = getattr(practice, f.attribute)
    if isinstance(value, date):
        return value.isoformat()
    if f.kind == "flag":
        return bool(value)
    return value
