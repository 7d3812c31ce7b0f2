"""Many rows into one table at once: on PostgreSQL `COPY … FROM STDIN`, on SQLite the driver's
`executemany` of one prepared INSERT (with any other driver, SQLAlchemy's executemany).

An executemany of INSERTs through SQLAlchemy prepares every row's parameters in Python on the
way (compiled parameter names, escapes, type processing): on PostgreSQL that was most of an
import's time (100,000 practices: 22 s of 41), on SQLite a fifth of it. COPY streams the rows of
a table in one statement; on SQLite the rows go straight to the driver, whose executemany runs
the one compiled statement per row in C. Either way the rows are the same, converted by the
same column types (JSON by our serializer, enums, UTC timestamps) and completed by the same
column defaults as SQLAlchemy's INSERT would, so every path writes the same values.

A row the database refuses (a unique index, a foreign key) raises SQLAlchemy's
`IntegrityError`; COPY leaves nothing of the statement, an executemany the rows before the
refused one, so callers write under a savepoint and roll it back (as with SQLAlchemy's own
executemany).
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Table, insert, inspect
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError

Row = Mapping[str, Any]


def insert_rows(connection: Connection, model: type[Any], rows: Iterable[Row]) -> None:
    """Insert `rows` (dicts of column name to value, every one with the keys of the first)
    into the table of the mapped class `model`; ids and other server defaults are the
    database's. The rows are taken one by one as they come (a generator's rows are made
    while the database works through the ones sent)."""
    table = inspect(model).local_table
    assert isinstance(table, Table)
    pending = iter(rows)
    first = next(pending, None)
    if first is None:
        return
    rows = itertools.chain([first], pending)
    dialect = connection.dialect
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        _copy(connection, table, _Columns.of(table, first, dialect), rows)
    elif dialect.name == "sqlite" and dialect.driver == "pysqlite":
        _executemany(connection, table, _Columns.of(table, first, dialect), rows)
    else:
        connection.execute(insert(table), list(rows))


@dataclass(frozen=True)
class _Columns:
    """The columns a statement writes and how each row's values become the driver's."""

    given: list[str]  # the rows' own keys
    names: list[str]  # `given`, then the columns filled from our defaults
    fill: list[Any]  # those defaults' values
    convert: list[Callable[[Any], Any] | None]  # per column, the type's conversion

    @classmethod
    def of(cls, table: Table, first: Row, dialect: Dialect) -> _Columns:
        given = list(first)
        # Columns the rows leave out but the INSERT would fill from a default of ours (a status,
        # `utcnow`): the same defaults here, a callable one called once for the statement rather
        # than per row. The rest (ids, server defaults) are the database's.
        defaults = {c.name: _default(c) for c in table.columns if c.name not in first and _has_default(c)}
        names = given + list(defaults)
        return cls(given, names, list(defaults.values()),
                   [_bind_processor(table.columns[name], dialect) for name in names])

    def values(self, rows: Iterable[Row]) -> Iterator[list[Any]]:
        given, fill, convert = self.given, self.fill, self.convert
        for row in rows:
            values = [row[name] for name in given] + fill
            yield [v if f is None else f(v) for f, v in zip(convert, values, strict=True)]


def _copy(connection: Connection, table: Table, columns: _Columns, rows: Iterable[Row]) -> None:
    import psycopg
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(n) for n in columns.names))
    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for values in columns.values(rows):
                copy.write_row(values)
    except psycopg.Error as exc:
        # SQLAlchemy's exception, as its own execute raises: IntegrityError for a unique key
        # or a foreign key, so a caller's `except IntegrityError` holds for every path.
        raise DBAPIError.instance(statement.as_string(driver), None, exc, psycopg.Error,
                                  dialect=connection.dialect) from exc


def _executemany(connection: Connection, table: Table, columns: _Columns, rows: Iterable[Row]) -> None:
    quote = connection.dialect.identifier_preparer.quote
    statement = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in columns.names)}) "
                 f"VALUES ({', '.join('?' for _ in columns.names)})")
    driver = connection.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    cursor = driver.cursor()
    try:
        cursor.executemany(statement, columns.values(rows))
    except sqlite3.Error as exc:
        raise DBAPIError.instance(statement, None, exc, sqlite3.Error, dialect=connection.dialect) from exc
    finally:
        cursor.close()


def _has_default(column: Column[Any]) -> bool:
    return column.default is not None and (column.default.is_scalar or column.default.is_callable)


def _default(column: Column[Any]) -> Any:
    default: Any = column.default
    # A callable default is wrapped by SQLAlchemy to take the execution context; ours ignore it.
    return default.arg(None) if default.is_callable else default.arg


def _bind_processor(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """The conversion SQLAlchemy applies to a value of `column` before handing it to the driver."""
    return column.type.dialect_impl(dialect).bind_processor(dialect)
