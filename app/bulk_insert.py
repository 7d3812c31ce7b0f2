"""Many rows into one table at once: a multi-row INSERT, or on PostgreSQL `COPY … FROM STDIN`.

An executemany of INSERTs, even pipelined by psycopg, is still one statement per row for the
server to execute and answer, and SQLAlchemy prepares every row's parameters on the way: on
PostgreSQL that was most of an import's time (100,000 practices: 22 s of 41). COPY streams
the rows of a table in one statement; the rows are the same, converted by the same column
types (JSON by our serializer, enums, UTC timestamps) and completed by the same column
defaults as the INSERT would, so both paths write the same values.

COPY fails whole, as a multi-row INSERT does: a unique index (or a foreign key) refusing one
row raises SQLAlchemy's `IntegrityError` and leaves nothing of the statement, so callers
handle both paths alike (under a savepoint).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import Column, Table, insert, inspect
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError

Row = Mapping[str, Any]


def insert_rows(connection: Connection, model: type[Any], rows: Iterable[Row]) -> None:
    """Insert `rows` (dicts of column name to value, every one with the keys of the first)
    into the table of the mapped class `model`; ids and other server defaults are the
    database's. A COPY takes the rows one by one as they come (a generator's rows are made
    while the server works through the ones sent)."""
    table = inspect(model).local_table
    assert isinstance(table, Table)
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        _copy(connection, table, rows)
    elif values := list(rows):
        connection.execute(insert(table), values)


def _copy(connection: Connection, table: Table, rows: Iterable[Row]) -> None:
    import psycopg
    from psycopg import sql

    pending = iter(rows)
    first = next(pending, None)
    if first is None:
        return
    given = list(first)
    # Columns the rows leave out but the INSERT would fill from a default of ours (a status,
    # `utcnow`): the same defaults here, a callable one called once for the statement rather
    # than per row. The rest (ids, server defaults) are the server's.
    defaults = {c.name: _default(c) for c in table.columns if c.name not in first and _has_default(c)}
    names = given + list(defaults)
    convert = [_bind_processor(table.columns[name], connection.dialect) for name in names]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(n) for n in names))
    fill = list(defaults.values())
    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in itertools.chain([first], pending):
                values = [row[name] for name in given] + fill
                copy.write_row([v if f is None else f(v) for f, v in zip(convert, values, strict=True)])
    except psycopg.Error as exc:
        # SQLAlchemy's exception, as its own execute raises: IntegrityError for a unique key
        # or a foreign key, so a caller's `except IntegrityError` holds for both paths.
        raise DBAPIError.instance(statement.as_string(driver), None, exc, psycopg.Error,
                                  dialect=connection.dialect) from exc


def _has_default(column: Column[Any]) -> bool:
    return column.default is not None and (column.default.is_scalar or column.default.is_callable)


def _default(column: Column[Any]) -> Any:
    default: Any = column.default
    # A callable default is wrapped by SQLAlchemy to take the execution context; ours ignore it.
    return default.arg(None) if default.is_callable else default.arg


def _bind_processor(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """The conversion SQLAlchemy applies to a value of `column` before handing it to the driver."""
    return column.type.dialect_impl(dialect).bind_processor(dialect)
