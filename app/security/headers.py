"""Security headers on every response: a strict Content-Security-Policy (scripts only from
our own files: no inline script, no on* handlers, no eval), no framing except the embed
pages, no MIME sniffing, the path of a page kept from other sites, and no redirect that
echoes the request's `Host`.

Pure ASGI (a BaseHTTPMiddleware would buffer streamed exports and cost a task per request).
A header the route set itself wins: the embed pages send their own CSP (framable by
anyone, inline styles only), the private edit link its own `Referrer-Policy: no-referrer`.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
# Pages other sites put in an <iframe> (app.api.embed): no X-Frame-Options there, and their
# own CSP says `frame-ancestors *`.
FRAMABLE_PREFIXES = ("/embed/",)
COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def local_location(location: str, host: str) -> str:
    """A redirect to this very host as a path: Starlette builds the absolute address of its
    trailing-slash redirects from the request's `Host`, which the client chooses."""
    parts = urlsplit(location)
    if parts.scheme in ("http", "https") and parts.netloc.lower() == host.lower():
        return urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))
    return location


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        framable = scope["path"].startswith(FRAMABLE_PREFIXES)
        host = Headers(scope=scope).get("host", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if host and "location" in headers:
                    headers["location"] = local_location(headers["location"], host)
                for name, value in COMMON.items():
                    headers.setdefault(name, value)
                headers.setdefault("Content-Security-Policy", CSP)
                if not framable:
                    headers.setdefault("X-Frame-Options", "DENY")
            await send(message)

        await self.app(scope, receive, send_with_headers)
