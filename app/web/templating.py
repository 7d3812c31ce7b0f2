"""The Jinja2 environment, built once by the app factory (`make_templates`) and kept on
`app.state.templates`; autoescape on, no |safe on user text. Routes render with `render`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from app.web import formatting

TEMPLATE_DIR = Path(__file__).parent / "templates"


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=TEMPLATE_DIR)
    templates.env.filters.update(
        plural=lambda n, one, few, many: f"{n} {formatting.plural(n, one, few, many)}",
        number=formatting.number,
        change=formatting.change,
        ru_date=formatting.ru_date,
        http_url=formatting.http_url,
    )
    templates.env.globals["with_query"] = formatting.with_query
    templates.env.globals["url_for"] = _path_for
    return templates


@pass_context
def _path_for(context: dict[str, Any], name: str, /, **path_params: Any) -> str:
    """A route's path, not Starlette's absolute URL: that one is built from the request's
    `Host`, which a client chooses (app.links says why it must not reach a page)."""
    request: Request = context["request"]
    return _route_path(request.app, name, tuple(sorted(path_params.items())))


@lru_cache(maxsize=1024)  # a page asks for the same static files' paths on every request
def _route_path(app: Any, name: str, params: tuple[tuple[str, Any], ...]) -> str:
    return str(app.url_path_for(name, **dict(params)))


def templates_of(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200, headers: dict[str, str] | None = None
) -> HTMLResponse:
    """The template `name` as an HTML response."""
    return templates_of(request).TemplateResponse(request, name, context, status_code=status_code, headers=headers)


def render_text(request: Request, name: str, context: dict[str, Any]) -> str:
    """The template `name` as text (for a response the caller builds itself)."""
    return templates_of(request).get_template(name).render({"request": request, **context})
