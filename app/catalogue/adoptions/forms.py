"""The adoption form on the card ↔ `AdoptionIn`: input names are the schema's paths
(`municipality`, `contact.email`, `outcome_figures.0.indicator`), so each error names its input."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from app.catalogue.adoptions.schemas import LIMITS
from app.catalogue.practices.forms import HONEYPOT, NUMBER_KEYS, ROW_GROUPS
from app.catalogue.practices.schemas import number_of, whole_of

TEXT = ("municipality", "region", "municipality_type", "year", "what_changed")
CONTACT = ("name", "organisation", "email", "phone")
FIGURE_KEYS = ROW_GROUPS["outcome_figures"]
ROWS = 2
_ROW = re.compile(r"^outcome_figures\.(\d)\.([a-z_]+)$")
LABELS = {
    "municipality": "Муниципальное образование",
    "region": "Регион",
    "municipality_type": "Тип муниципального образования",
    "year": "Год внедрения",
    "what_changed": "Что изменилось",
    "outcome_figures": "Результаты в цифрах",
    "contact": "Контакт",
    "contact.name": "Контактное лицо",
    "contact.organisation": "Организация",
    "contact.email": "Электронная почта",
    "contact.phone": "Телефон",
}


@dataclass
class AdoptionForm:
    """What a person typed, as shown again (the macros read `.get(name)`)."""

    values: dict[str, str] = field(default_factory=dict)
    rows: int = ROWS
    honeypot: str = ""

    def get(self, name: str) -> str:
        return self.values.get(name, "")


def parse(pairs: Iterable[tuple[str, str]]) -> AdoptionForm:
    form = AdoptionForm()
    known = {*TEXT, *(f"contact.{k}" for k in CONTACT)}
    for name, value in pairs:
        if name in known:
            form.values[name] = value
        elif name == HONEYPOT:
            form.honeypot = value
        elif (m := _ROW.match(name)) and int(m.group(1)) < LIMITS["figures"] and m.group(2) in FIGURE_KEYS:
            form.values[name] = value
    filled = [i for i in range(LIMITS["figures"]) if any(form.get(f"outcome_figures.{i}.{k}").strip() for k in FIGURE_KEYS)]
    form.rows = max(ROWS, (filled[-1] + 2) if filled else 0)
    form.rows = min(form.rows, LIMITS["figures"])
    return form


def to_payload(form: AdoptionForm) -> dict[str, Any]:
    def given(name: str) -> str | None:
        text = form.get(name)
        return text if text.strip() else None

    payload: dict[str, Any] = {k: text.strip() for k in TEXT if (text := given(k)) is not None}
    if "year" in payload:  # the schema takes a number, the form has text
        payload["year"] = whole_of(payload["year"])
    payload["contact"] = {k: text for k in CONTACT if (text := given(f"contact.{k}")) is not None}
    figures = []
    for i in range(LIMITS["figures"]):
        row = {k: (number_of(text) if k in NUMBER_KEYS else text)
               for k in FIGURE_KEYS if (text := given(f"outcome_figures.{i}.{k}")) is not None}
        if row:
            figures.append(row)
    payload["outcome_figures"] = figures
    return payload
