"""Moderators' sessions: signed cookies (HMAC-SHA256 with settings.secret_key)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from fastapi import Request
from starlette.responses import RedirectResponse, Response

SESSION_COOKIE = "practices_session"
SESSION_MAX_AGE = 12 * 3600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def mac(secret: str, purpose: str, data: str) -> str:
    return _b64(hmac.new(secret.encode(), f"{purpose}:{data}".encode(), hashlib.sha256).digest())


def sign_session(data: dict[str, Any], secret: str, now: float | None = None) -> str:
    """A tamper-proof cookie value: base64(JSON with issue time) + "." + HMAC."""
    payload = _b64(json.dumps({**data, "iat": int(now if now is not None else time.time())}).encode())
    return f"{payload}.{mac(secret, 'session', payload)}"


def read_session(value: str | None, secret: str, max_age: int = SESSION_MAX_AGE) -> dict[str, Any] | None:
    """The data of a valid, unexpired cookie; None for anything else (never raises)."""
    if not value or value.count(".") != 1 or len(value) > 4096:
        return None
    payload, signature = value.split(".")
    if not hmac.compare_digest(signature, mac(secret, "session", payload)):
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
    return mac(secret, "password", password_hash)[:22]


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


class LoginRequired(Exception):
    """Raised by the moderator dependency: answered with a redirect to the sign-in page."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


async def login_required(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return RedirectResponse(exc.location, status_code=303)
