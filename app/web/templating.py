"""The Jinja2 environment, built once by the app factory (`make_templates`) and kept on
`app.state.templates`; autoescape on, no |safe on user text. Routes render with `render`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from app.web import formatting
from app.web.search.checkboxes import checkboxes

TEMPLATE_DIR = Path(__file__).parent / "templates"


def make_templates(reload: bool = True) -> Jinja2Templates:
    """With `reload`, an edited template is read again; without, templates are read once (every
    `include` would otherwise look at its file's time again: a results page includes a dozen)."""
    templates = Jinja2Templates(directory=TEMPLATE_DIR)
    templates.env.auto_reload = reload
    templates.env.filters.update(
        plural=lambda n, one, few, many: f"{n} {formatting.plural(n, one, few, many)}",
        number=formatting.number,
        change=formatting.change,
        ru_date=formatting.ru_date,
        http_url=formatting.http_url,
    )
    templates.env.globals["with_query"] = formatting.with_query
    templates.env.globals["url_for"] = _path_for()
    templates.env.globals["checkboxes"] = checkboxes
    return templates


def _path_for() -> Any:
    """`url_for` for templates: a route's path, not Starlette's absolute URL, which is built
    from the request's `Host`, a header the client chooses (app.links says why it must not
    reach a page). Paths are remembered per name: a page asks for the same static files' paths
    on every request, and finding a route walks the router."""
    known: dict[tuple[str, tuple[tuple[str, Any], ...]], str] = {}

    @pass_context
    def url_for(context: dict[str, Any], name: str, /, **path_params: Any) -> str:
        key = (name, tuple(sorted(path_params.items())))
        path = known.get(key)
        if path is None:
            request: Request = context["request"]
            path = known[key] = str(request.app.url_path_for(name, **path_params))
        return path

    return url_for


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
