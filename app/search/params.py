"""Search parameters as they come in URLs, for the search page, the API, feeds and export.

One Pydantic model per endpoint family (`Family.model`), built from the facet registry
(`app.search.facets`), is the only parser: FastAPI validates API requests with it (the OpenAPI
document is its schema), and the search page reads its URL with the same model, leniently
(`Family.parse`: a bad value is dropped with a message instead of refusing the page).
The URL is the state: `to_params` writes a query back, and a facet's `toggle` gives the query
that adds or removes one of its values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlencode

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, create_model
from pydantic_core import PydanticCustomError

from app.catalogue.practices.table import Dialect
from app.querystring import ParamError, Params, Text, Whole, comma_list, split_values
from app.search.base import MAX_PER_PAGE, SORTS, FacetCount, SearchQuery, SearchResult
from app.search.facets import BY_NAME, FACETS, NAMES, selections
from app.validation import russian_message

MAX_QUERY_LENGTH = 200
MAX_PAGE = 10_000
DEFAULT_PER_PAGE = 20
V = TypeVar("V")
SORT_DESCRIPTION = ("Порядок: `relevance` (по умолчанию), `newest` (сначала новые), `title` (по названию), "
                    "`winners` (сначала отмеченные наградами, среди них — по релевантности или новизне).")
Sort = Literal["relevance", "newest", "title", "winners"]
assert SORTS == ("relevance", "newest", "title", "winners")
# A facet's name, or several through commas (`facets=region,theme`): what `_facet_names` reads.
FacetName = Annotated[str, Field(pattern=comma_list("|".join(re.escape(n) for n in NAMES)))]


def _facet_names(value: Any) -> list[str] | None:
    if value is None:
        return None
    names = split_values(value)
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise PydanticCustomError("param", f"неизвестный фасет «{unknown[0][:64]}»; допустимо: " + ", ".join(NAMES))
    return names


def _sort(value: Any) -> Any:
    value = value[-1] if isinstance(value, list) and value else value
    if value in (None, ""):
        return None
    if value not in SORTS:
        raise PydanticCustomError("param", "допустимо: " + ", ".join(SORTS))
    return value


FacetNames = Annotated[list[FacetName] | None, BeforeValidator(_facet_names)]
SortParam = Annotated[Sort | None, BeforeValidator(_sort)]


class Base(BaseModel):
    """What every search parameter model shares: unknown parameters are errors."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class Family:
    """The search parameters one family of endpoints takes.

    `paging`: page and page size; `facets`: which facets to count; `ignored`: parameters
    accepted with no effect (a search URL can be reused as it is); `extra`: the family's own
    fields (not part of the search).
    """

    name: str
    paging: bool = True
    facets: bool = False
    default_per_page: int = DEFAULT_PER_PAGE
    max_per_page: int = MAX_PER_PAGE
    default_sort: Sort = "relevance"
    ignored: tuple[str, ...] = ()
    base: type[Base] = field(default_factory=lambda: Base)  # a family's own fields, declared in a subclass
    model: type[Base] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "model", create_model(self.name, __base__=self.base, **self._fields()))

    def _fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "q": (
                Text(MAX_QUERY_LENGTH),
                Field("", description=f"Текст запроса (по-русски, словоформы и опечатки прощаются), до {MAX_QUERY_LENGTH} символов.", examples=["юнармейский отряд"]),
            ),
        }
        for f in FACETS:
            fields.update(f.fields())
        fields["sort"] = (SortParam, Field(None, description=SORT_DESCRIPTION, examples=["newest"]))
        if self.paging:
            fields["page"] = (Whole(1, MAX_PAGE), Field(None, description="Номер страницы, с 1.", examples=[1]))
            fields["per_page"] = (
                Whole(1, self.max_per_page),
                Field(None, description=f"Размер страницы, от 1 до {self.max_per_page}; по умолчанию {self.default_per_page}.",
                      examples=[self.default_per_page]),
            )
        if self.facets:
            fields["facets"] = (
                FacetNames,
                Field(None, description="Какие фасеты посчитать, через запятую (пусто — ни одного): "
                      + ", ".join(NAMES) + ". По умолчанию — все.", examples=[["region", "theme"]]),
            )
        for param in self.ignored:
            fields[param] = (str | list[str], Field(None, description="Принимается и не учитывается."))
        return fields

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(self.model.model_fields)

    def query(self, params: BaseModel) -> SearchQuery:
        """The search that validated `params` describe."""
        values = params.model_dump()
        chosen = selections(values)
        asked = values.get("facets")
        return SearchQuery(
            text=values["q"],
            filters=chosen.values,
            ranges=chosen.ranges,
            sort=values["sort"] or self.default_sort,
            page=values.get("page") or 1,
            per_page=values.get("per_page") or self.default_per_page,
            facets=NAMES if asked is None else tuple(dict.fromkeys(asked)),
        )

    def validate(self, source: Mapping[str, Any]) -> tuple[Base | None, list[ParamError]]:
        return validate(self.model, source)

    def parse(self, source: Mapping[str, Any]) -> tuple[SearchQuery, list[ParamError]]:
        """The search in `source` and what was wrong with it: wrong and unknown parameters are
        left out (the search page shows them as messages instead of refusing to search)."""
        raw: dict[str, Any] = raw_params(source)
        errors: list[ParamError] = []
        while True:  # each pass drops what the last one refused; ends once nothing is left to drop
            params, problems = self.validate(raw)
            if params is not None:
                return self.query(params), errors
            errors += problems
            before = len(raw)
            for problem in problems:
                raw.pop(problem.param, None)
            if len(raw) == before:
                return self.query(self.model.model_validate({})), errors


