"""Request-level limits: the body size (413 before a large body is read) and no-store caching
of pages that show private data (moderation, the submission form)."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
# The largest form (ten long texts, twenty figure rows, twenty links) stays well below this,
# even percent-encoded Cyrillic (six bytes per letter).
MAX_BODY_BYTES = 1024 * 1024
# A spreadsheet a moderator uploads to import (app.catalogue.practices.sheets.MAX_FILE_BYTES, plus
# the form around it).
UPLOAD_PATHS = ("/admin/imports",)
UPLOAD_BODY_BYTES = 11 * 1024 * 1024
NO_STORE_PREFIXES = ("/admin", "/submit")
TOO_LARGE = "Запрос слишком большой: не больше 1 МБ. Сократите тексты."
UPLOAD_TOO_LARGE = "Файл слишком большой: не больше 10 МБ. Разделите таблицу на несколько файлов."


def error_page(request: Request, status: int, detail: str) -> Response:
    from app.errors import error_response

    return error_response(request, status, detail)


class BodyLimitMiddleware:
    """413 for unsafe requests whose body is larger than `max_bytes` (declared or streamed)."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        if scope.get("path") in UPLOAD_PATHS:
            await self.limit(scope, receive, send, UPLOAD_BODY_BYTES, UPLOAD_TOO_LARGE)
        else:
            await self.limit(scope, receive, send, self.max_bytes, TOO_LARGE)

    async def limit(self, scope: Scope, receive: Receive, send: Send, max_bytes: int, refusal: str) -> None:
        request = Request(scope)
        declared = request.headers.get("content-length")
        if declared is not None:
            try:
                too_large = int(declared) > max_bytes
            except ValueError:
                too_large = True
            if too_large:
                await error_page(request, 413, refusal)(scope, receive, send)
                return
        if declared is None:
            # A streamed body of unknown length: read it here, up to the limit, and hand it on
            # whole. (Raising from `receive` inside the app would surface through the
            # BaseHTTPMiddleware task groups as an exception group, i.e. a 500.)
            chunks: list[bytes] = []
            size = 0
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > max_bytes:
                    await error_page(request, 413, refusal)(scope, receive, send)
                    return
                chunks.append(chunk)
                if not message.get("more_body", False):
                    break
            replayed = False

            async def replay() -> Message:
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
                return await receive()

            await self.app(scope, replay, send)
            return
        await self.app(scope, receive, send)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on moderation and submission pages."""

    def __init__(self, app: ASGIApp, prefixes: tuple[str, ...] = NO_STORE_PREFIXES) -> None:
        self.app = app
        self.prefixes = prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not any(path == p or path.startswith(p + "/") for p in self.prefixes):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_no_store)
