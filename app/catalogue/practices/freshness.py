"""Freshness: when a published card's facts were last checked against their sources.

A card is due for a check when it was never verified or was verified more than
`STALE_AFTER_MONTHS` months ago. A moderator's «Проверено» sets `verified_at` to today with one
conditional UPDATE, so of several clicks on one card (two moderators, a double click) the
database lets exactly one through: it alone bumps the version and writes the audit log, the
outbox and the change log; the others change nothing and are not errors.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from app.catalogue.practices.service import audit, record_public_change
from app.models import OutboxOp, Practice, Status, utcnow

STALE_AFTER_MONTHS = 24


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the month's last day when it is shorter: 29 Feb → 28 Feb)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def stale_since(today: date) -> date:
    """Cards verified before this day are due for a check."""
    return months_before(today, STALE_AFTER_MONTHS)


def _due(today: date) -> list[Any]:
    return [
        col(Practice.status) == Status.published,
        or_(col(Practice.verified_at).is_(None), col(Practice.verified_at) < stale_since(today)),
    ]


def due_count(session: Session, today: date) -> int:
    count: int = session.exec(select(func.count(col(Practice.id))).where(*_due(today))).one()
    return count


def due_page(session: Session, today: date, offset: int, limit: int) -> Sequence[Practice]:
    """Cards due for a check, the longest unchecked first: never verified, then oldest verified."""
    stmt = (
        select(Practice).where(*_due(today))
        .order_by(col(Practice.verified_at).is_not(None), col(Practice.verified_at), col(Practice.id))
        .offset(offset).limit(limit)
    )
    return session.exec(stmt).unique().all()


def mark_verified(session: Session, practice: Practice, actor: str, today: date) -> bool:
    """Set the published card's `verified_at` to `today`. False when there was nothing to do:
    already verified today (another click won) or no longer published."""
    assert practice.id is not None
    before = practice.verified_at
    result = session.exec(
        update(Practice)
        .where(
            col(Practice.id) == practice.id,
            col(Practice.status) == Status.published,
            or_(col(Practice.verified_at).is_(None), col(Practice.verified_at) < today),
        )
        .values(verified_at=today, version=col(Practice.version) + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    session.refresh(practice)  # the version and dates as the database now has them
    audit(session, practice, actor, "verify",
          {"verified_at": [before.isoformat() if before else None, today.isoformat()]})
    record_public_change(session, practice, OutboxOp.upsert)
    return True
