"""Rate limits counted in the database, so several workers share them.

Counting and writing a hit are one step: `retry_after` takes a lock for the key and action that
holds until the request's transaction ends, and `record_hit` writes the hit in that same
transaction. A second request from the same address waits for the first to commit, then counts
its hit: thirty parallel wrong passwords get exactly the limit of answers, the rest are refused.
The lock is PostgreSQL's transaction-level advisory lock on a hash of the key and action, and on
SQLite the database's write lock (one writer at a time), taken before the count.
"""

from __future__ import annotations

import hashlib
import math
from datetime import timedelta

from fastapi import Request
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.db import begin_write
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
    Holds the lock for `key` and `action` until the transaction ends (see the module's note):
    the caller's `record_hit` goes in the same transaction.
    """
    if limit <= 0:
        return None
    lock(session, key, action)
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


def lock(session: Session, key: str, action: str) -> None:
    """Wait for, and hold until the transaction ends, the right to count and write hits of
    `key` doing `action`."""
    if session.get_bind().dialect.name == "postgresql":
        digest = hashlib.sha256(f"rate-limit:{action}:{key}".encode()).digest()
        session.exec(select(func.pg_advisory_xact_lock(int.from_bytes(digest[:8], "big", signed=True))))
    else:
        begin_write(session)
