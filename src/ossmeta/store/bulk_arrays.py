"""Many-row writes in one statement on PostgreSQL: every column's values go as one array
parameter and ``unnest`` turns them back into rows (``INSERT ... SELECT FROM unnest``,
``UPDATE ... FROM unnest``). One statement, one plan and one round trip for thousands of
rows, where an executemany sends a statement per row; row-level security applies as to
any INSERT (COPY is refused on such tables). Elsewhere (SQLite) the same calls are one
executemany (``ossmeta.store.bulk``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, update

from ossmeta.store.bulk import bulk_insert
from ossmeta.store.tenancy import Transaction

__all__ = ["insert_rows", "update_rows"]


def _array_type(tx: Transaction, table: Table, column: str) -> str:
    return f"{table.c[column].type.compile(dialect=tx.dialect)}[]"


def insert_rows(tx: Transaction, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys in the same order)."""
    if not rows:
        return
    if tx.dialect.name != "postgresql":
        bulk_insert(tx, table, rows)
        return
    columns = list(rows[0])
    quote = tx.dialect.identifier_preparer.quote
    arrays = ", ".join(f"%s::{_array_type(tx, table, c)}" for c in columns)
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"SELECT * FROM unnest({arrays})"
    )
    tx.exec_driver_sql(sql, tuple([row[c] for row in rows] for c in columns))


def update_rows(
    tx: Transaction, table: Table, key: str, rows: Sequence[dict[str, Any]], *, tenant_id: int
) -> None:
    """Set the other columns of each row where ``key`` (and the tenant) match."""
    if not rows:
        return
    columns = [c for c in rows[0] if c != key]
    if tx.dialect.name != "postgresql":
        tx.execute(
            update(table)
            .where((table.c.tenant_id == tenant_id) & (table.c[key] == bindparam(f"b_{key}")))
            .values({c: bindparam(f"b_{c}") for c in columns}),
            [{f"b_{k}": v for k, v in row.items()} for row in rows],
        )
        return
    quote = tx.dialect.identifier_preparer.quote
    names = [key, *columns]
    arrays = ", ".join(f"%s::{_array_type(tx, table, c)}" for c in names)
    sets = ", ".join(f"{quote(c)} = v.{quote(c)}" for c in columns)
    sql = (
        f"UPDATE {quote(table.name)} AS t SET {sets} "
        f"FROM unnest({arrays}) AS v({', '.join(quote(c) for c in names)}) "
        f"WHERE t.{quote(key)} = v.{quote(key)} AND t.tenant_id = %s"
    )
    tx.exec_driver_sql(sql, (*([row[c] for row in rows] for c in names), tenant_id))
