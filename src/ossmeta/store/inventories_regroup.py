"""What a change of a tenant's private alias links re-evaluates: a private record's aliases
join public alias groups inside its tenant (``ossmeta.store.private_lookup``), so a record
whose aliases change regroups the findings of every package of the records in the groups
it joined or left. The service works out those groups; this module reads the aliases
before and after, and the packages of the records of the groups."""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import select

from ossmeta.store.chunking import chunks
from ossmeta.store.schema import affected, private_advisories, private_affected
from ossmeta.store.tenancy import Transaction

__all__ = ["packages_of_advisories", "private_aliases"]


def private_aliases(
    tx: Transaction, tenant_id: int, ids: Iterable[str] | None = None
) -> dict[str, tuple[str, ...]]:
    """The tenant's private records (of ``ids``; None: all) -> their aliases."""
    query = select(private_advisories.c.id, private_advisories.c.aliases).where(
        private_advisories.c.tenant_id == tenant_id
    )
    if ids is None:
        return {row.id: tuple(json.loads(row.aliases)) for row in tx.execute(query)}
    out: dict[str, tuple[str, ...]] = {}
    for part in chunks(sorted(set(ids))):
        rows = tx.execute(query.where(private_advisories.c.id.in_(part)))
        out.update((row.id, tuple(json.loads(row.aliases))) for row in rows)
    return out


def packages_of_advisories(
    tx: Transaction, tenant_id: int, ids: Iterable[str]
) -> set[tuple[str, str]]:
    """(ecosystem, name) of the packages that the public records and the tenant's private
    records of ``ids`` affect."""
    found: set[tuple[str, str]] = set()
    for part in chunks(sorted(set(ids))):
        public = select(affected.c.ecosystem, affected.c.name).where(
            affected.c.advisory_id.in_(part)
        )
        private = select(private_affected.c.ecosystem, private_affected.c.name).where(
            (private_affected.c.tenant_id == tenant_id) & private_affected.c.advisory_id.in_(part)
        )
        found.update((e, n) for e, n in tx.execute(public))
        found.update((e, n) for e, n in tx.execute(private))
    return found
