"""Query parameters of the open-data endpoints: one Pydantic model per endpoint family.

`params_of(model)` is the route dependency: it validates the query string with the model once
and raises `BadParams` (a 400 problem+json naming every wrong or unknown parameter, see
`install`) on any problem. `documented(model)` is the route's `openapi_extra`: the same model's
schema as OpenAPI parameters. The routes declare no query parameters of their own, so the
model is the one parser and the one description, and FastAPI adds no 422 of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response
from pydantic import Field

from app.catalogue.practices.table import Dialect
from app.querystring import ParamError, whole
from app.search.base import SearchQuery
from app.search.params import EXPORT, FEED, LIST, Base, ExportBase, Family, validate


class BadParams(Exception):
    """A request whose query parameters are wrong; answered 400 with every problem."""

    def __init__(self, errors: list[ParamError]) -> None:
        super().__init__("; ".join(f"{e.param}: {e.message}" for e in errors))
        self.errors = [{"field": e.param, "message": e.message} for e in errors]



M = TypeVar("M", bound=Base)


def validated(model: type[M], request: Request) -> M:
    """The request's query string through `model`, or BadParams."""
    params, problems = validate(model, request.query_params)
    if params is None:
        raise BadParams(problems)
    assert isinstance(params, model)
    return params


# `async def`: parsing is CPU only, and FastAPI would run a plain `def` in a worker thread.
def params_of(model: type[M]) -> Callable[[Request], Awaitable[M]]:
    async def dependency(request: Request) -> M:
        return validated(model, request)

    return dependency


def search_query(family: Family) -> Callable[[Request], Awaitable[SearchQuery]]:
    async def dependency(request: Request) -> SearchQuery:
        return family.query(validated(family.model, request))

    return dependency


def documented(model: type[Base]) -> dict[str, Any]:
    """`openapi_extra` for a route: the model's fields as OpenAPI query parameters."""
    schema = model.model_json_schema()
    parameters = []
    for name, spec in schema.get("properties", {}).items():
        spec = _given(spec)
        parameters.append({
            "name": name,
            "in": "query",
            "required": False,
            "description": schema["properties"][name].get("description", ""),
            "schema": spec,
            **({"style": "form", "explode": True} if _is_array(spec) else {}),
        })
    return {"parameters": parameters}


# An empty value (`year_from=`, as a form's empty select sends it) is taken as not given.
NOT_GIVEN: dict[str, Any] = {"const": ""}


def _given(spec: dict[str, Any]) -> dict[str, Any]:
    """A field's schema as a query parameter's. A query has no null: an optional field's null
    is what an empty value means (not given), so the null alternative becomes the empty string
    (folded into an enum, which keeps Swagger UI's list of values). The field's title and
    default go."""
    out = {k: v for k, v in spec.items() if k not in ("title", "description", "default", "anyOf")}
    alternatives = spec.get("anyOf", [])
    options = [o for o in alternatives if o.get("type") != "null"]
    if len(options) == 1:
        out.update(options[0])
    elif options:
        out["anyOf"] = options
    if len(options) == len(alternatives) or _is_array(out):  # a list's items say it (`comma_list`)
        return out
    if "enum" in out:
        out["enum"] = [*out["enum"], ""]
        return out
    value = {k: out.pop(k) for k in list(out) if k != "examples"}
    return {**out, "anyOf": [value, NOT_GIVEN]}


def _is_array(spec: dict[str, Any]) -> bool:
    return spec.get("type") == "array"


class Nothing(Base):
    """Routes that take no parameters still name an unknown one."""


EMBED_DEFAULT_LIMIT, EMBED_MAX_LIMIT = 5, 50
CHANGES_DEFAULT_LIMIT, CHANGES_MAX_LIMIT = 500, 1000
# change_log.seq is a 32-bit integer column; nine digits stay below its limit.
MAX_CURSOR = 999_999_999


class EmbedBase(Base):
    limit: Annotated[Annotated[int, Field(ge=1, le=EMBED_MAX_LIMIT)] | None, whole(1, EMBED_MAX_LIMIT)] = Field(
        None, description=f"Сколько практик показать, от 1 до {EMBED_MAX_LIMIT}; по умолчанию {EMBED_DEFAULT_LIMIT}.",
        examples=[EMBED_DEFAULT_LIMIT],
    )


class ChangesParams(Base):
    since: Annotated[Annotated[int, Field(ge=0, le=MAX_CURSOR)] | None, whole(0, MAX_CURSOR)] = Field(
        None, description="Курсор из `next_cursor` прошлого ответа; без него — с самого начала", examples=[0]
    )
    limit: Annotated[Annotated[int, Field(ge=1, le=CHANGES_MAX_LIMIT)] | None, whole(1, CHANGES_MAX_LIMIT)] = Field(
        None, description=f"Сколько записей журнала прочитать за раз (1–{CHANGES_MAX_LIMIT}, по умолчанию "
        f"{CHANGES_DEFAULT_LIMIT})", examples=[100],
    )


EMBED = Family("EmbedParams", paging=False, default_sort="newest", base=EmbedBase)


@dataclass(frozen=True)
class ExportRequest:
    query: SearchQuery
    dialect: Dialect


def export_request(request: Request) -> ExportRequest:
    params = validated(EXPORT.model, request)
    assert isinstance(params, ExportBase)
    return ExportRequest(EXPORT.query(params), params.dialect or "rfc4180")


SearchQueryDep = Annotated[SearchQuery, Depends(search_query(LIST))]
FeedQueryDep = Annotated[SearchQuery, Depends(search_query(FEED))]
ExportDep = Annotated[ExportRequest, Depends(export_request)]
NoParams = Depends(params_of(Nothing))


def install(app: FastAPI) -> None:
    from app.errors import naming, problem

    @app.exception_handler(BadParams)
    async def bad_params(_request: Request, exc: BadParams) -> Response:
        return problem(400, naming("Неверные параметры запроса", exc.errors), exc.errors)
