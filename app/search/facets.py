"""The facet registry: every facet is declared here once, and everything else reads it.

A facet names a key of the search document and how a search narrows it down:

- `MultiFacet`: any of several values (`region=RU-BEL,RU-MOW`: OR within the facet);
- `RangeFacet`: a whole-number range (`year_from=2020&year_to=2024`);
- `BooleanFacet`: yes or no (`has_figures=true`).

URL parameters, the engines' filters and counts, the search page (values, chips, links), the
API documentation and the feeds all come from these declarations (in the spirit of
datasette's facet classes), so adding a facet is one entry in `FACETS` plus, if its values
come from a new place, a line in the document reader (`app.search.documents`).

Facets are disjunctive: a facet's counts ignore that facet's own selection.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field

from app.catalogue.practices.schemas import MIN_YEAR
from app.models import utcnow
from app.querystring import MAX_VALUES, Codes, Flag, Whole

if TYPE_CHECKING:
    from app.search.base import SearchQuery

FacetKind = Literal["multi", "range", "boolean"]


@dataclass(frozen=True)
class AnyOf:
    """The document's `key` holds one of `values` (an engine-neutral filter condition)."""

    key: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Between:
    """The document's whole-number `key` lies within [low, high] (either bound may be open)."""

    key: str
    low: int | None
    high: int | None


Condition = AnyOf | Between


@dataclass(frozen=True)
class Facet:
    """What every facet declares. `labels` names the `Reference` table whose rows name its
    values (None: a value is its own label, or `value_labels` says)."""

    name: str  # in `facets=`, in results and in messages
    key: str  # the search document's key
    title: str  # on the page: «Регион»
    description: str  # in the API documentation
    example: str
    labels: str | None = None
    value_labels: Mapping[str, str] = field(default_factory=dict)
    # How the page orders values: by count (default) or newest first (years).
    order: Literal["count", "value_desc"] = "count"
    # How a query names a value (app.web.search.names): by all distinctive words of its label
    # (places, types) or by any of them (topics: «спорт» names «Физкультура, спорт и здоровье»).
    named_by: Literal["all", "any"] = "all"
    # Values written "parent<separator>child" belong under their parent value on the page
    # (awards: «lmp:2023» is a year of the competition «lmp»); None: a flat list.
    nest_separator: str | None = None

    kind: ClassVar[FacetKind]

    @property
    def params(self) -> tuple[str, ...]:
        """The URL parameters of this facet."""
        return (self.name,)

    def param_title(self, param: str) -> str:  # noqa: ARG002 (a range facet's two parameters differ)
        return self.title

    def values(self, document: Mapping[str, Any]) -> list[str]:
        """The document's values of this facet, as strings (what counts are keyed by)."""
        raw = document.get(self.key)
        if raw is None or raw == "":
            return []
        items = raw if isinstance(raw, list | tuple) else [raw]
        return [_as_value(v) for v in items]

    # Overridden by each kind:

    def fields(self) -> dict[str, tuple[Any, Any]]:
        """This facet's query parameters as Pydantic fields (name -> (type, field))."""
        raise NotImplementedError

    def read(self, values: Mapping[str, Any], into: Selections) -> None:
        """Put this facet's selection from validated parameter `values` into `into`."""
        raise NotImplementedError

    def condition(self, query: SearchQuery) -> Condition | None:
        raise NotImplementedError

    def query_params(self, query: SearchQuery) -> list[tuple[str, str]]:
        raise NotImplementedError

    def toggle(self, query: SearchQuery, value: str) -> SearchQuery:
        raise NotImplementedError

    def is_selected(self, query: SearchQuery, value: str) -> bool:
        return value in self.selected_values(query)

    def selected_values(self, query: SearchQuery) -> frozenset[str]:
        """The values (as `FacetCount.value`) this query's selection marks as chosen."""
        return frozenset(query.selected(self.name))

    def chips(self, query: SearchQuery) -> list[tuple[str, SearchQuery]]:
        """(value, the query without it) for each active selection: what the page's chips show."""
        return [(value, self.toggle(query, value)) for value in query.selected(self.name)]


