"""A practice's unique keys (its address `slug`, the submitter's `tracking_code`), decided by the
database's unique indexes in the write itself, not by a look before it.

A look first still picks the address people expect (`title`, then `title-2`, `title-3`, …). The
write runs in a SAVEPOINT: when another transaction took the same key in between, its unique
index refuses this one, the savepoint alone is rolled back and the next candidate is tried. A few
numbered candidates, then a random suffix: twenty identical titles at the same moment all land.
"""

from __future__ import annotations

import re
import secrets

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from app.catalogue.practices.errors import CatalogueError
from app.db import begin_write
from app.models import Practice

SLUG_LENGTH = 80
ATTEMPTS = 8
NUMBERED = 3  # attempts that take the next free number; the rest add a random suffix
EXHAUSTED = "не удалось подобрать свободный адрес страницы: его одновременно заняли другие практики; отправьте ещё раз"
# How each database names the unique index that refused a write.
_INDEXES = {"ix_practice_slug": "slug", "ix_practice_tracking_code": "tracking_code"}
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: practice\.(\w+)")


def free_slug(session: Session, wanted: str, exclude_id: int | None = None) -> str:
    """`wanted`, or the first of `wanted-2`, `wanted-3`, … that no other practice has now."""
    base = wanted[:SLUG_LENGTH].strip("-") or "practice"
    candidate, n = base, 2
    while True:
        found = session.exec(select(Practice.id).where(Practice.slug == candidate)).first()
        if found is None or found == exclude_id:
            return candidate
        candidate = f"{base[:SLUG_LENGTH - 4]}-{n}"
        n += 1


def random_slug(wanted: str) -> str:
    base = wanted[:SLUG_LENGTH - 7].strip("-") or "practice"
    return f"{base}-{secrets.token_hex(3)}"


def new_tracking_code() -> str:
    return "P-" + secrets.token_hex(4).upper()


def violated_key(exc: IntegrityError) -> str | None:
    """The practice column whose unique index refused the write (`slug`, `tracking_code`), or None
    for any other integrity error."""
    diag = getattr(exc.orig, "diag", None)  # psycopg names the constraint
    name = getattr(diag, "constraint_name", None)
    if name:
        return _INDEXES.get(name)
    match = _SQLITE_UNIQUE.search(str(exc.orig))
    return match.group(1) if match and match.group(1) in _INDEXES.values() else None


def _candidate(session: Session, wanted: str, attempt: int, exclude_id: int | None = None) -> str:
    return free_slug(session, wanted, exclude_id) if attempt < NUMBERED else random_slug(wanted)


def insert_with_unique_slug(session: Session, practice: Practice) -> Practice:
    """Insert the new `practice` (with its themes and awards) under `practice.slug` or the first
    free variant of it, with a fresh tracking code unless it has one nobody else has.

    Raises CatalogueError (field `slug`) if every attempt met a taken address.
    """
    if practice in session:  # its INSERT must happen inside the savepoint below, not in an autoflush
        session.expunge(practice)
    begin_write(session)
    session.flush()  # what the unit of work holds already stays out of the savepoint
    wanted = practice.slug or "practice"
    for attempt in range(ATTEMPTS):
        practice.slug = _candidate(session, wanted, attempt)
        practice.tracking_code = practice.tracking_code or new_tracking_code()
        try:
            with session.begin_nested():
                session.add(practice)
                session.flush()
        except IntegrityError as exc:
            key = violated_key(exc)
            if key is None:
                raise
            if key == "tracking_code":
                practice.tracking_code = new_tracking_code()
            continue
        return practice
    raise CatalogueError([{"field": "slug", "message": EXHAUSTED}])


def change_slug(session: Session, practice: Practice, wanted: str) -> str:
    """Give the stored `practice` the address `wanted`, or the first free variant of it; returns
    the address given. Raises CatalogueError (field `slug`) like `insert_with_unique_slug`."""
    begin_write(session)
    session.flush()
    for attempt in range(ATTEMPTS):
        candidate = _candidate(session, wanted, attempt, exclude_id=practice.id)
        try:
            with session.begin_nested():
                session.exec(
                    update(Practice)
                    .where(col(Practice.id) == practice.id)
                    .values(slug=candidate)
                    .execution_options(synchronize_session=False)
                )
        except IntegrityError as exc:
            if violated_key(exc) != "slug":
                raise
            continue
        set_committed_value(practice, "slug", candidate)
        return candidate
    raise CatalogueError([{"field": "slug", "message": EXHAUSTED}])
