"""What the search page shows, computed in Python so the templates only lay it out.

The URL is the state: every link here is `/practices?<query string>` made by
`app.search.params`, so a facet click, a chip removal, a sort or a page is an ordinary link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from app.catalogue.reference import Reference
from app.search.base import SearchQuery, SearchResult
from app.search.facets import BY_PARAM, FACETS, NAMES, FacetKind
from app.search.params import PAGE, labelled_facets, query_string, to_params

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
SORT_LABELS = {"relevance": "по релевантности", "newest": "сначала новые", "title": "по названию", "winners": "сначала победители"}


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
        unknown = [v for v in values if v not in known]
        if not unknown:
            continue
        messages += [f"{f.title} ({f.name}): неизвестное значение «{bad}». Фильтр не учтён." for bad in unknown]
        query = replace(query.with_selection(f.name, tuple(v for v in values if v in known)), page=query.page)
    # The page always counts every facet, whatever `facets=` said.
    return replace(query, facets=NAMES), messages


@dataclass
class FacetOption:
    """A facet value as the filter form shows it: a checkbox (a radio button, an option of a
    select for the year) named as the URL parameter, so submitting the form is the new URL."""

    value: str
    label: str
    count: int
    selected: bool
    id: str  # the input's id, unique on the page
    # A nested value (a year of a competition): its parent's label, said before its own by a
    # screen reader («ЛМП, 2023») and hidden on screen, where the nesting shows it.
    context: str = ""
    children: list[FacetOption] = field(default_factory=list)

    @property
    def active(self) -> bool:
        """Ticked, or one of its nested values is."""
        return self.selected or any(c.active for c in self.children)


@dataclass
class FacetView:
    name: str
    title: str
    kind: FacetKind
    top: list[FacetOption]
    more: list[FacetOption] = field(default_factory=list)
    # Values of `more` grouped (regions by federal district), inside «показать все».
    groups: list[tuple[str, list[FacetOption]]] = field(default_factory=list)
    # The next level of a selection, shown in place of `top`: the regions of the chosen districts.
    levels: list[tuple[str, list[FacetOption]]] = field(default_factory=list)
    bounds: tuple[int | None, int | None] = (None, None)  # a range facet's selection

    @property
    def total_values(self) -> int:
        return len(self.top) + len(self.more)

    @property
    def any_selected(self) -> bool:
        return any(o.active for o in [*self.top, *self.more]) or any(
            o.active for _, options in self.levels for o in options
        )


_NOT_ID = re.compile(r"[^A-Za-z0-9-]")


@lru_cache(maxsize=8192)  # the same few hundred values on every page
def input_id(facet: str, value: str) -> str:
    """An id for the value's input: facet values are codes ([A-Za-z0-9-]), years or true/false."""
    return "f-" + _NOT_ID.sub("-", f"{facet}-{value}")


def _split(values: list[FacetOption], limit: int = TOP_VALUES) -> tuple[list[FacetOption], list[FacetOption]]:
    """First `limit` values plus every selected one stay visible; the rest go behind «показать все»
    (each value once: two checkboxes for one value would keep it ticked after one is cleared)."""
    if len(values) <= limit + 2:  # hiding one or two values helps nobody
        return values, []
    shown = [i < limit or v.active for i, v in enumerate(values)]
    return [v for v, s in zip(values, shown, strict=True) if s], [v for v, s in zip(values, shown, strict=True) if not s]


def _option(facet: str, value: str, label: str, count: int, selected: bool) -> FacetOption:
    return FacetOption(value, label, count, selected, input_id(facet, value))


def _nest(options: list[FacetOption], separator: str) -> list[FacetOption]:
    """Values "parent<separator>child" moved under their parent, named by their own part and
    newest first (years); the parents keep their order. A child whose parent is not among the
    options (only when chosen and matching nothing) stays at the top level, fully named."""
    parents = {o.value: o for o in options if separator not in o.value}
    out = []
    for option in options:
        parent_value, nested, own = option.value.partition(separator)
        parent = parents.get(parent_value) if nested else None
        if parent is None:
            out.append(option)
            continue
        parent.children.append(replace(option, label=own, context=parent.label))
    for parent in parents.values():
        parent.children.sort(key=lambda c: c.value, reverse=True)
    return out


def _by_district(options: list[FacetOption], ref: Reference) -> list[tuple[str, list[FacetOption]]]:
    """Region options grouped by federal district (short names), districts and regions by name."""
    groups: dict[str, list[FacetOption]] = {}
    for option in sorted(options, key=lambda o: o.label):
        district = ref.district_of(option.value)
        groups.setdefault(district.name if district else "Другие", []).append(option)
    return sorted(groups.items())


def _regions_of_districts(view: FacetView, chosen: tuple[str, ...], ref: Reference) -> None:
    """With districts chosen, the region facet is their next level: all their regions, by district."""
    options = [*view.top, *view.more]
    inside = [o for o in options if (d := ref.district_of(o.value)) is not None and d.slug in chosen]
    outside = [o for o in options if o not in inside]  # chosen before the district: kept, to be cleared
    view.levels = _by_district(inside, ref) + ([("Вне выбранных округов", outside)] if outside else [])
    view.top, view.more, view.groups = [], [], []


def facet_views(result: SearchResult, query: SearchQuery, ref: Reference) -> list[FacetView]:
    labelled = labelled_facets(result, query, ref.label, _option)
    views = []
    for f in FACETS:
        options = labelled.get(f.name) or []
        if f.kind == "range":
            bounds = query.range(f.name)
            shown = {o.value for o in options}
            options += [FacetOption(str(b), str(b), 0, True, input_id(f.name, str(b)))
                        for b in dict.fromkeys(bounds) if b is not None and str(b) not in shown]
        if not options:
            continue
        if f.order == "value_desc":  # newest years first: people look for recent practices
            options = sorted(options, key=lambda v: v.value, reverse=True)
        if f.nest_separator:
            options = _nest(options, f.nest_separator)
        if f.kind == "range":
            views.append(FacetView(f.name, f.title, f.kind, options, bounds=query.range(f.name)))
            continue
        top, more = _split(options) if f.kind == "multi" else (options, [])
        view = FacetView(f.name, f.title, f.kind, top, more)
        if f.name == "region" and query.selected("district"):
            _regions_of_districts(view, query.selected("district"), ref)
        elif f.name == "region" and more:
            view.groups = _by_district(more, ref)
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


def filter_hidden_inputs(query: SearchQuery) -> list[tuple[str, str]]:
    """What the filter form carries besides its checkboxes and selects: the text, order, page size."""
    return hidden_inputs(query, visible=tuple(BY_PARAM))
