"""Reads of the change log (`/api/v1/changes`): which changes a mirror may be given, safely.

A mirror starts with no cursor (everything since the beginning), applies each change in order
(`upsert`: store the card by id; `delete`: remove the id) and passes `next_cursor` as `since`
next time. Several changes of one practice within a page are collapsed into its current state.

The horizon. A cursor must never move past a change that is not yet visible, or a mirror would
skip it for ever. `seq` comes from a sequence, and sequence values are handed out at insert
time but committed in any order, so "seq > cursor" alone can miss a late commit:

- SQLite has one writer at a time and assigns rowids at insert inside that writer's
  transaction, so every visible seq is final: the horizon is the highest visible seq.
- PostgreSQL: we hold the cursor back below any seq that may still be in flight, without a
  time window (a long import could outlast any window). `nextval` takes a RowExclusiveLock on
  the sequence that is held until its transaction ends, so:
    1. read `last` = the last value the sequence has handed out (non-transactional);
    2. look in pg_locks for other transactions holding a lock on the sequence;
    3. if there are none, every seq <= `last` is committed (and visible to the next
       statement) or rolled back for ever: horizon = `last`;
       otherwise an in-flight seq can only be a gap among the visible seqs, so the horizon is
       the end of the unbroken run of visible seqs after the cursor.
  Steps 1 and 2 must run in that order: a transaction holding a seq <= `last` either still
  holds its lock at step 2 or has committed before the rows are read. A gap left by a
  rollback holds the cursor only while other writers are in flight; the next quiet moment
  releases it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, text
from sqlmodel import Session, col, func, select

from app.catalogue.practices import queries
from app.models import ChangeLog, Practice, Status


@dataclass
class ChangeEntry:
    """One practice's latest change: its current card when it is published, a tombstone otherwise."""

    seq: int
    practice_id: int
    slug: str
    practice: Practice | None  # None: delete


def horizon(session: Session, cursor: int, limit: int) -> int:
    """The highest seq below which no change can still appear (see the module docstring)."""
    if session.get_bind().dialect.name != "postgresql":
        return session.exec(select(func.max(ChangeLog.seq))).one() or 0
    last = session.connection().execute(
        text("SELECT pg_sequence_last_value(pg_get_serial_sequence('change_log', 'seq')::regclass)")
    ).scalar()
    if last is None:  # nothing was ever handed out
        return 0
    in_flight = session.connection().execute(
        text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'relation' "
            "AND relation = pg_get_serial_sequence('change_log', 'seq')::regclass "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND pid <> pg_backend_pid()"
        )
    ).scalar()
    if not in_flight:
        return int(last)
    if cursor >= last:
        return int(last)
    starts = session.exec(select(exists().where(col(ChangeLog.seq) == cursor + 1))).one()
    if not starts:
        return cursor
    end = min(int(last), cursor + limit)  # a page never needs more than `limit` seqs
    first_missing_next = session.connection().execute(
        text(
            "SELECT min(c.seq) FROM change_log c WHERE c.seq >= :start AND c.seq < :end "
            "AND NOT EXISTS (SELECT 1 FROM change_log d WHERE d.seq = c.seq + 1)"
        ),
        {"start": cursor + 1, "end": end},
    ).scalar()
    return int(first_missing_next) if first_missing_next is not None else end


def changes_since(session: Session, cursor: int, limit: int) -> tuple[list[ChangeEntry], int, bool]:
    """Changes after `cursor` up to the horizon: (collapsed changes, next cursor, more to come)."""
    top = horizon(session, cursor, limit)
    rows = list(
        session.exec(
            select(ChangeLog)
            .where(col(ChangeLog.seq) > cursor, col(ChangeLog.seq) <= top)
            .order_by(col(ChangeLog.seq))
            .limit(limit)
        )
    )
    latest: dict[int, ChangeLog] = {}
    for row in rows:
        latest.pop(row.practice_id, None)  # re-insert: dict order becomes the order of latest changes
        latest[row.practice_id] = row
    practices = queries.by_ids(session, list(latest)) if latest else {}
    changes = []
    for practice_id, row in latest.items():
        practice = practices.get(practice_id)
        # The current state wins over the logged kind: a later change is replayed again anyway.
        if practice is not None and practice.status == Status.published:
            changes.append(ChangeEntry(row.seq or 0, practice_id, practice.slug, practice))
        else:
            slug = practice.slug if practice is not None else row.slug
            changes.append(ChangeEntry(row.seq or 0, practice_id, slug, None))
    full = len(rows) == limit
    next_cursor = (rows[-1].seq or cursor) if full else max(cursor, top)
    more = full and session.exec(
        select(exists().where(col(ChangeLog.seq) > next_cursor, col(ChangeLog.seq) <= top))
    ).one()
    return changes, next_cursor, bool(more)


def public_span(session: Session) -> tuple[datetime | None, datetime | None]:
    """When the first public change happened and when the latest did (publications, edits and
    withdrawals alike): the open data set's first publication and its version."""
    first, last = session.exec(select(func.min(ChangeLog.at), func.max(ChangeLog.at))).one()
    return first, last
