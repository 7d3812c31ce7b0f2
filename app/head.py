"""HEAD on every GET address: the same status and headers as GET, no body (RFC 9110 §9.3.2).

Uptime and link checkers ask with HEAD; routes are declared for GET only, so the request is
handed on as a GET and the body is dropped on its way out. (Declaring HEAD on every route instead
would add it to the OpenAPI document as operations of their own.)
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        finished = False

        async def without_body(message: Message) -> None:
            nonlocal finished
            if message["type"] != "http.response.body":
                await send(message)
            elif not finished:  # the body's first part ends the response; the rest is dropped
                finished = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app({**scope, "method": "GET"}, receive, without_body)
