"""CSRF: every unsafe request from another site is refused (by Sec-Fetch-Site / Origin)."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.security.requests import SAFE_METHODS, error_page


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


class CSRFMiddleware:
    """Pure ASGI: reads (most requests) pass straight through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            request = Request(scope)
            if is_cross_site(request):
                response = error_page(request, 403, "Запрос с другого сайта отклонён (защита от CSRF).")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
