"""Database engine and the per-request session (commit once per request)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import orjson
from sqlalchemy import String, any_, bindparam, event, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, create_engine

from app.settings import Settings, get_settings

# Row ids are INTEGER columns: 32-bit signed on PostgreSQL (SQLite's go to 64 bits, but never
# past this without two billion rows). A larger number from a URL names no row, and the drivers
# refuse to send it (a 500 before this check).
MAX_ROW_ID = 2**31 - 1


def is_row_id(value: int) -> bool:
    """Whether `value` could be a row's id (so it may be looked up at all)."""
    return 1 <= value <= MAX_ROW_ID


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _json_text(value: object) -> str:
    # JSON columns (figures, documents, audit details) written by orjson: several times faster
    # than the standard encoder on bulk imports, and UTF-8 text rather than \u escapes.
    return orjson.dumps(value).decode()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               json_serializer=_json_text)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
            # SQLite's own lower() folds ASCII only; the moderation queue's text filter
            # compares lower(title) with Cyrillic text.
            dbapi_conn.create_function("lower", 1, _lower, deterministic=True)

        return engine
    return create_engine(url, pool_pre_ping=True, json_serializer=_json_text)


def get_engine(settings: Settings | None = None) -> Engine:
    """A new engine (connection pool) for the settings' database; its owner disposes of it."""
    settings = settings or get_settings()
    if settings.resolved_database_url.startswith("sqlite"):
        settings.ensure_data_dir()
    return make_engine(settings.resolved_database_url)


def mark_outbox_written(session: Session) -> None:
    """Services call this when they add outbox rows, so the commit can trigger a sync."""
    session.info["outbox_written"] = True


def commit(session: Session, after_outbox: Callable[[], object] | None = None) -> None:
    """Commit; if the unit of work wrote outbox rows, run `after_outbox` (the inline search sync).

    The sync runs after the commit, so a search-engine failure can never undo the write.
    """
    session.commit()
    if session.info.pop("outbox_written", False) and after_outbox is not None:
        after_outbox()


@contextmanager
def session_scope(engine: Engine, after_outbox: Callable[[], object] | None = None) -> Iterator[Session]:
    """A unit of work for CLI and background code: commit on success, roll back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            commit(session, after_outbox)
        except BaseException:
            session.rollback()
            raise


def begin_write(session: Session) -> None:
    """Make the unit of work a writer now, not at its first INSERT.

    On SQLite this takes the database's single write lock until the commit: what the unit of
    work reads from here on cannot be changed by anyone else before it commits, and a SAVEPOINT
    opened later is nested in a real transaction (pysqlite opens one only before a data change,
    and a SAVEPOINT outside a transaction commits on its release). PostgreSQL needs nothing:
    its unique indexes and row locks decide between concurrent writers.
    """
    if session.get_bind().dialect.name == "sqlite":
        # A data change that matches no row: pysqlite opens the transaction, SQLite the lock.
        session.execute(text("UPDATE practice SET id = id WHERE 0 = 1"))


def one_of(session: Session, column: Mapped[str], values: Sequence[str]) -> ColumnElement[bool]:
    """`column IN (values)`; on PostgreSQL `column = ANY(array)`, one parameter however many
    values. An IN list is one parameter per value, and psycopg converts a query that long anew
    each time (it caches only short ones): about 10 ms of CPU for 2,000 addresses against
    2–4 ms, paid by an import for every chunk it checks and reads back."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(String)))
    return column.in_(values)
