"""Search parameters of the open-data endpoints: documented in OpenAPI, parsed by `parse_search`.

FastAPI sees every parameter as a plain string (so it never answers 422 on its own), while the
OpenAPI document states the real type, range and examples. The one parser,
`app.search.params.parse_search`, validates; any problem, and any parameter name it does not
know, is a 400 problem+json naming the parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date
from typing import Annotated, Any

from fastapi import Query, Request

from app.api.http import BadParams, unknown_params
from app.search.base import FACETS, MAX_PER_PAGE, SORTS, SearchQuery
from app.search.params import KNOWN, MAX_PAGE, MAX_QUERY_LENGTH, parse_search

_CODE = {"type": "string", "pattern": "^[A-Za-z0-9-]{1,64}$"}


def doc(description: str, schema: dict[str, Any], examples: list[Any] | None = None) -> Any:
    """A query parameter documented with `schema` but left to our own parser to validate."""
    extra: dict[str, Any] = dict(schema)
    if examples:
        extra["examples"] = examples
    return Query(description=description, json_schema_extra=extra)


def repeated(description: str, examples: list[str]) -> Any:
    return Query(description=description, json_schema_extra={"items": _CODE, "examples": [examples]})


Q = Annotated[str, doc(
    f"Текст запроса (по-русски, словоформы и опечатки прощаются), до {MAX_QUERY_LENGTH} символов.",
    {"type": "string", "maxLength": MAX_QUERY_LENGTH}, ["юнармейский отряд"],
)]
Regions = Annotated[list[str], repeated(
    "Код региона (субъекта РФ), повторяемый или через запятую; см. `/api/v1/regions`. Внутри фасета — ИЛИ.",
    ["RU-BEL", "RU-MOW"],
)]
Themes = Annotated[list[str], repeated(
    "Тема практики, повторяемая или через запятую; см. `/api/v1/themes`.", ["youth"],
)]
MunicipalityTypes = Annotated[list[str], repeated(
    "Тип муниципального образования, повторяемый или через запятую; см. `/api/v1/municipality-types`.",
    ["municipal-district"],
)]
_YEAR = {"type": "integer", "minimum": 1900, "maximum": date.today().year + 1}
YearFrom = Annotated[str, doc("Год начала практики — не раньше этого.", _YEAR, [2020])]
YearTo = Annotated[str, doc("Год начала практики — не позже этого.", _YEAR, [2024])]
HasFigures = Annotated[str, doc(
    "Только практики с цифрами результатов (`true`) или без них (`false`).", {"type": "boolean"}, [True]
)]
Sort = Annotated[str, doc(
    "Порядок: `relevance` (по умолчанию), `newest` (сначала новые), `title` (по названию).",
    {"type": "string", "enum": list(SORTS)}, ["newest"],
)]
Page = Annotated[str, doc("Номер страницы, с 1.", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, [1])]
PerPage = Annotated[str, doc(
    f"Размер страницы, не больше {MAX_PER_PAGE}.", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}, [20]
)]
Facets = Annotated[str, doc(
    "Какие фасеты посчитать, через запятую (пусто — ни одного): " + ", ".join(FACETS) + ". По умолчанию — все.",
    {"type": "string", "pattern": "^(" + "|".join(FACETS) + ")?(,(" + "|".join(FACETS) + "))*$"},
    ["region,theme"],
)]


def parse_or_400(
    request: Request,
    allowed: Iterable[str] = KNOWN,
    default_per_page: int = 20,
    max_per_page: int = MAX_PER_PAGE,
) -> SearchQuery:
    """The request's search, or BadParams naming every wrong and every unknown parameter."""
    errors = unknown_params(request, allowed)
    query, problems = parse_search(request.query_params, default_per_page=default_per_page, max_per_page=max_per_page)
    errors += [{"field": p.param, "message": p.message} for p in problems]
    if errors:
        raise BadParams(errors)
    return query


def newest_unless_asked(request: Request, query: SearchQuery) -> SearchQuery:
    """Feeds and widgets list the newest first unless `sort` is given."""
    return query if request.query_params.get("sort") else replace(query, sort="newest")


def search_dependency(
    with_paging: bool = True, with_facets: bool = False, default_per_page: int = 20
) -> Callable[..., SearchQuery]:
    """A dependency declaring the search parameters (for OpenAPI) and returning the parsed query."""

    def filters_only(
        request: Request,
        q: Q = None,  # type: ignore[assignment]
        region: Regions = [],  # noqa: B006 (FastAPI reads defaults, never mutates them)
        theme: Themes = [],  # noqa: B006
        municipality_type: MunicipalityTypes = [],  # noqa: B006
        year_from: YearFrom = None,  # type: ignore[assignment]
        year_to: YearTo = None,  # type: ignore[assignment]
        has_figures: HasFigures = None,  # type: ignore[assignment]
        sort: Sort = None,  # type: ignore[assignment]
    ) -> SearchQuery:
        # Paging and facet parameters are accepted (ignored) so a search URL can be reused as is.
        return parse_or_400(request)

    def with_pages(
        request: Request,
        q: Q = None,  # type: ignore[assignment]
        region: Regions = [],  # noqa: B006
        theme: Themes = [],  # noqa: B006
        municipality_type: MunicipalityTypes = [],  # noqa: B006
        year_from: YearFrom = None,  # type: ignore[assignment]
        year_to: YearTo = None,  # type: ignore[assignment]
        has_figures: HasFigures = None,  # type: ignore[assignment]
        sort: Sort = None,  # type: ignore[assignment]
        page: Page = None,  # type: ignore[assignment]
        per_page: PerPage = None,  # type: ignore[assignment]
    ) -> SearchQuery:
        return parse_or_400(request, default_per_page=default_per_page)

    def with_pages_and_facets(
        request: Request,
        q: Q = None,  # type: ignore[assignment]
        region: Regions = [],  # noqa: B006
        theme: Themes = [],  # noqa: B006
        municipality_type: MunicipalityTypes = [],  # noqa: B006
        year_from: YearFrom = None,  # type: ignore[assignment]
        year_to: YearTo = None,  # type: ignore[assignment]
        has_figures: HasFigures = None,  # type: ignore[assignment]
        sort: Sort = None,  # type: ignore[assignment]
        page: Page = None,  # type: ignore[assignment]
        per_page: PerPage = None,  # type: ignore[assignment]
        facets: Facets = None,  # type: ignore[assignment]
    ) -> SearchQuery:
        return parse_or_400(request, default_per_page=default_per_page)

    if with_facets:
        return with_pages_and_facets
    return with_pages if with_paging else filters_only
