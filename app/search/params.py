"""Search parameters as they come in URLs, for the search page, the API, feeds and export.

One parser, so `/practices?…`, `/api/v1/practices?…`, `/feeds/practices.atom?…` and the export
read the same query string the same way. The URL is the state: `to_params` writes a query
back, and `toggle_url` gives the link that adds or removes one facet value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from app.search.base import FACETS, MAX_PER_PAGE, SORTS, FacetCount, SearchQuery, SearchResult

MAX_QUERY_LENGTH = 200
MAX_VALUES = 100  # per repeatable parameter
MAX_PAGE = 10_000
_CODE = re.compile(r"^[A-Za-z0-9-]{1,64}$")

# Parameters this parser understands (others are the caller's business).
KNOWN = ("q", "region", "theme", "municipality_type", "year_from", "year_to", "has_figures", "sort", "page", "per_page", "facets")


@dataclass
class ParamError:
    param: str
    message: str


class Params:
    """A query string as a read-only multi-dict: works with Starlette's QueryParams and dicts."""

    def __init__(self, source: Mapping[str, Any]) -> None:
        if hasattr(source, "getlist"):
            self._items = {k: list(source.getlist(k)) for k in source}  # type: ignore[attr-defined]
        else:
            self._items = {k: (list(v) if isinstance(v, list | tuple) else [v]) for k, v in source.items()}

    def get(self, key: str) -> str | None:
        values = self._items.get(key)
        return str(values[-1]) if values else None

    def getlist(self, key: str) -> list[str]:
        out: list[str] = []
        for v in self._items.get(key, []):
            # `region=RU-BEL,RU-MOW` and repeated `region=` both work.
            out.extend(p.strip() for p in str(v).split(",") if p.strip())
        return out


def whole_number(raw: str | None, lo: int, hi: int) -> int | None:
    """`raw` as a whole number in [lo, hi] written in ASCII digits ("²" is a digit to
    str.isdigit, but not to int()); None otherwise."""
    if raw is None or not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        return None
    value = int(raw)
    return value if lo <= value <= hi else None


def _int(params: Params, name: str, lo: int, hi: int, errors: list[ParamError]) -> int | None:
    raw = params.get(name)
    if raw is None or raw.strip() == "":
        return None
    value = whole_number(raw.strip(), lo, hi)
    if value is None:
        errors.append(ParamError(name, f"нужно целое число от {lo} до {hi}"))
    return value


def _codes(params: Params, name: str, errors: list[ParamError]) -> tuple[str, ...]:
    values = params.getlist(name)
    if len(values) > MAX_VALUES:
        errors.append(ParamError(name, f"не больше {MAX_VALUES} значений"))
        return ()
    bad = [v for v in values if not _CODE.match(v)]
    if bad:
        errors.append(ParamError(name, f"недопустимое значение «{bad[0][:64]}»"))
        return ()
    return tuple(dict.fromkeys(values))