def _as_value(value: Any) -> str:
    if isinstance(value, bool):  # before int: bool is an int
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class ValueFacet(Facet):
    """A facet whose selection is a set of its values (OR within the facet)."""

    def condition(self, query: SearchQuery) -> Condition | None:
        values = query.selected(self.name)
        return AnyOf(self.key, values) if values else None

    def query_params(self, query: SearchQuery) -> list[tuple[str, str]]:
        return [(self.name, v) for v in query.selected(self.name)]


@dataclass(frozen=True)
class MultiFacet(ValueFacet):
    kind: ClassVar[FacetKind] = "multi"

    def fields(self) -> dict[str, tuple[Any, Any]]:
        description = f"{self.description} Не больше {MAX_VALUES} повторов и {MAX_VALUES} значений через запятую в каждом."
        return {self.name: (Codes, Field(default_factory=list, description=description, examples=[self.example.split(",")]))}

    def read(self, values: Mapping[str, Any], into: Selections) -> None:
        if values.get(self.name):
            into.values[self.name] = tuple(values[self.name])

    def toggle(self, query: SearchQuery, value: str) -> SearchQuery:
        values = query.selected(self.name)
        flipped = tuple(v for v in values if v != value) if value in values else (*values, value)
        return query.with_selection(self.name, flipped)


@dataclass(frozen=True)
class BooleanFacet(ValueFacet):
    kind: ClassVar[FacetKind] = "boolean"

    def fields(self) -> dict[str, tuple[Any, Any]]:
        return {self.name: (Flag, Field(None, description=self.description, examples=[self.example == "true"]))}

    def read(self, values: Mapping[str, Any], into: Selections) -> None:
        flag = values.get(self.name)
        if flag is not None:
            into.values[self.name] = ("true" if flag else "false",)

    def toggle(self, query: SearchQuery, value: str) -> SearchQuery:
        return query.with_selection(self.name, () if self.is_selected(query, value) else (value,))


@dataclass(frozen=True)
class RangeFacet(Facet):
    """A whole-number range; its counts are per value (a year), a click selects one value."""

    kind: ClassVar[FacetKind] = "range"
    low: int = 0
    high_after_today: int = 1  # the upper bound is this year plus this (schemas.max_year for years)

    @property
    def params(self) -> tuple[str, ...]:
        return (f"{self.name}_from", f"{self.name}_to")

    @property
    def high(self) -> int:
        return utcnow().year + self.high_after_today

    def param_title(self, param: str) -> str:
        return f"{self.title}: {'с' if param.endswith('_from') else 'по'}"

    def fields(self) -> dict[str, tuple[Any, Any]]:
        kind = Whole(self.low, self.high)
        low, high = self.params
        return {
            low: (kind, Field(None, description=f"{self.title}: не раньше.", examples=[int(self.example)])),
            high: (kind, Field(None, description=f"{self.title}: не позже.", examples=[int(self.example)])),
        }

    def read(self, values: Mapping[str, Any], into: Selections) -> None:
        low, high = (values.get(p) for p in self.params)
        if low is not None and high is not None and low > high:  # «с 2024 по 2020» means 2020–2024
            low, high = high, low
        if low is not None or high is not None:
            into.ranges[self.name] = (low, high)

    def condition(self, query: SearchQuery) -> Condition | None:
        low, high = query.range(self.name)
        return None if low is None and high is None else Between(self.key, low, high)

    def query_params(self, query: SearchQuery) -> list[tuple[str, str]]:
        return [(p, str(v)) for p, v in zip(self.params, query.range(self.name), strict=True) if v is not None]

    def toggle(self, query: SearchQuery, value: str) -> SearchQuery:
        number = int(value)
        chosen = None if self.is_selected(query, value) else number
        return query.with_range(self.name, chosen, chosen)

    def selected_values(self, query: SearchQuery) -> frozenset[str]:
        low, high = query.range(self.name)  # one year chosen, as a value: a range is not a value
        return frozenset((str(low),)) if low is not None and low == high else frozenset()

    def chips(self, query: SearchQuery) -> list[tuple[str, SearchQuery]]:
        low, high = query.range(self.name)
        if low is None and high is None:
            return []
        if low == high:
            label = str(low)
        elif high is None:
            label = f"с {low}"
        elif low is None:
            label = f"по {high}"
        else:
            label = f"{low}–{high}"
        return [(label, query.with_range(self.name, None, None))]

    def contains(self, bounds: tuple[int | None, int | None], value: str) -> bool:
        low, high = bounds
        number = int(value)
        return (low is None or number >= low) and (high is None or number <= high)


