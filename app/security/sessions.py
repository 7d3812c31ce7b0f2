"""Moderators' sessions, kept server-side: the cookie carries only a random token, the
`admin_session` row says whose it is and since when. Deleting the row ends the session, so
logout, a new password and «Выйти на всех устройствах» take effect on every copy of the cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta

from fastapi import Request
from sqlalchemy import delete, or_
from sqlmodel import Session, col, select
from starlette.responses import RedirectResponse, Response

from app.models import AdminSession, AdminUser, utcnow

SESSION_COOKIE = "practices_session"
# How often a session's last request is written: a write per page view would serialise every
# moderator's reads on SQLite for a precision nobody needs.
TOUCH_EVERY = timedelta(seconds=60)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def mac(secret: str, purpose: str, data: str) -> str:
    return _b64(hmac.new(secret.encode(), f"{purpose}:{data}".encode(), hashlib.sha256).digest())


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, user: AdminUser, max_age: int, idle: int) -> str:
    """A new session for `user`; returns the token for the cookie (stored only as a hash).
    Sessions of anyone that have ended are removed on the way, so the table stays small."""
    assert user.id is not None
    prune(session, max_age, idle)
    token = secrets.token_urlsafe(32)
    session.add(AdminSession(token_hash=_hash(token), user_id=user.id))
    return token


def find_session(session: Session, token: str | None, max_age: int, idle: int) -> tuple[AdminSession, AdminUser] | None:
    """The live session of this cookie and its active moderator; None for anything else."""
    if not token or len(token) > 200:
        return None
    found = session.exec(
        select(AdminSession, AdminUser).join(AdminUser, col(AdminUser.id) == AdminSession.user_id)
        .where(AdminSession.token_hash == _hash(token))
    ).first()
    if found is None:
        return None
    row, user = found
    now = utcnow()
    if not user.active or now - row.created_at > timedelta(seconds=max_age) \
            or now - row.last_seen_at > timedelta(seconds=idle):
        return None  # the row goes with the next sign-in's prune
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
    return row, user


def end_session(session: Session, token: str | None) -> None:
    if token and len(token) <= 200:
        session.exec(delete(AdminSession).where(col(AdminSession.token_hash) == _hash(token)))


def end_sessions_of(session: Session, user_id: int, keep: int | None = None) -> int:
    """End every session of a moderator (but `keep`, the one making the change); returns how many."""
    stmt = delete(AdminSession).where(col(AdminSession.user_id) == user_id)
    if keep is not None:
        stmt = stmt.where(col(AdminSession.id) != keep)
    result = session.exec(stmt)
    return int(result.rowcount or 0)


def prune(session: Session, max_age: int, idle: int) -> None:
    now = utcnow()
    session.exec(delete(AdminSession).where(or_(
        col(AdminSession.created_at) < now - timedelta(seconds=max_age),
        col(AdminSession.last_seen_at) < now - timedelta(seconds=idle),
    )))


def is_https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def set_session_cookie(response: Response, request: Request, value: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE, value, max_age=max_age, path="/", httponly=True, samesite="lax",
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
