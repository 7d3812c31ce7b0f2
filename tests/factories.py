"""Small builders the tests share: a practice as the input that would recreate it."""

from __future__ import annotations

from typing import Any

from app.catalogue.practices import fields
from app.catalogue.practices.schemas import PracticeIn
from app.models import Practice
from app.search.base import SearchQuery


def practice_to_in(practice: Practice) -> PracticeIn:
    """The input that gives `practice` (for edits made in tests)."""
    return PracticeIn.model_validate(fields.to_record(practice))


def search_query(
    text: str = "",
    *,
    regions: tuple[str, ...] = (),
    themes: tuple[str, ...] = (),
    municipality_types: tuple[str, ...] = (),
    year_from: int | None = None,
    year_to: int | None = None,
    has_figures: bool | None = None,
    awards: tuple[str, ...] = (),
    **rest: Any,
) -> SearchQuery:
    """A SearchQuery written the way tests think of it: one keyword per facet."""
    filters = {"region": tuple(regions), "theme": tuple(themes), "municipality_type": tuple(municipality_types),
               "award": tuple(awards)}
    if has_figures is not None:
        filters["has_figures"] = ("true" if has_figures else "false",)
    ranges = {"year": (year_from, year_to)} if year_from is not None or year_to is not None else {}
    return SearchQuery(text=text, filters={k: v for k, v in filters.items() if v}, ranges=ranges, **rest)