FACETS: tuple[Facet, ...] = (
    MultiFacet(
        "district", "federal_district", "Федеральный округ",
        "Федеральный округ, повторяемый или через запятую; см. `/api/v1/districts`. Внутри фасета — ИЛИ; "
        "вместе с `region` — только выбранные регионы округа.",
        "volga", labels="districts",
    ),
    MultiFacet(
        "region", "region", "Регион",
        "Код региона (субъекта РФ), повторяемый или через запятую; см. `/api/v1/regions`. Внутри фасета — ИЛИ.",
        "RU-BEL,RU-MOW", labels="regions",
    ),
    MultiFacet(
        "theme", "themes", "Тема",
        "Тема практики, повторяемая или через запятую; см. `/api/v1/themes`.",
        "youth", labels="themes", named_by="any",
    ),
    MultiFacet(
        "municipality_type", "municipality_type", "Тип муниципального образования",
        "Тип муниципального образования, повторяемый или через запятую; см. `/api/v1/municipality-types`.",
        "municipal-district", labels="municipality_types",
    ),
    MultiFacet(
        "award", "awards", "Награды",
        "Награда: код конкурса (`lmp` — любой год) или конкурс и год (`lmp:2023`), повторяемые или через запятую; "
        "см. `/api/v1/competitions`.",
        "lmp:2023", labels="awards", nest_separator=":",
    ),
    RangeFacet(
        "year", "year_started", "Год начала",
        "Год начала практики: `year_from` — не раньше, `year_to` — не позже (перепутанные границы меняются местами).",
        "2020", order="value_desc", low=MIN_YEAR,
    ),
    BooleanFacet(
        "has_figures", "has_figures", "Цифры результатов",
        "Только практики с цифрами результатов (`true`) или без них (`false`).",
        "true", value_labels={"true": "С цифрами результатов", "false": "Без цифр"},
    ),
)
BY_NAME: dict[str, Facet] = {f.name: f for f in FACETS}
NAMES: tuple[str, ...] = tuple(BY_NAME)
# Every facet URL parameter -> its facet.
BY_PARAM: dict[str, Facet] = {p: f for f in FACETS for p in f.params}


def facet(name: str) -> Facet:
    return BY_NAME[name]


def conditions(query: SearchQuery) -> dict[str, Condition]:
    """Facet name -> the condition its selection imposes (only facets with a selection)."""
    out = {}
    for f in FACETS:
        if (c := f.condition(query)) is not None:
            out[f.name] = c
    return out


def wanted(query: SearchQuery) -> list[Facet]:
    """The facets the query asks to count, each once, in registry order."""
    return [f for f in FACETS if f.name in query.facets]


@dataclass
class Selections:
    """What a query string selects: values of multi and boolean facets, bounds of ranges."""

    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ranges: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)


def selections(values: Mapping[str, Any]) -> Selections:
    """Every facet's selection in validated parameter `values`."""
    into = Selections()
    for f in FACETS:
        f.read(values, into)
    return into


def all_values(facets: Iterable[Facet], document: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    """(facet name, value) pairs of a document, for engines that keep per-value sets."""
    for f in facets:
        for value in f.values(document):
            yield f.name, value
