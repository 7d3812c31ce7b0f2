"""Request-level protection.

- CSRF: every unsafe request from another site is refused (by Sec-Fetch-Site / Origin).
- Body size: unsafe requests larger than MAX_BODY_BYTES get 413 before they are read.
- No-store: pages that show private data (moderation, the submission form) are never cached.
- Signed session cookies for moderators (HMAC-SHA256 with settings.secret_key).
- Rate limits counted in the database (AuditLog rows), so several workers share them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from sqlalchemy import func
from sqlmodel import Session, col, select
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.models import AuditLog, utcnow

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
# The largest form (ten long texts, twenty figure rows, twenty links) stays well below this,
# even percent-encoded Cyrillic (six bytes per letter).
MAX_BODY_BYTES = 1024 * 1024
NO_STORE_PREFIXES = ("/admin", "/submit")
TOO_LARGE = "Запрос слишком большой: не больше 1 МБ. Сократите тексты."


def _render_error(request: Request, status: int, detail: str) -> Response:
    from app.errors import problem, wants_problem
    from app.web.templating import templates

    if wants_problem(request):
        return problem(status, detail)
    return templates.TemplateResponse(request, "error.html", {"status": status, "detail": detail}, status_code=status)


# --- CSRF ---------------------------------------------------------------------------------


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
            return _render_error(request, 403, "Запрос с другого сайта отклонён (защита от CSRF).")
        return await call_next(request)


# --- Body size and caching ----------------------------------------------------------------


class BodyLimitMiddleware:
    """413 for unsafe requests whose body is larger than `max_bytes` (declared or streamed)."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        declared = request.headers.get("content-length")
        if declared is not None:
            try:
                too_large = int(declared) > self.max_bytes
            except ValueError:
                too_large = True
            if too_large:
                await _render_error(request, 413, TOO_LARGE)(scope, receive, send)
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
                if size > self.max_bytes:
                    await _render_error(request, 413, TOO_LARGE)(scope, receive, send)
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


# --- Signed sessions ----------------------------------------------------------------------

SESSION_COOKIE = "practices_session"
SESSION_MAX_AGE = 12 * 3600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, purpose: str, data: str) -> str:
    return _b64(hmac.new(secret.encode(), f"{purpose}:{data}".encode(), hashlib.sha256).digest())


def sign_session(data: dict[str, Any], secret: str, now: float | None = None) -> str:
    """A tamper-proof cookie value: base64(JSON with issue time) + "." + HMAC."""
    payload = _b64(json.dumps({**data, "iat": int(now if now is not None else time.time())}).encode())
    return f"{payload}.{_mac(secret, 'session', payload)}"


def read_session(value: str | None, secret: str, max_age: int = SESSION_MAX_AGE) -> dict[str, Any] | None:
    """The data of a valid, unexpired cookie; None for anything else (never raises)."""
    if not value or value.count(".") != 1 or len(value) > 4096:
        return None
    payload, mac = value.split(".")
    if not hmac.compare_digest(mac, _mac(secret, "session", payload)):
        return None
    try:
        data = json.loads(_unb64(payload))
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("iat"), int):
        return None
    if not 0 <= time.time() - data["iat"] <= max_age:
        return None
    return data


def fingerprint(secret: str, password_hash: str) -> str:
    """Ties a session to the password it was opened with: a new password ends old sessions."""
    return _mac(secret, "password", password_hash)[:22]


def is_https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def set_session_cookie(response: Response, request: Request, value: str) -> None:
    response.set_cookie(
        SESSION_COOKIE, value, max_age=SESSION_MAX_AGE, path="/", httponly=True, samesite="lax",
        secure=is_https(request),
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=is_https(request))


# --- Rate limits --------------------------------------------------------------------------


def client_key(request: Request, secret: str) -> str:
    """The client's address, hashed with the secret: counted, never stored readable."""
    address = request.client.host if request.client else "unknown"
    return "client:" + _mac(secret, "client", address)[:32]


def retry_after(session: Session, key: str, action: str, limit: int, window: int) -> int | None:
    """Seconds until `key` may do `action` again, or None if it may now.

    Counts AuditLog rows (actor = key) newer than the window; 0 as limit disables the check.
    """
    if limit <= 0:
        return None
    since = utcnow() - timedelta(seconds=window)
    count, oldest = session.exec(
        select(func.count(col(AuditLog.id)), func.min(AuditLog.at)).where(
            AuditLog.actor == key, AuditLog.action == action, AuditLog.at >= since
        )
    ).one()
    if count < limit:
        return None
    if oldest.tzinfo is None:  # SQLite returns naive UTC
        oldest = oldest.replace(tzinfo=since.tzinfo)
    return max(1, math.ceil((oldest + timedelta(seconds=window) - utcnow()).total_seconds()))


def record_hit(session: Session, key: str, action: str, practice_id: int | None = None) -> None:
    session.add(AuditLog(practice_id=practice_id, actor=key, action=action, changes={}))


class LoginRequired(Exception):
    """Raised by the moderator dependency: answered with a redirect to the sign-in page."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return RedirectResponse(exc.location, status_code=303)


def install(app: FastAPI) -> None:
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_middleware(CSRFMiddleware)
    app.add_middleware(NoStoreMiddleware)
    app.add_middleware(BodyLimitMiddleware)
