"""A tenant's private packages (its own purls, never looked up upstream) and private
curations (licence and repository corrections that apply only in its component join).
Every function takes the tenant's open transaction and filters on the tenant too."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select

from ossmeta.store.schema import private_curations, private_packages
from ossmeta.store.tenancy import Transaction
from ossmeta.store.tenant_rows import delete_keyed, keyed_page, rows_among
from ossmeta.times import as_utc

__all__ = [
    "CURATED_FIELDS",
    "PrivateCuration",
    "PrivatePackage",
    "curations_for",
    "delete_private_curation",
    "delete_private_package",
    "find_private_package",
    "list_private_curations",
    "list_private_packages",
    "packages_for",
    "put_private_curation",
    "put_private_package",
]

#: The fields a private curation may correct.
CURATED_FIELDS = ("license", "repository")


@dataclass(frozen=True)
class PrivatePackage:
    id: int
    purl: str
    ecosystem: str
    name: str
    description: str | None
    license: str | None
    repository: str | None
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class PrivateCuration:
    id: int
    purl: str
    field: str
    value: str
    reason: str
    author: str
    created_at: datetime


def _at(value: datetime) -> datetime:
    converted = as_utc(value)
    assert converted is not None
    return converted


def _package(row: Any) -> PrivatePackage:
    return PrivatePackage(
        row.id,
        row.purl,
        row.ecosystem,
        row.name,
        row.description,
        row.license,
        row.repository,
        _at(row.created_at),
        row.created_by,
    )


def _curation(row: Any) -> PrivateCuration:
    return PrivateCuration(
        row.id, row.purl, row.field, row.value, row.reason, row.author, _at(row.created_at)
    )


# ------------------------------------------------------------------ packages


def find_private_package(tx: Transaction, tenant_id: int, purl: str) -> PrivatePackage | None:
    row = tx.execute(
        select(private_packages).where(
            private_packages.c.tenant_id == tenant_id, private_packages.c.purl == purl
        )
    ).first()
    return None if row is None else _package(row)


def put_private_package(
    tx: Transaction, tenant_id: int, values: dict[str, Any]
) -> tuple[PrivatePackage, bool]:
    """Register a package (or replace its metadata); True when it is new."""
    existing = find_private_package(tx, tenant_id, values["purl"])
    if existing is not None:
        tx.execute(
            private_packages.update()
            .where(private_packages.c.id == existing.id, private_packages.c.tenant_id == tenant_id)
            .values(
                description=values.get("description"),
                license=values.get("license"),
                repository=values.get("repository"),
            )
        )
    else:
        tx.execute(insert(private_packages).values(tenant_id=tenant_id, **values))
    found = find_private_package(tx, tenant_id, values["purl"])
    assert found is not None
    return found, existing is None


def delete_private_package(tx: Transaction, tenant_id: int, purl: str) -> bool:
    return delete_keyed(tx, private_packages, private_packages.c.purl, tenant_id, purl)


def list_private_packages(
    tx: Transaction, tenant_id: int, *, after: str, limit: int
) -> list[PrivatePackage]:
    rows = keyed_page(
        tx, private_packages, private_packages.c.purl, tenant_id, after=after, limit=limit
    )
    return [_package(row) for row in rows]


def packages_for(
    tx: Transaction, tenant_id: int, purls: Iterable[str]
) -> dict[str, PrivatePackage]:
    """The tenant's private packages among ``purls`` (canonical, without versions)."""
    among = rows_among(tx, private_packages, private_packages.c.purl, tenant_id, purls)
    return {row.purl: _package(row) for row in among}


# ------------------------------------------------------------------ curations


def put_private_curation(
    tx: Transaction, tenant_id: int, values: dict[str, Any]
) -> tuple[PrivateCuration, bool]:
    """Record a correction of one field of one package (replacing the tenant's earlier
    one of that field); True when there was none."""
    where = (
        private_curations.c.tenant_id == tenant_id,
        private_curations.c.purl == values["purl"],
        private_curations.c.field == values["field"],
    )
    removed = tx.execute(delete(private_curations).where(*where)).rowcount
    tx.execute(insert(private_curations).values(tenant_id=tenant_id, **values))
    row = tx.execute(select(private_curations).where(*where)).one()
    return _curation(row), not removed


def delete_private_curation(tx: Transaction, tenant_id: int, curation_id: int) -> bool:
    return delete_keyed(tx, private_curations, private_curations.c.id, tenant_id, curation_id)


def list_private_curations(
    tx: Transaction, tenant_id: int, *, after: int, limit: int
) -> list[PrivateCuration]:
    rows = keyed_page(
        tx, private_curations, private_curations.c.id, tenant_id, after=after, limit=limit
    )
    return [_curation(row) for row in rows]


def curations_for(
    tx: Transaction, tenant_id: int, purls: Iterable[str]
) -> dict[str, dict[str, PrivateCuration]]:
    """purl -> field -> the tenant's correction, for the packages among ``purls``."""
    out: dict[str, dict[str, PrivateCuration]] = {}
    for row in rows_among(tx, private_curations, private_curations.c.purl, tenant_id, purls):
        out.setdefault(row.purl, {})[row.field] = _curation(row)
    return out
