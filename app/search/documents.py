"""The one function that turns a practice into a search document."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.models import Practice


def _ts(value: datetime | None) -> float | None:
    return value.timestamp() if value else None


def practice_document(practice: Practice) -> dict[str, Any]:
    assert practice.id is not None
    return {
        "id": practice.id,
        "slug": practice.slug,
        "title": practice.title,
        "summary": practice.summary or "",
        "problem": practice.problem or "",
        "solution": practice.solution or "",
        "outcome": practice.outcome or "",
        "municipality": practice.municipality or "",
        "region": practice.region_code,
        "region_name": practice.region.name if practice.region else "",
        "federal_district": practice.region.federal_district if practice.region else "",
        "municipality_type": practice.municipality_type_slug,
        "themes": sorted(t.slug for t in practice.themes),
        "year_started": practice.year_started,
        "has_figures": bool(practice.outcome_figures),
        "published_at": _ts(practice.published_at) or _ts(practice.created_at),
        "updated_at": _ts(practice.updated_at),
        "version": practice.version,
    }
