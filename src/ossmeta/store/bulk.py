"""Many-row inserts handed straight to the database driver.

SQLAlchemy's ``connection.execute(insert(table), rows)`` spends about as long preparing
each row's parameters as the database spends storing it; a package's versions and
dependencies are hundreds of rows, written for every package a sync touches. Here the SQL
is built once per (dialect, table, columns), each column's own bind processor converts the
values exactly as SQLAlchemy would (datetimes and booleans on SQLite), and the driver's
``executemany`` gets plain tuples. Only for plain inserts of rows that all have the same
keys.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.engine import Dialect

__all__ = ["bulk_insert"]

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
