"""Many new practices at once (imports): the rows `service.create_practice` writes one by one,
written a chunk at a time with multi-row inserts.

For every practice the same rows as the single path: the practice, its themes and awards,
the audit entry, and for a published one the outbox row (search index) and the change-log row
(mirrors). The database keeps addresses and tracking codes unique: a chunk goes in under a
savepoint; if a concurrent writer took one of its addresses meanwhile, the chunk is written
again card by card and the cards in conflict are handed back to the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.bulk_insert import insert_rows
from app.catalogue.practices import fields
from app.catalogue.practices.schemas import PracticeIn
from app.catalogue.practices.unique import new_tracking_code
from app.db import mark_outbox_written, one_of
from app.models import AuditLog, Award, ChangeLog, Outbox, OutboxOp, Practice, PracticeTheme, Status, utcnow

CHUNK = 2000


class NewCard(NamedTuple):
    """A checked card and what the import decided for it: its address and status."""

    card: PracticeIn
    slug: str
    status: Status


def create_many(
    session: Session,
    cards: Sequence[NewCard],
    actor: str,
    progress: Callable[[int], Any] | None = None,
) -> list[NewCard]:
    """Create `cards` (checked; none of their addresses taken when they were read). Returns
    the cards whose address another transaction took meanwhile: they were not written, and
    the caller decides (an import updates the practice that now has the address). Flushes,
    never commits."""
    taken: list[NewCard] = []
    done = 0
    for start in range(0, len(cards), CHUNK):
        chunk = cards[start:start + CHUNK]
        try:
            with session.begin_nested():
                _insert_chunk(session, chunk, actor)
        except IntegrityError:
            # A concurrent writer took an address (or, rarely, a tracking code) since it was
            # read: the chunk again one card at a time, so only the cards in conflict are left.
            for new in chunk:
                try:
                    with session.begin_nested():
                        _insert_chunk(session, [new], actor)
                except IntegrityError:
                    taken.append(new)
        done += len(chunk)
        if progress:
            progress(done)
    return taken


def _tracking_codes(session: Session, count: int) -> list[str]:
    """`count` distinct tracking codes no practice has now (the unique index has the last word)."""
    codes: set[str] = set()
    while len(codes) < count:
        wanted = {new_tracking_code() for _ in range(count - len(codes))} - codes
        taken = set(session.exec(select(Practice.tracking_code).where(one_of(session, col(Practice.tracking_code),
                                                                            list(wanted)))))
        codes |= wanted - taken
    return list(codes)


def _insert_chunk(session: Session, cards: Sequence[NewCard], actor: str) -> None:
    now = utcnow()
    codes = _tracking_codes(session, len(cards))
    # A generator: a COPY sends each row as it is made, so PostgreSQL works through the rows
    # sent while the next ones are made (the card's values are most of this process's work).
    rows = ({
        **fields.column_values(card.model_dump(mode="python")),
        "slug": slug, "tracking_code": code, "status": status, "version": 1,
        "created_at": now, "updated_at": now, "published_at": now if status == Status.published else None,
        "synthetic": False,
    } for (card, slug, status), code in zip(cards, codes, strict=True))
    # Core on the session's connection (the ORM's bulk path costs more than the insert), and
    # on PostgreSQL COPY (`insert_rows`). The ids are read back by address: COPY returns
    # nothing, and RETURNING in parameter order makes SQLite insert row by row.
    db = session.connection()
    insert_rows(db, Practice, rows)
    slugs = [new.slug for new in cards]
    by_slug = dict(db.execute(select(col(Practice.slug), col(Practice.id))
                              .where(one_of(session, col(Practice.slug), slugs))).all())
    ids = [by_slug[slug] for slug in slugs]
    themes = [{"practice_id": pid, "theme_slug": theme} for pid, new in zip(ids, cards, strict=True)
              for theme in dict.fromkeys(new.card.themes)]
    awards = [{"practice_id": pid, "competition_slug": a.competition, "year": a.year, "nomination_slug": a.nomination,
               "category": a.category, "place": a.place, "prize": a.prize, "source_url": a.source_url}
              for pid, new in zip(ids, cards, strict=True) for a in new.card.awards]
    audit = [{"practice_id": pid, "actor": actor, "action": "create", "changes": {"status": new.status.value}, "at": now}
             for pid, new in zip(ids, cards, strict=True)]
    public = [(pid, new.slug) for pid, new in zip(ids, cards, strict=True) if new.status == Status.published]
    insert_rows(db, PracticeTheme, themes)
    insert_rows(db, Award, awards)
    insert_rows(db, AuditLog, audit)
    if public:
        insert_rows(db, Outbox, [{"practice_id": pid, "op": OutboxOp.upsert, "version": 1, "created_at": now,
                                  "next_attempt_at": now, "attempts": 0} for pid, _ in public])
        insert_rows(db, ChangeLog, [{"practice_id": pid, "slug": slug, "kind": OutboxOp.upsert.value, "at": now}
                                    for pid, slug in public])
        mark_outbox_written(session)
