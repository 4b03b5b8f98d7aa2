"""The package indexes ossmeta serves (migration 0011): name, ecosystem, upstream and the
policy that gates them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select

from ossmeta.store.schema import package_indexes
from ossmeta.store.tenancy import Transaction
from ossmeta.times import as_utc

__all__ = ["IndexDefinition", "insert_index", "list_indexes", "load_index"]


@dataclass(frozen=True)
class IndexDefinition:
    name: str
    ecosystem: str  # pypi | npm
    upstream: str  # base URL: a PEP 691 simple root (…/simple/) or an npm registry root
    policy: str | None
    created_at: datetime
    created_by: str


def _utc(value: datetime) -> datetime:
    stamped = as_utc(value)
    assert stamped is not None  # the column is NOT NULL
    return stamped


def _definition(row: object) -> IndexDefinition:
    return IndexDefinition(
        name=row.name,  # type: ignore[attr-defined]
        ecosystem=row.ecosystem,  # type: ignore[attr-defined]
        upstream=row.upstream,  # type: ignore[attr-defined]
        policy=row.policy,  # type: ignore[attr-defined]
        created_at=_utc(row.created_at),  # type: ignore[attr-defined]
        created_by=row.created_by,  # type: ignore[attr-defined]
    )


def load_index(tx: Transaction, name: str) -> IndexDefinition | None:
    row = tx.execute(select(package_indexes).where(package_indexes.c.name == name)).first()
    return None if row is None else _definition(row)


def list_indexes(tx: Transaction) -> list[IndexDefinition]:
    rows = tx.execute(select(package_indexes).order_by(package_indexes.c.name))
    return [_definition(row) for row in rows]


def insert_index(tx: Transaction, definition: IndexDefinition) -> None:
    tx.execute(
        insert(package_indexes),
        {
            "name": definition.name,
            "ecosystem": definition.ecosystem,
            "upstream": definition.upstream,
            "policy": definition.policy,
            "created_at": definition.created_at,
            "created_by": definition.created_by,
        },
    )
