"""What the search page shows, computed in Python so the templates only lay it out.

The URL is the state: every link here is `/practices?<query string>` made by
`app.search.params`, so a facet click, a chip removal, a sort or a page is an ordinary link.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from app.catalogue.reference import Reference
from app.search.base import SearchQuery, SearchResult
from app.search.facets import BY_PARAM, FACETS, NAMES
from app.search.params import PAGE, FacetValue, labelled_facets, query_string, to_params

SEARCH_PATH = "/practices"
PER_PAGE = PAGE.default_per_page
TOP_VALUES = 8  # facet values shown before «показать все»

# Parameter -> its name on the page, for messages about bad values.
PARAM_NAMES = {
    "q": "Запрос",
    **{param: f.param_title(param) for param, f in BY_PARAM.items()},
    "sort": "Сортировка",
    "page": "Страница",
    "per_page": "Практик на странице",
    "facets": "Фасеты",
}
SORT_LABELS = {"relevance": "по релевантности", "newest": "сначала новые", "title": "по названию"}


def state(query: SearchQuery, page: int | None = None) -> str:
    """The query string of `query` on the page (its page size kept when not the default)."""
    return query_string(query, page=page, default_per_page=PER_PAGE)


def href(query: SearchQuery, page: int | None = None, path: str = SEARCH_PATH) -> str:
    qs = state(query, page=page)
    return f"{path}?{qs}" if qs else path


def parse_page_query(params: Any, ref: Reference) -> tuple[SearchQuery, list[str]]:
    """The query from the URL and messages about what was ignored (never an exception)."""
    query, errors = PAGE.parse(params)
    messages = [f"{PARAM_NAMES.get(e.param, e.param)} ({e.param}): {e.message}. Значение не учтено." for e in errors]
    for f in FACETS:
        known = ref.table(f)
        if known is None:
            continue
        values = query.selected(f.name)
        for bad in (v for v in values if v not in known):
            messages.append(f"{f.title} ({f.name}): неизвестное значение «{bad}». Фильтр не учтён.")
        query = replace(query.with_selection(f.name, tuple(v for v in values if v in known)), page=query.page)
    # The page always counts every facet, whatever `facets=` said.
    return replace(query, facets=NAMES), messages


@dataclass
class FacetLink:
    """A facet value as the page shows it: the link toggles it."""

    value: str
    label: str
    count: int
    selected: bool
    href: str


@dataclass
class FacetView:
    name: str
    title: str
    top: list[FacetLink]
    more: list[FacetLink] = field(default_factory=list)
    # Region only: every value grouped by federal district (inside «показать все»).
    groups: list[tuple[str, list[FacetLink]]] = field(default_factory=list)

    @property
    def total_values(self) -> int:
        return len(self.top) + len(self.more)


def _split(values: list[FacetLink], limit: int = TOP_VALUES) -> tuple[list[FacetLink], list[FacetLink]]:
    """First `limit` values plus every selected one stay visible; the rest go behind «показать все»."""
    if len(values) <= limit + 2:  # hiding one or two values helps nobody
        return values, []
    top = [v for i, v in enumerate(values) if i < limit or v.selected]
    return top, [v for v in values if v not in top]


def _link(v: FacetValue) -> FacetLink:
    return FacetLink(v.value, v.label, v.count, v.selected, href(v.toggled))


def facet_views(result: SearchResult, query: SearchQuery, ref: Reference) -> list[FacetView]:
    labelled = labelled_facets(result, query, ref.label)
    views = []
    for f in FACETS:
        values = [_link(v) for v in labelled.get(f.name) or []]
        if not values:
            continue
        if f.order == "value_desc":  # newest years first: people look for recent practices
            values = sorted(values, key=lambda v: v.value, reverse=True)
        top, more = _split(values)
        view = FacetView(f.name, f.title, top, more)
        if f.name == "region" and more:
            by_district: dict[str, list[FacetLink]] = {}
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
    for f in FACETS:
        for value, without in f.chips(query):
            out.append(Chip(f.title, ref.label(f.name, value), href(without)))
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
    params = to_params(query, page=1, default_per_page=PER_PAGE)
    return [(k, v) for k, v in params if k not in visible]
