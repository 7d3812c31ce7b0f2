"""What the search page shows, computed in Python so the templates only lay it out.

The URL is the state: every link here is `/practices?<query string>` made by
`app.search.params`, so a facet click, a chip removal, a sort or a page is an ordinary link.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from app.catalogue.reference import Reference
from app.search.base import FACETS, SearchQuery, SearchResult
from app.search.params import FacetValue, labelled_facets, parse_search, query_string, to_params, toggle

SEARCH_PATH = "/practices"
PER_PAGE = 20
MAX_PER_PAGE = 50
TOP_VALUES = 8  # facet values shown before «показать все»

# Parameter -> its name on the page, for messages about bad values.
PARAM_NAMES = {
    "q": "Запрос",
    "region": "Регион",
    "theme": "Тема",
    "municipality_type": "Тип муниципального образования",
    "year_from": "Год начала: с",
    "year_to": "Год начала: по",
    "has_figures": "Цифры результатов",
    "sort": "Сортировка",
    "page": "Страница",
    "per_page": "Практик на странице",
    "facets": "Фасеты",
}
FACET_TITLES = {
    "region": "Регион",
    "theme": "Тема",
    "municipality_type": "Тип муниципального образования",
    "year": "Год начала",
    "has_figures": "Цифры результатов",
}
SORT_LABELS = {"relevance": "по релевантности", "newest": "сначала новые", "title": "по названию"}


def state(query: SearchQuery, page: int | None = None, include_paging: bool = True) -> str:
    """The query string of `query`; a page size other than the default is kept (params leaves it out)."""
    qs = query_string(query, page=page, include_paging=include_paging)
    if query.per_page != PER_PAGE:
        qs += ("&" if qs else "") + f"per_page={query.per_page}"
    return qs


def href(query: SearchQuery, page: int | None = None, path: str = SEARCH_PATH) -> str:
    qs = state(query, page=page)
    return f"{path}?{qs}" if qs else path


def parse_page_query(params: Any, ref: Reference) -> tuple[SearchQuery, list[str]]:
    """The query from the URL and messages about what was ignored (never an exception)."""
    query, errors = parse_search(params, default_per_page=PER_PAGE, max_per_page=MAX_PER_PAGE)
    messages = [f"{PARAM_NAMES.get(e.param, e.param)} ({e.param}): {e.message}. Значение не учтено." for e in errors]
    known = {"region": ref.regions, "theme": ref.themes, "municipality_type": ref.municipality_types}
    kept: dict[str, tuple[str, ...]] = {}
    for param, table in known.items():
        values = query.selected(param)
        for bad in (v for v in values if v not in table):
            messages.append(f"{PARAM_NAMES[param]} ({param}): неизвестное значение «{bad}». Фильтр не учтён.")
        kept[param] = tuple(v for v in values if v in table)
    query = replace(query, regions=kept["region"], themes=kept["theme"], municipality_types=kept["municipality_type"])
    if query.year_from is not None and query.year_to is not None and query.year_from > query.year_to:
        messages.append(
            f"{PARAM_NAMES['year_to']} (year_to): год «по» ({query.year_to}) меньше года «с» ({query.year_from}). Значение не учтено."
        )
        query = replace(query, year_to=None)
    # The page always counts every facet, whatever `facets=` said.
    return replace(query, facets=tuple(FACETS)), messages


@dataclass
class FacetView:
    name: str
    title: str
    top: list[FacetValue]
    more: list[FacetValue] = field(default_factory=list)
    # Region only: every value grouped by federal district (inside «показать все»).
    groups: list[tuple[str, list[FacetValue]]] = field(default_factory=list)

    @property
    def total_values(self) -> int:
        return len(self.top) + len(self.more)


def _split(values: list[FacetValue], limit: int = TOP_VALUES) -> tuple[list[FacetValue], list[FacetValue]]:
    """First `limit` values plus every selected one stay visible; the rest go behind «показать все»."""
    if len(values) <= limit + 2:  # hiding one or two values helps nobody
        return values, []
    top = [v for i, v in enumerate(values) if i < limit or v.selected]
    return top, [v for v in values if v not in top]


def facet_views(result: SearchResult, query: SearchQuery, ref: Reference) -> list[FacetView]:
    labelled = labelled_facets(result, query, ref.label)
    views = []
    for name in FACETS:
        values = labelled.get(name) or []
        if not values:
            continue
        if query.per_page != PER_PAGE:
            for v in values:
                v.toggle_query = state(toggle(query, name, v.value))
        if name == "year":  # newest years first: people look for recent practices
            values = sorted(values, key=lambda v: -int(v.value))
        top, more = _split(values)
        view = FacetView(name, FACET_TITLES[name], top, more)
        if name == "region" and more:
            by_district: dict[str, list[FacetValue]] = {}
            for v in sorted(values, key=lambda v: v.label):
                region = ref.regions.get(v.value)
                by_district.setdefault(region.federal_district if region else "Другие", []).append(v)
            view.groups = sorted(by_district.items())
        views.append(view)
    return views


@dataclass
class Chip:
    facet_title: str
    label: str
    remove_href: str


def chips(query: SearchQuery, ref: Reference) -> list[Chip]:
    """Every active selection as a chip with the link that removes it."""
    out = []
    if query.text:
        out.append(Chip("Запрос", f"«{query.text}»", href(replace(query, text="", page=1))))
    for facet in ("region", "theme", "municipality_type", "has_figures"):
        for value in query.selected(facet):
            out.append(Chip(FACET_TITLES[facet], ref.label(facet, value), href(toggle(query, facet, value))))
    if query.year_from is not None or query.year_to is not None:
        if query.year_from == query.year_to:
            label = str(query.year_from)
        elif query.year_to is None:
            label = f"с {query.year_from}"
        elif query.year_from is None:
            label = f"по {query.year_to}"
        else:
            label = f"{query.year_from}–{query.year_to}"
        out.append(Chip(FACET_TITLES["year"], label, href(replace(query, year_from=None, year_to=None, page=1))))
    return out


@dataclass
class PageLink:
    number: int | None  # None: a gap («…»)
    href: str = ""
    current: bool = False


def pagination(query: SearchQuery, pages: int, window: int = 2) -> list[PageLink]:
    """1 … p-2 p-1 p p+1 p+2 … last."""
    if pages <= 1:
        return []
    wanted = {1, pages, *range(max(1, query.page - window), min(pages, query.page + window) + 1)}
    out: list[PageLink] = []
    previous = 0
    for n in sorted(wanted):
        if n - previous > 1:
            out.append(PageLink(None))
        out.append(PageLink(n, href(query, page=n), n == query.page))
        previous = n
    return out


def sort_links(query: SearchQuery) -> list[dict[str, Any]]:
    return [
        {"value": s, "label": label, "href": href(replace(query, sort=s, page=1)), "current": s == query.sort}  # type: ignore[arg-type]
        for s, label in SORT_LABELS.items()
    ]


def hidden_inputs(query: SearchQuery, visible: tuple[str, ...] = ("q",)) -> list[tuple[str, str]]:
    """The state a search form carries besides its `visible` inputs (a new search starts at page 1)."""
    out = [(k, v) for k, v in to_params(query, include_paging=False) if k not in visible]
    return out + ([("per_page", str(query.per_page))] if query.per_page != PER_PAGE else [])
