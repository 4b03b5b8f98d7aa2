"""Reading and removing one tenant's rows of a table keyed by one column: the shapes that the
private packages, curations and advisories share (a page after a key, one row by key, every
row among many keys)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Column, Row, Table, delete, select

from ossmeta.store.chunking import chunks
from ossmeta.store.tenancy import Transaction

__all__ = ["delete_keyed", "keyed_page", "rows_among"]


def _mine(table: Table, tenant_id: int) -> Any:
    return table.c.tenant_id == tenant_id


def keyed_page(
    tx: Transaction, table: Table, key: Column[Any], tenant_id: int, *, after: Any, limit: int
) -> Sequence[Row[Any]]:
    """Up to ``limit`` of the tenant's rows whose ``key`` comes after ``after``, in key order."""
    return tx.execute(
        select(table).where(_mine(table, tenant_id), key > after).order_by(key).limit(limit)
    ).all()


def delete_keyed(
    tx: Transaction, table: Table, key: Column[Any], tenant_id: int, value: Any
) -> bool:
    """Remove the tenant's row whose ``key`` is ``value``; whether there was one."""
    return bool(tx.execute(delete(table).where(_mine(table, tenant_id), key == value)).rowcount)


def rows_among(
    tx: Transaction, table: Table, key: Column[Any], tenant_id: int, values: Iterable[Any]
) -> Iterator[Row[Any]]:
    """The tenant's rows whose ``key`` is among ``values`` (asked in chunks)."""
    for part in chunks(sorted(set(values))):
        yield from tx.execute(select(table).where(_mine(table, tenant_id), key.in_(part)))
