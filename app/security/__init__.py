"""Request-level protection: CSRF (`csrf`), body size and no-store (`requests`), moderators'
sessions (`sessions`), rate limits counted in the database (`limits`) and the security headers
of every response (`headers`)."""

from __future__ import annotations

from fastapi import FastAPI

from app.security.csrf import CSRFMiddleware
from app.security.headers import SecurityHeadersMiddleware
from app.security.limits import LOGIN_FAILED, SUBMIT_ACTION, client_key, record_hit, retry_after
from app.security.requests import MAX_BODY_BYTES, BodyLimitMiddleware, NoStoreMiddleware
from app.security.sessions import (
    SESSION_COOKIE,
    LoginRequired,
    clear_session_cookie,
    end_session,
    end_sessions_of,
    find_session,
    login_required,
    open_session,
    set_session_cookie,
)

__all__ = [
    "LOGIN_FAILED", "MAX_BODY_BYTES", "SESSION_COOKIE", "SUBMIT_ACTION", "LoginRequired", "clear_session_cookie",
    "client_key", "end_session", "end_sessions_of", "find_session", "install", "open_session", "record_hit",
    "retry_after", "set_session_cookie",
]


def install(app: FastAPI) -> None:
    app.add_exception_handler(LoginRequired, login_required)
    app.add_middleware(CSRFMiddleware)
    app.add_middleware(NoStoreMiddleware)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)  # outermost of these: also on their refusals
