"""How adoption reports are read: the moderators' list and counts. (The approved ones of a
practice come with it: `Practice.adoptions`; counts per practice: practices.queries.)"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.db import is_row_id
from app.models import Adoption, AdoptionStatus


def get(session: Session, adoption_id: int) -> Adoption | None:
    return session.get(Adoption, adoption_id) if is_row_id(adoption_id) else None


def count(session: Session, status: AdoptionStatus) -> int:
    n: int = session.exec(select(func.count(col(Adoption.id))).where(Adoption.status == status)).one()
    return n


def page(session: Session, status: AdoptionStatus, offset: int, limit: int) -> Sequence[Adoption]:
    """Pending ones oldest first; decided ones latest first."""
    stmt = select(Adoption).where(Adoption.status == status)
    if status == AdoptionStatus.pending:
        stmt = stmt.order_by(col(Adoption.created_at), col(Adoption.id))
    else:
        stmt = stmt.order_by(col(Adoption.moderated_at).desc(), col(Adoption.id).desc())
    return session.exec(stmt.offset(offset).limit(limit)).unique().all()
