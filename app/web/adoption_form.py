"""What the adoption form on the card (`_adoption_form.html`) expects."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.catalogue.adoptions.forms import LABELS, AdoptionForm
from app.catalogue.adoptions.schemas import LIMITS
from app.catalogue.practices.forms import FieldError, field_id
from app.catalogue.practices.schemas import MIN_YEAR
from app.catalogue.reference import Reference


def adoption_errors(errors: list[dict[str, str]]) -> dict[str, FieldError]:
    out: dict[str, FieldError] = {}
    for err in errors:
        name = err["field"]
        label = LABELS.get(name) or LABELS.get(name.split(".", 1)[0], name)
        if name.startswith("outcome_figures."):
            parts = name.split(".")
            label = f"{LABELS['outcome_figures']}, строка {int(parts[1]) + 1}" if parts[1].isdigit() else label
        if name in out:
            out[name].message += "; " + err["message"]
        else:
            out[name] = FieldError(name, field_id(name), label, err["message"])
    return out


def adoption_form_context(ref: Reference, form: AdoptionForm | None = None,
                          errors: list[dict[str, str]] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "form": form or AdoptionForm(),
        "errors": adoption_errors(errors or []),
        "adoption_limits": LIMITS,
        "min_year": MIN_YEAR,
        "current_year": date.today().year,
        "region_options": [
            (f"{district} федеральный округ", [(r.code, r.name) for r in regions])
            for district, regions in ref.federal_districts().items()
        ],
        "type_options": [(None, [(m.slug, m.name) for m in ref.municipality_types.values()])],
        "form_error": None,
        "adoption_open": bool(errors),
        **extra,
    }