def validate(model: type[Base], source: Mapping[str, Any]) -> tuple[Base | None, list[ParamError]]:
    """`source` (a query string or a dict) through `model`: (parameters, []) or (None, every problem)."""
    try:
        params = model.model_validate(raw_params(source))
    except ValidationError as exc:
        return None, param_errors(exc, model)
    return params, []


def param_errors(exc: ValidationError, model: type[BaseModel]) -> list[ParamError]:
    """Validation errors as one ParamError per parameter; an unknown one says which are known."""
    out: list[ParamError] = []
    for err in exc.errors():
        param = str(err["loc"][0]) if err["loc"] else "q"
        if err["type"] == "extra_forbidden":
            known = ", ".join(sorted(model.model_fields)) or "никаких"
            out.append(ParamError(param, f"неизвестный параметр; допустимо: {known}"))
        elif all(e.param != param for e in out):
            out.append(ParamError(param, russian_message(err)))
    return out


def raw_params(source: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Every parameter with all its values (single-valued fields take the last, as FastAPI does)."""
    params = Params(source)
    return {name: params.all(name) for name in params.names()}


def _last_given(value: Any) -> Any:
    """A single-valued parameter counts by its last value; an empty one is not given."""
    value = value[-1] if isinstance(value, list) and value else value
    return value or None


class ExportBase(Base):
    """The exports' own parameter: the CSV's dialect."""

    dialect: Annotated[Dialect | None, BeforeValidator(_last_given)] = Field(
        None, description="Вид CSV: `rfc4180` (по умолчанию: запятые, английские имена столбцов — для программ) или "
        "`excel-ru` (точки с запятой и русские заголовки — Excel в русской локали открывает по столбцам). "
        "Другие форматы его не учитывают.", examples=["excel-ru"],
    )


# The families: the search page, the list API, the Atom feed, the exports and the widget.
PAGE = Family("PageSearchParams", facets=True, max_per_page=50)
LIST = Family("SearchParams", facets=True)
FEED = Family("FeedParams", default_per_page=50, default_sort="newest")  # a feed lists the newest first
EXPORT = Family("ExportParams", paging=False, ignored=("page", "per_page", "facets"), base=ExportBase)


def to_params(
    query: SearchQuery,
    page: int | None = None,
    include_paging: bool = True,
    default_per_page: int = DEFAULT_PER_PAGE,
) -> list[tuple[str, str]]:
    """The query as URL parameters, defaults left out so URLs stay short and canonical.

    With `include_paging`, the page and a page size other than `default_per_page` are kept.
    """
    out: list[tuple[str, str]] = []
    if query.text:
        out.append(("q", query.text))
    for f in FACETS:
        out += f.query_params(query)
    if query.sort != "relevance":
        out.append(("sort", query.sort))
    if include_paging:
        p = query.page if page is None else page
        if p != 1:
            out.append(("page", str(p)))
        if query.per_page != default_per_page:
            out.append(("per_page", str(query.per_page)))
    return out


def query_string(
    query: SearchQuery, page: int | None = None, include_paging: bool = True, default_per_page: int = DEFAULT_PER_PAGE
) -> str:
    return urlencode(to_params(query, page, include_paging, default_per_page))


def toggle(query: SearchQuery, facet: str, value: str) -> SearchQuery:
    """The query with one facet value added or removed (back to page 1)."""
    return BY_NAME[facet].toggle(query, value)


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


def facet_value(_facet: str, value: str, label: str, count: int, selected: bool) -> FacetValue:
    """A `labelled_facets` value as the API gives it."""
    return FacetValue(value, label, count, selected)


def labelled_facets(
    result: SearchResult,
    query: SearchQuery,
    label: Callable[[str, str], str],
    make: Callable[[str, str, str, int, bool], V],
) -> dict[str, list[V]]:
    """Facets with labels and selection; selected values are kept even at count 0. Each value is
    made by `make(facet, value, label, count, selected)` (the page's form makes its controls)."""
    out: dict[str, list[V]] = {}
    for name, counts in result.facets.items():
        chosen = BY_NAME[name].selected_values(query)
        if wanted := query.selected(name):
            present = {c.value for c in counts}
            counts = [*counts, *(FacetCount(v, 0) for v in wanted if v not in present)]
        out[name] = [make(name, value, label(name, value), n, value in chosen) for value, n in counts]
    return out
