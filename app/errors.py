"""One error shape: RFC 9457 problem+json for the API and feeds, an HTML page for people."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.validation import russian_message
from app.web.templating import render

MACHINE_PREFIXES = ("/api/", "/feeds/", "/export/")


def wants_problem(request: Request) -> bool:
    path = request.url.path
    return path.startswith(MACHINE_PREFIXES) or "application/json" in request.headers.get("accept", "")


def problem(status: int, detail: str, errors: list[dict[str, str]] | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def naming(lead: str, errors: list[dict[str, str]]) -> str:
    """A detail that names each wrong field once: «lead: a, b»."""
    return lead + ": " + ", ".join(dict.fromkeys(e["field"] for e in errors))


def _page(request: Request, status: int, detail: str) -> HTMLResponse:
    return render(request, "error.html", {"status": status, "detail": detail}, status)


def error_response(request: Request, status: int, detail: str) -> Response:
    """An error as the client reads it: problem+json for programs, a page for people."""
    return problem(status, detail) if wants_problem(request) else _page(request, status, detail)


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        response = error_response(request, exc.status_code, detail)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors, in_body = [], True
        for err in exc.errors():
            # A body that is no JSON is located by its byte offset: name the body, not a number.
            where = () if err.get("type") == "json_invalid" else err.get("loc", ())
            loc = [str(p) for p in where if p not in ("body", "query", "path", "header")]
            errors.append({"field": ".".join(loc) or "body", "message": russian_message(err)})
            in_body = in_body and err.get("loc", ("",))[0] == "body"
        detail = naming("Неверные поля тела запроса" if in_body else "Неверные параметры запроса", errors)
        if wants_problem(request):
            return problem(422, detail, errors)
        return _page(request, 422, detail)
