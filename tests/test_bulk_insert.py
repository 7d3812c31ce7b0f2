"""`insert_rows`: on PostgreSQL a COPY, on SQLite the driver's executemany; the same rows as
SQLAlchemy's INSERT either way, and a row the database refuses fails the statement (under a
savepoint, nothing of it stays) as SQLAlchemy's IntegrityError."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

import app.bulk_insert as bulk_insert
from app.bulk_insert import insert_rows
from app.catalogue.practices import fields
from app.models import Outbox, OutboxOp, Practice, Status, utcnow
from tests.conftest import practice_data


def practice_row(slug: str, code: str) -> dict[str, Any]:
    now = utcnow()
    return {**fields.column_values(practice_data(outcome_figures=[{"indicator": "Проектов", "value_after": 41}])
                                   .model_dump(mode="python")),
            "slug": slug, "tracking_code": code, "status": Status.published, "version": 1,
            "created_at": now, "updated_at": now, "published_at": now, "synthetic": False}


def test_each_database_takes_its_fast_path(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL (psycopg): COPY; SQLite: the driver's executemany; never SQLAlchemy's insert,
    which prepares every row's parameters in Python."""
    taken: list[tuple[str, str]] = []
    for name in ("_copy", "_executemany"):
        real = getattr(bulk_insert, name)

        def spy(connection: Any, table: Any, columns: Any, rows: Any, name: str = name, real: Any = real) -> None:
            taken.append((name, table.name))
            real(connection, table, columns, rows)

        monkeypatch.setattr(bulk_insert, name, spy)
    insert_rows(session.connection(), Practice, [practice_row("a", "code-a")])
    expected = "_copy" if session.get_bind().dialect.name == "postgresql" else "_executemany"
    assert taken == [(expected, "practice")]
    assert session.exec(select(Practice.slug)).all() == ["a"]


def test_the_same_values_as_an_insert_defaults_included(session: Session) -> None:
    """Outbox rows that leave out the columns with defaults of ours (version, attempts, the
    times): filled as SQLAlchemy's INSERT fills them."""
    connection = session.connection()
    rows = [{"practice_id": n, "op": OutboxOp.upsert} for n in (1, 2)]
    before = utcnow()
    connection.execute(insert(Outbox), rows)
    insert_rows(connection, Outbox, [{**r, "practice_id": r["practice_id"] + 10} for r in rows])
    got = {o.practice_id: o for o in session.exec(select(Outbox))}
    assert sorted(got) == [1, 2, 11, 12]
    for n in (1, 2):
        inserted, written = got[n], got[n + 10]
        assert (written.op, written.version, written.attempts, written.done_at, written.last_error) == \
            (inserted.op, inserted.version, inserted.attempts, inserted.done_at, inserted.last_error)
        assert written.created_at >= before and written.next_attempt_at >= before
        assert written.created_at.tzinfo is not None


def test_json_columns_and_nulls_read_back_as_written(session: Session) -> None:
    row = practice_row("json", "code-json")
    row.update(documents=[{"title": "«Положение» \\ \t \n", "url": "https://example.ru/d.pdf"}], summary=None)
    insert_rows(session.connection(), Practice, [row])
    p = session.exec(select(Practice).where(Practice.slug == "json")).one()
    assert p.documents == row["documents"] and p.summary is None
    assert p.outcome_figures == row["outcome_figures"] and p.status == Status.published


def test_a_row_a_unique_index_refuses_fails_the_whole_statement(session: Session) -> None:
    insert_rows(session.connection(), Practice, [practice_row("taken", "code-1")])
    with pytest.raises(IntegrityError), session.begin_nested():
        insert_rows(session.connection(), Practice, [practice_row("new", "code-2"), practice_row("taken", "code-3")])
    # The savepoint is rolled back and the transaction goes on: nothing of the failed statement.
    insert_rows(session.connection(), Practice, [practice_row("after", "code-4")])
    slugs = session.exec(select(Practice.slug).order_by(col(Practice.slug))).all()
    assert slugs == ["after", "taken"]
    assert session.exec(select(func.count()).select_from(Practice)).one() == 2


def test_no_rows_writes_nothing(session: Session) -> None:
    insert_rows(session.connection(), Practice, [])
    assert session.exec(select(func.count()).select_from(Practice)).one() == 0
