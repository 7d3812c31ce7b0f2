"""CORS for the read endpoints, `no-store` on their errors, and HEAD answered as GET.

The read API, feeds and export may be fetched from any origin (GET/HEAD only; no
credentials, so `*` is safe). Preflight OPTIONS is answered here, before routing. Errors from
these paths are never cached (`Cache-Control: no-store`).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Paths other sites may read from a browser.
CORS_PREFIXES = ("/api/v1/", "/feeds/", "/export/", "/openapi.json")
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
EXPOSED_HEADERS = "ETag, Link, Content-Disposition, Cache-Control"


class OpenDataMiddleware:
    """Pure ASGI, so streamed exports pass through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(CORS_PREFIXES):
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        request_headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if method == "OPTIONS" and "access-control-request-method" in request_headers:
            await self._preflight(request_headers, send)
            return

        if method == "HEAD":  # the routes are GET; answer with the GET's headers only
            scope = {**scope, "method": "GET"}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.body" and method == "HEAD":
                message = {**message, "body": b""}
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if method in ("GET", "HEAD"):
                    headers["Access-Control-Allow-Origin"] = "*"
                    headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
                if message["status"] >= 400:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_wrapper)

    @staticmethod
    async def _preflight(request_headers: dict[str, str], send: Send) -> None:
        headers = [
            (b"access-control-allow-origin", b"*"),
            (b"access-control-allow-methods", ALLOWED_METHODS.encode()),
            (b"access-control-max-age", b"86400"),
            (b"content-length", b"0"),
        ]
        wanted = request_headers.get("access-control-request-headers")
        if wanted:  # no credentials are ever allowed, so any request header is harmless
            headers.append((b"access-control-allow-headers", wanted.encode("latin-1")))
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
