"""Private edit links for submitters: a random token sent once by mail, stored only as its
HMAC (keyed with SECRET_KEY), valid for EDIT_LINK_DAYS and spent by the first resubmission.

The token has nothing to do with the tracking code: knowing the code (it is on the status
page) gives no way to the edit form.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.models import EditToken, Practice, Status, utcnow

TOKEN_RE = r"^[A-Za-z0-9_-]{43}$"  # token_urlsafe(32)
SPENT_MESSAGE = "ссылка для правки уже использована или устарела"


def token_hash(secret: str, token: str) -> str:
    return hmac.new(secret.encode(), f"edit-link:{token}".encode(), hashlib.sha256).hexdigest()


def issue(session: Session, practice: Practice, secret: str, days: int) -> tuple[str, datetime]:
    """A new edit link for `practice` (earlier unused ones stop working); returns (token, expiry)."""
    assert practice.id is not None
    now = utcnow()
    revoke(session, practice.id, now)
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(days=days)
    session.add(EditToken(practice_id=practice.id, token_hash=token_hash(secret, token), created_at=now,
                          expires_at=expires))
    return token, expires


def revoke(session: Session, practice_id: int, now: datetime | None = None) -> None:
    session.exec(
        update(EditToken)
        .where(col(EditToken.practice_id) == practice_id, col(EditToken.used_at).is_(None))
        .values(used_at=now or utcnow())
    )


def find(session: Session, secret: str, token: str) -> tuple[EditToken, Practice] | None:
    """The live token and its practice «на доработке», or None (unknown, spent, expired)."""
    row = session.exec(select(EditToken).where(EditToken.token_hash == token_hash(secret, token))).first()
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    practice = session.get(Practice, row.practice_id)
    if practice is None or practice.status != Status.revision:
        return None
    return row, practice


def spend(session: Session, row: EditToken) -> bool:
    """Use the token up; False if another request did first (one conditional UPDATE decides)."""
    result = session.exec(
        update(EditToken)
        .where(col(EditToken.id) == row.id, col(EditToken.used_at).is_(None), col(EditToken.expires_at) > utcnow())
        .values(used_at=utcnow())
    )
    return bool(result.rowcount == 1)
