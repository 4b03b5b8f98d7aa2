"""Many-row inserts handed straight to the database driver.

SQLAlchemy's ``connection.execute(insert(table), rows)`` spends about as long preparing
each row's parameters as the database spends storing it; a package's versions and
dependencies are hundreds of rows, written for every package a sync touches. Here the SQL
is built once per (dialect, table, columns), each column's own bind processor converts the
values exactly as SQLAlchemy would (datetimes and booleans on SQLite), and the driver's
``executemany`` gets plain tuples. Only for plain inserts of rows that all have the same
keys.

``bulk_copy`` goes further on PostgreSQL: the rows stream through ``COPY ... FROM STDIN``,
one command instead of a statement per row (psycopg's executemany pipelines them, but
still pays a round of parsing and binding for each). Not for tables under row-level
security, which refuse COPY.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.engine import Dialect

__all__ = ["bulk_copy", "bulk_insert"]

_Processor = Callable[[Any], Any] | None


@lru_cache(maxsize=64)
def _prepared(
    dialect: Dialect, table: Table, columns: tuple[str, ...]
) -> tuple[str, tuple[_Processor, ...]]:
    preparer = dialect.identifier_preparer
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(preparer.quote(c) for c in columns)
    places = ", ".join(marker for _ in columns)
    sql = f"INSERT INTO {preparer.format_table(table)} ({names}) VALUES ({places})"
    processors = tuple(table.c[c].type._cached_bind_processor(dialect) for c in columns)
    return sql, processors


def bulk_insert(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys, in the same order) in one executemany."""
    if not rows:
        return
    columns = tuple(rows[0])
    sql, processors = _prepared(connection.dialect, table, columns)
    if any(processors):
        params = [
            tuple(
                p(v) if p is not None and v is not None else v
                for p, v in zip(processors, row.values(), strict=True)
            )
            for row in rows
        ]
    else:
        params = [tuple(row.values()) for row in rows]
    connection.exec_driver_sql(sql, params)


def bulk_copy(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """``bulk_insert`` through COPY on PostgreSQL with psycopg; ``bulk_insert`` elsewhere."""
    if not rows:
        return
    dialect = connection.dialect
    if dialect.name != "postgresql" or dialect.driver != "psycopg":
        bulk_insert(connection, table, rows)
        return
    preparer = dialect.identifier_preparer
    names = ", ".join(preparer.quote(c) for c in rows[0])
    sql = f"COPY {preparer.format_table(table)} ({names}) FROM STDIN"
    # The DBAPI connection of this very transaction: the rows commit or roll back with it.
    cursor: Any = connection.connection.cursor()  # a psycopg cursor: it has ``copy``
    try:
        with cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(tuple(row.values()))
    finally:
        cursor.close()
