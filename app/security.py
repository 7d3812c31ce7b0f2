"""Request-level protection: CSRF by Sec-Fetch-Site / Origin on every unsafe request."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import Response

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def is_cross_site(request: Request) -> bool:
    """True when an unsafe request comes from another site (datasette's csrf.py approach)."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        # No browser signal at all: a non-browser client (curl, another server). A browser
        # always sends Origin on a cross-site POST, so this cannot be a forged form post,
        # except "null" origins (sandboxed frames), which are refused.
        return origin == "null"
    return urlsplit(origin).netloc != request.headers.get("host", "")


class CSRFMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if request.method not in SAFE_METHODS and is_cross_site(request):
            from app.errors import problem, wants_problem
            from app.web.templating import templates

            detail = "Запрос с другого сайта отклонён (защита от CSRF)."
            if wants_problem(request):
                return problem(403, detail)
            return templates.TemplateResponse(
                request, "error.html", {"status": 403, "detail": detail}, status_code=403
            )
        return await call_next(request)


def install(app: FastAPI) -> None:
    app.add_middleware(CSRFMiddleware)
