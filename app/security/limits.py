"""Rate limits counted in the database, so several workers share them."""

from __future__ import annotations

import math
from datetime import timedelta

from fastapi import Request
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import AuditLog, utcnow
from app.security.sessions import mac

SUBMIT_ACTION = "submit"
LOGIN_FAILED = "login_failed"


def client_key(request: Request, secret: str) -> str:
    """The client's address, hashed with the secret: counted, never stored readable."""
    address = request.client.host if request.client else "unknown"
    return "client:" + mac(secret, "client", address)[:32]


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
