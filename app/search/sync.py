"""Outbox → search index. The database is the truth; the index follows it.

A sync step takes pending outbox rows, reads the *current* state of their practices, applies
it to the engine and marks the rows done only after the engine confirmed. A failure leaves
the rows pending with a back-off; nothing is lost. On PostgreSQL several workers may run at
once: outbox rows are claimed with SKIP LOCKED and the practices are locked while applied,
so a worker never applies an older state over a newer one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.models import Outbox, Practice, Status, utcnow
from app.observability import SYNC_FAILURES
from app.search.base import SearchIndex
from app.search.documents import PublishedDocuments, documents_of

log = logging.getLogger(__name__)
MAX_BACKOFF = 300
BATCH = 500  # outbox rows per index write (a submission or an edit brings one)
_inline_lock = threading.Lock()


@dataclass
class SyncReport:
    applied: int = 0  # outbox rows marked done
    upserted: int = 0
    deleted: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2**attempts, MAX_BACKOFF))


def _claim(session: Session, batch: int) -> list[Outbox]:
    stmt = (
        select(Outbox)
        .where(col(Outbox.done_at).is_(None), Outbox.next_attempt_at <= utcnow())
        .order_by(col(Outbox.id))
        .limit(batch)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(session.exec(stmt))


def _busy_practices(session: Session, ids: list[int]) -> set[int]:
    """Of `ids`, the practices another transaction holds; the others are locked on
    PostgreSQL until this one ends, so no other worker applies them meanwhile.

    SKIP LOCKED never waits: a practice an editor (or another worker) holds is reported busy
    instead, so the sync can neither deadlock with a moderator's transaction nor block it.
    """
    if session.get_bind().dialect.name != "postgresql":
        return set()
    locked = set(session.exec(
        select(Practice.id).where(col(Practice.id).in_(ids)).order_by(col(Practice.id))
        .with_for_update(skip_locked=True)
    ).all())
    missing = [i for i in ids if i not in locked]
    existing = set(session.exec(select(Practice.id).where(col(Practice.id).in_(missing))).all()) if missing else set()
    return {i for i in existing if i is not None}


def sync_once(engine: Engine, index: SearchIndex, batch: int = BATCH) -> SyncReport:
    """Apply one batch of pending outbox rows; returns what happened."""
    report = SyncReport()
    with Session(engine, expire_on_commit=False) as session:
        rows = _claim(session, batch)
        if not rows:
            return report
        ids = sorted({r.practice_id for r in rows})
        busy = _busy_practices(session, ids)
        if busy:  # an editor holds them: their rows wait for the next round, untouched
            rows = [r for r in rows if r.practice_id not in busy]
            ids = [i for i in ids if i not in busy]
            if not rows:
                session.rollback()
                return report
        docs = documents_of(session, ids)  # the published ones, read after the lock
        published = {d["id"] for d in docs}
        gone = [i for i in ids if i not in published]
        try:
            if docs:
                index.upsert(docs)
            if gone:
                index.delete(gone)
        except Exception as exc:  # the engine failed: keep the rows, retry later
            now = utcnow()
            for row in rows:
                row.attempts += 1
                row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                row.next_attempt_at = now + _backoff(row.attempts)
                session.add(row)
            session.commit()
            SYNC_FAILURES.inc(len(rows))
            report.failed = len(rows)
            report.errors.append(rows[0].last_error or "")
            log.warning("search sync failed for %d outbox rows: %s", len(rows), exc)
            return report
        now = utcnow()
        for row in rows:
            row.done_at = now
            session.add(row)
        session.commit()
        report.applied, report.upserted, report.deleted = len(rows), len(docs), len(gone)
        return report


def drain(engine: Engine, index: SearchIndex, batch: int = BATCH) -> SyncReport:
    """Apply every row that is due now (stops at the first failure)."""
    total = SyncReport()
    while True:
        step = sync_once(engine, index, batch)
        total.applied += step.applied
        total.upserted += step.upserted
        total.deleted += step.deleted
        total.failed += step.failed
        total.errors += step.errors
        if step.failed or step.applied == 0:
            return total


def drain_inline(engine: Engine, index: SearchIndex, batch: int = BATCH) -> None:
    """The in-process sync right after a commit; never raises (the rows stay pending)."""
    try:
        with _inline_lock:
            drain(engine, index, batch)
    except Exception:  # a sync failure must never fail the request that wrote the data
        log.exception("inline search sync failed; rows stay in the outbox")


# A rebuild reads every published practice, an outbox batch only the changed ones, but
# documents go into a rebuilt index about ten times faster (local engine: ≈ 10,000/s against
# ≈ 1,000/s by upsert; Meilisearch indexes a fresh index in one task too).
REBUILD_SHARE = 0.1
# Outbox rows per index write after an import: every write rewrites each posting its documents
# touch (the common words' for every batch), so an import's rows go in fewer, larger writes
# (5,000 new practices into 90,000: 2.7 s with batches of BATCH, 2.1 s with 5,000).
BULK_BATCH = 5000


def after_bulk_write(engine: Engine, index: SearchIndex, changed: int) -> None:
    """Bring the index up to date after one transaction changed `changed` practices (an
    import): a rebuild when they are a large share of the catalogue, otherwise the outbox as
    usual. Never raises: on failure the rows stay pending for the next sync."""
    if changed == 0:
        return
    with Session(engine) as session:
        published = session.exec(select(func.count()).select_from(Practice)
                                 .where(Practice.status == Status.published)).one()
    if changed < 1000 or changed < REBUILD_SHARE * published:
        drain_inline(engine, index, BULK_BATCH)
        return
    try:
        reindex(engine, index)
    except Exception:
        log.exception("rebuild after a bulk write failed; rows stay in the outbox")


def follow(
    engine: Engine,
    index: SearchIndex,
    interval: float = 1.0,
    stop: Callable[[], bool] = lambda: False,
    beside: Sequence[Callable[[], int]] = (),
) -> None:
    """Drain forever (the sync worker); a failed round (database restart, deadlock victim) is
    logged and retried, never the end of the worker. `beside`: other outboxes drained in the
    same loop (the mail), each returning how many rows it handled."""
    while not stop():
        busy = 0
        for step in (lambda: drain(engine, index).applied, *beside):
            try:
                busy += step()
            except Exception:
                log.exception("sync round failed; retrying")
        if busy == 0:
            time.sleep(interval)


@dataclass
class OutboxStatus:
    pending: int
    oldest_age: float  # seconds; 0 when nothing is pending
    failing: int  # pending rows that failed at least once


def outbox_status(session: Session) -> OutboxStatus:
    pending, oldest, failing = session.exec(
        select(
            func.count(col(Outbox.id)),
            func.min(Outbox.created_at),
            func.count(col(Outbox.id)).filter(col(Outbox.attempts) > 0),
        ).where(col(Outbox.done_at).is_(None))
    ).one()
    age = 0.0
    if oldest is not None:
        age = max(0.0, (utcnow() - oldest).total_seconds())
    return OutboxStatus(pending=pending or 0, oldest_age=age, failing=failing or 0)


def reindex(engine: Engine, index: SearchIndex, progress: Callable[[int], Any] | None = None) -> int:
    """Rebuild the index from the database with no downtime; rows queued before are done."""
    with Session(engine) as session:
        cutoff = session.exec(select(func.max(Outbox.id))).one() or 0
        started: datetime = utcnow()
    count = index.rebuild(PublishedDocuments(engine), progress=progress)
    with Session(engine) as session:
        session.exec(
            update(Outbox)
            .where(col(Outbox.id) <= cutoff, col(Outbox.done_at).is_(None))
            .values(done_at=started)
        )
        # Changes synced while the new index was being built went to the old one, which
        # the swap discarded: apply them again (versions make a repeat harmless).
        session.exec(
            update(Outbox)
            .where(col(Outbox.id) > cutoff)
            .values(done_at=None, next_attempt_at=started, attempts=0)
        )
        session.commit()
    drain(engine, index)
    return count
