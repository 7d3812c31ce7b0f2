"""How practices are read: the public card, listings, counts, the moderation queue, the audit log.

Routes call these; they hold no SQL of their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.catalogue.practices.schemas import SLUG_RE
from app.db import is_row_id, one_of
from app.models import Adoption, AdoptionStatus, AuditLog, Practice, PracticeTheme, Status

TRACKING_RE = r"^P-[0-9A-F]{8}$"
_SLUG = re.compile(SLUG_RE)
SLUG_MAX = 120  # the column's length


def _id_key(key: str | int) -> int | None:
    """`key` as a practice id when it is one (ASCII digits within the id column's range)."""
    if isinstance(key, int):
        return key
    if key.isascii() and key.isdigit() and len(key) <= 18 and is_row_id(int(key)):
        return int(key)
    return None


def _is_slug(key: str | int) -> bool:
    """Whether `key` has the shape every address has (`slugs.slugify`, the schemas' SLUG_RE): any
    other text names no practice, and need not reach the database (PostgreSQL refuses a NUL)."""
    return isinstance(key, str) and len(key) <= SLUG_MAX and _SLUG.match(key) is not None


def get_public(session: Session, key: str | int) -> Practice | None:
    """A published practice by id or slug."""
    stmt = select(Practice).where(Practice.status == Status.published)
    practice_id = _id_key(key)
    if practice_id is not None:
        return session.exec(stmt.where(Practice.id == practice_id)).first()
    return session.exec(stmt.where(Practice.slug == key)).first() if _is_slug(key) else None


def by_slug(session: Session, slug: str) -> Practice | None:
    """A practice in any status by its address."""
    return session.exec(select(Practice).where(Practice.slug == slug)).first() if _is_slug(slug) else None


def existing_slugs(session: Session, slugs: Iterable[str]) -> set[str]:
    """Which of `slugs` are addresses of practices already (any status)."""
    wanted, found = sorted(set(slugs)), set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        found |= set(session.exec(select(Practice.slug).where(col(Practice.slug).in_(chunk))))
    return found


def by_slugs(session: Session, slugs: Iterable[str]) -> dict[str, Practice]:
    """The practices (any status) whose addresses are among `slugs`, by address."""
    wanted, found = sorted(set(slugs)), dict[str, Practice]()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        found |= {p.slug: p for p in session.exec(select(Practice).where(one_of(session, col(Practice.slug), chunk)))}
    return found


def get(session: Session, practice_id: int) -> Practice | None:
    """A practice in any status (moderation)."""
    return session.get(Practice, practice_id) if is_row_id(practice_id) else None


def by_tracking_code(session: Session, code: str) -> Practice | None:
    """The practice a submitter's tracking code names (any status), or None for a malformed code."""
    code = code.strip().upper()
    if not re.match(TRACKING_RE, code):
        return None
    return session.exec(select(Practice).where(Practice.tracking_code == code)).first()


def iter_practices(
    session: Session, statuses: Iterable[Status] = (Status.published,), batch: int = 1000
) -> Iterator[Practice]:
    """Practices of the given statuses in id order, read in batches (keyset paging), so a
    catalogue of any size streams in constant memory. Each batch is read and its transaction
    ended before it is handed out: a consumer that stops midway (a client leaving a download)
    leaves no transaction open behind it. So `session` must be one that reads only."""
    wanted, last = list(statuses), 0
    while True:
        chunk = list(
            session.exec(
                select(Practice)
                .where(col(Practice.status).in_(wanted), col(Practice.id) > last)
                .order_by(col(Practice.id))
                .limit(batch)
            ).unique()
        )
        if not chunk:
            return
        session.expunge_all()  # detached with what was loaded: the identity map does not grow
        session.rollback()
        yield from chunk
        last = chunk[-1].id or last


def published_addresses(session: Session, offset: int, limit: int, batch: int = 5000) -> Iterator[tuple[str, datetime]]:
    """(slug, updated_at) of published practices in id order, from the `offset`-th, at most
    `limit`, read in batches (keyset paging after the first)."""
    published = select(Practice.id, Practice.slug, Practice.updated_at).where(Practice.status == Status.published)
    first = session.exec(select(Practice.id).where(Practice.status == Status.published).order_by(col(Practice.id))
                         .offset(offset).limit(1)).first()
    if first is None:
        return
    last, left = first - 1, limit
    while left > 0:
        rows = session.exec(published.where(col(Practice.id) > last).order_by(col(Practice.id)).limit(min(batch, left))).all()
        if not rows:
            return
        for _, slug, updated in rows:
            yield slug, updated
        last, left = rows[-1][0] or last, left - len(rows)


def last_changes(session: Session, column: str) -> dict[str, datetime]:
    """When a published practice of each value of a reference column last changed."""
    attribute = getattr(Practice, column)
    rows = session.exec(select(attribute, func.max(Practice.updated_at)).where(Practice.status == Status.published)
                        .group_by(attribute))
    return {key: changed for key, changed in rows}


def theme_last_changes(session: Session) -> dict[str, datetime]:
    rows = session.exec(
        select(PracticeTheme.theme_slug, func.max(Practice.updated_at))
        .join(Practice, col(Practice.id) == col(PracticeTheme.practice_id))
        .where(Practice.status == Status.published)
        .group_by(col(PracticeTheme.theme_slug))
    )
    return {slug: changed for slug, changed in rows}


def count(session: Session, statuses: Iterable[Status] = (Status.published,)) -> int:
    return session.exec(select(func.count()).select_from(Practice).where(col(Practice.status).in_(list(statuses)))).one()


def published_by_ids(session: Session, ids: Sequence[int]) -> dict[int, Practice]:
    """The published ones of `ids`, by id."""
    found = session.exec(select(Practice).where(col(Practice.id).in_(list(ids)), Practice.status == Status.published)).unique()
    return {p.id: p for p in found if p.id is not None}


def by_ids(session: Session, ids: Sequence[int]) -> dict[int, Practice]:
    """Practices of `ids` in any status, by id."""
    found = session.exec(select(Practice).where(col(Practice.id).in_(list(ids)))).unique()
    return {p.id: p for p in found if p.id is not None}


def newest(session: Session, limit: int) -> Sequence[Practice]:
    return session.exec(
        select(Practice).where(Practice.status == Status.published)
        .order_by(col(Practice.published_at).desc(), col(Practice.id).desc()).limit(limit)
    ).unique().all()


def published_counts(session: Session, column: str) -> dict[str, int]:
    """Published practices per value of a reference column: "region_code", "municipality_type_slug"."""
    attribute = getattr(Practice, column)
    rows = session.exec(select(attribute, func.count()).where(Practice.status == Status.published).group_by(attribute))
    return {key: n for key, n in rows}


def theme_counts(session: Session) -> dict[str, int]:
    rows = session.exec(
        select(PracticeTheme.theme_slug, func.count(col(PracticeTheme.practice_id)))
        .join(Practice, col(Practice.id) == col(PracticeTheme.practice_id))
        .where(Practice.status == Status.published)
        .group_by(col(PracticeTheme.theme_slug))
    )
    return {slug: n for slug, n in rows}


def related(session: Session, practice: Practice, limit: int) -> list[Practice]:
    """Published practices sharing a theme or the region: most shared first, then newest."""
    theme_slugs = [t.slug for t in practice.themes]
    same_theme = select(PracticeTheme.practice_id).where(col(PracticeTheme.theme_slug).in_(theme_slugs))
    candidates = session.exec(
        select(Practice)
        .where(
            Practice.status == Status.published,
            col(Practice.id) != practice.id,
            or_(col(Practice.region_code) == practice.region_code, col(Practice.id).in_(same_theme)),
        )
        .order_by(col(Practice.published_at).desc(), col(Practice.id).desc())
        .limit(limit * 5)
    ).unique().all()

    def shared(other: Practice) -> int:
        themes = len(set(theme_slugs) & {t.slug for t in other.themes})
        return themes + (2 if other.region_code == practice.region_code else 0)

    return sorted(candidates, key=shared, reverse=True)[:limit]  # sorted() is stable: newest first within a tie


def adoption_counts(session: Session, ids: Sequence[int]) -> dict[int, int]:
    """Approved adoption reports per practice, for `ids` (0 for those without)."""
    rows = session.exec(
        select(Adoption.practice_id, func.count(col(Adoption.id)))
        .where(col(Adoption.practice_id).in_(list(ids)), Adoption.status == AdoptionStatus.approved)
        .group_by(col(Adoption.practice_id))
    )
    return dict.fromkeys(ids, 0) | {practice_id: n for practice_id, n in rows}


def status_counts(session: Session) -> dict[Status, int]:
    rows = session.exec(select(Practice.status, func.count(col(Practice.id))).group_by(Practice.status))
    return {Status(s): n for s, n in rows}


@dataclass(frozen=True)
class QueueFilter:
    """What the moderator narrowed the queue to; empty fields do not narrow."""

    status: Status = Status.pending
    region: str | None = None
    theme: str | None = None
    since: date | None = None  # submitted on or after
    until: date | None = None  # submitted on or before
    text: str = ""  # in the title or summary, any case


def _queue_where(stmt: Any, f: QueueFilter) -> Any:
    stmt = stmt.where(Practice.status == f.status)
    if f.region:
        stmt = stmt.where(Practice.region_code == f.region)
    if f.theme:
        stmt = stmt.where(col(Practice.id).in_(select(PracticeTheme.practice_id).where(PracticeTheme.theme_slug == f.theme)))
    if f.since:
        stmt = stmt.where(col(Practice.created_at) >= datetime.combine(f.since, time.min, UTC))
    if f.until:
        stmt = stmt.where(col(Practice.created_at) < datetime.combine(f.until + timedelta(days=1), time.min, UTC))
    if f.text:
        # The pending queue is small: a LIKE scan is enough (SQLite's lower() is made Unicode-aware in app.db).
        needle = f.text.lower()
        stmt = stmt.where(or_(func.lower(col(Practice.title)).contains(needle, autoescape=True),
                              func.lower(func.coalesce(col(Practice.summary), "")).contains(needle, autoescape=True)))
    return stmt


def queue_page(session: Session, f: QueueFilter, offset: int, limit: int) -> Sequence[Practice]:
    """One page of the moderation queue: waiting ones oldest first, the others latest first."""
    stmt = _queue_where(select(Practice), f)
    if f.status in (Status.pending, Status.revision, Status.rejected):
        stmt = stmt.order_by(col(Practice.created_at), col(Practice.id))  # the longest waiting first
    else:
        stmt = stmt.order_by(col(Practice.updated_at).desc(), col(Practice.id).desc())
    return list(session.exec(stmt.offset(offset).limit(limit)).unique().all())


def queue_count(session: Session, f: QueueFilter) -> int:
    count: int = session.exec(_queue_where(select(func.count(col(Practice.id))), f)).one()
    return count


def audit_log(session: Session, practice_id: int) -> Sequence[AuditLog]:
    """The practice's audit log, newest first."""
    return session.exec(
        select(AuditLog).where(AuditLog.practice_id == practice_id)
        .order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc())
    ).all()