def parse_search(
    source: Mapping[str, Any], default_per_page: int = 20, max_per_page: int = MAX_PER_PAGE
) -> tuple[SearchQuery, list[ParamError]]:
    """A SearchQuery from URL parameters, and what was wrong with them (wrong ones are dropped)."""
    params = Params(source)
    errors: list[ParamError] = []
    text = (params.get("q") or "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        errors.append(ParamError("q", f"не длиннее {MAX_QUERY_LENGTH} символов"))
        text = text[:MAX_QUERY_LENGTH]
    year_hi = date.today().year + 1
    year_from = _int(params, "year_from", 1900, year_hi, errors)
    year_to = _int(params, "year_to", 1900, year_hi, errors)
    has_figures: bool | None = None
    raw = params.get("has_figures")
    if raw not in (None, ""):
        if raw.lower() in ("true", "1", "yes", "on"):
            has_figures = True
        elif raw.lower() in ("false", "0", "no", "off"):
            has_figures = False
        else:
            errors.append(ParamError("has_figures", "нужно true или false"))
    sort = params.get("sort") or "relevance"
    if sort not in SORTS:
        errors.append(ParamError("sort", "допустимо: " + ", ".join(SORTS)))
        sort = "relevance"
    page = _int(params, "page", 1, MAX_PAGE, errors) or 1
    per_page = _int(params, "per_page", 1, max_per_page, errors) or default_per_page
    facets: tuple[str, ...] = tuple(FACETS)
    if params.get("facets") is not None:
        wanted = params.getlist("facets")
        unknown = [f for f in wanted if f not in FACETS]
        if unknown:
            errors.append(ParamError("facets", f"неизвестный фасет «{unknown[0][:64]}»; допустимо: " + ", ".join(FACETS)))
        facets = tuple(f for f in dict.fromkeys(wanted) if f in FACETS)
    query = SearchQuery(
        text=text,
        regions=_codes(params, "region", errors),
        themes=_codes(params, "theme", errors),
        municipality_types=_codes(params, "municipality_type", errors),
        year_from=year_from,
        year_to=year_to,
        has_figures=has_figures,
        sort=sort,  # type: ignore[arg-type]
        page=page,
        per_page=per_page,
        facets=facets,
    )
    return query, errors


def to_params(query: SearchQuery, page: int | None = None, include_paging: bool = True) -> list[tuple[str, str]]:
    """The query as URL parameters (defaults left out, so URLs stay short and canonical)."""
    out: list[tuple[str, str]] = []
    if query.text:
        out.append(("q", query.text))
    out += [("region", v) for v in query.regions]
    out += [("theme", v) for v in query.themes]
    out += [("municipality_type", v) for v in query.municipality_types]
    if query.year_from is not None:
        out.append(("year_from", str(query.year_from)))
    if query.year_to is not None:
        out.append(("year_to", str(query.year_to)))
    if query.has_figures is not None:
        out.append(("has_figures", str(query.has_figures).lower()))
    if query.sort != "relevance":
        out.append(("sort", query.sort))
    if include_paging:
        p = query.page if page is None else page
        if p != 1:
            out.append(("page", str(p)))
    return out


def query_string(query: SearchQuery, page: int | None = None, include_paging: bool = True) -> str:
    return urlencode(to_params(query, page, include_paging))


def toggle(query: SearchQuery, facet: str, value: str) -> SearchQuery:
    """The query with one facet value added or removed (back to page 1)."""
    def flip(values: Sequence[str]) -> tuple[str, ...]:
        return tuple(v for v in values if v != value) if value in values else (*values, value)

    if facet == "region":
        return replace(query, regions=flip(query.regions), page=1)
    if facet == "theme":
        return replace(query, themes=flip(query.themes), page=1)
    if facet == "municipality_type":
        return replace(query, municipality_types=flip(query.municipality_types), page=1)
    if facet == "has_figures":
        current = None if query.has_figures is None else str(query.has_figures).lower()
        new = None if current == value else value == "true"
        return replace(query, has_figures=new, page=1)
    if facet == "year":
        year = int(value)
        selected = query.year_from == year and query.year_to == year
        return replace(query, year_from=None if selected else year, year_to=None if selected else year, page=1)
    raise ValueError(facet)


def is_selected(query: SearchQuery, facet: str, value: str) -> bool:
    if facet == "year":
        return query.year_from == query.year_to == int(value)
    return value in query.selected(facet)


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    toggle_query: str  # query string that toggles this value


def labelled_facets(result: SearchResult, query: SearchQuery, label) -> dict[str, list[FacetValue]]:  # type: ignore[no-untyped-def]
    """Facets with labels, selection and toggle links; selected values are kept even at count 0."""
    out: dict[str, list[FacetValue]] = {}
    for name, counts in result.facets.items():
        present = {c.value for c in counts}
        extra = [FacetCount(v, 0) for v in query.selected(name) if v not in present]
        out[name] = [
            FacetValue(
                value=c.value,
                label=label(name, c.value),
                count=c.count,
                selected=is_selected(query, name, c.value),
                toggle_query=query_string(toggle(query, name, c.value)),
            )
            for c in [*counts, *extra]
        ]
    return out
