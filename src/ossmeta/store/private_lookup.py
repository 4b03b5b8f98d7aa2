"""The advisories one tenant's inventories are matched against: the public ones and the
tenant's private ones, behind ``AdvisoryLookup``'s interface. A private record whose id is
also a public id stands in for the public record inside the tenant, and the tenant's
private packages are matched against its private advisories only (a public package of the
same name is another package). Private rows are read
in the tenant's transaction only, so on PostgreSQL the row-level policy agrees."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, func, select

from ossmeta.ecosystems import base_ecosystem, name_key
from ossmeta.model import UNKNOWN_SEVERITY
from ossmeta.store.chunking import chunks
from ossmeta.store.engine import Store
from ossmeta.store.lookup import (
    AdvisoryLookup,
    ShownAdvisory,
    StoredAdvisory,
    StoredAffected,
    _severity,
    stored_affected,
)
from ossmeta.store.private_advisories import find_private_advisory
from ossmeta.store.schema import private_advisories, private_affected, private_packages
from ossmeta.store.tenancy import tenant_transaction
from ossmeta.times import as_utc

__all__ = ["PRIVATE_SOURCE", "TenantAdvisoryLookup"]

#: What ``show`` names as the source of a private record.
PRIVATE_SOURCE = "private"


class TenantAdvisoryLookup(AdvisoryLookup):
    def __init__(self, store: Store, tenant_id: int) -> None:
        super().__init__(store)
        self.tenant_id = tenant_id
        self._aliases: dict[str, tuple[str, ...]] | None = None

    # -------------------------------------------------------------- the tenant's records

    def _private_aliases(self) -> dict[str, tuple[str, ...]]:
        """Each private record that is not withdrawn -> its aliases (read once)."""
        if self._aliases is None:
            with tenant_transaction(self.store, self.tenant_id) as tx:
                rows = tx.execute(
                    select(private_advisories.c.id, private_advisories.c.aliases).where(
                        private_advisories.c.tenant_id == self.tenant_id,
                        private_advisories.c.withdrawn.is_(None),
                    )
                ).all()
            self._aliases = {row.id: tuple(json.loads(row.aliases)) for row in rows}
        return self._aliases

    def _own_packages(self) -> set[tuple[str, str]]:
        """(base ecosystem, name key) of the tenant's private packages: public advisories
        about a public package of the same name are not about them."""
        with tenant_transaction(self.store, self.tenant_id) as tx:
            rows = tx.execute(
                select(private_packages.c.ecosystem, private_packages.c.name).where(
                    private_packages.c.tenant_id == self.tenant_id
                )
            ).all()
        keys = set()
        for ecosystem, name in rows:
            base = base_ecosystem(ecosystem)
            keys.add((base, name_key(base, name)))
        return keys

    def _private_ids(self) -> set[str]:
        """Every private id of the tenant, withdrawn ones included (they hide the public
        record of their id too: the tenant said it is not a vulnerability for it)."""
        with tenant_transaction(self.store, self.tenant_id) as tx:
            return set(
                tx.execute(
                    select(private_advisories.c.id).where(
                        private_advisories.c.tenant_id == self.tenant_id
                    )
                ).scalars()
            )

    # -------------------------------------------------------------- AdvisoryLookup

    def count(self) -> int:
        with tenant_transaction(self.store, self.tenant_id) as tx:
            mine = tx.execute(
                select(func.count())
                .select_from(private_advisories)
                .where(private_advisories.c.tenant_id == self.tenant_id)
            ).scalar_one()
        return super().count() + int(mine)

    def affected_for(
        self, keys: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], list[StoredAffected]]:
        wanted = sorted(set(keys))
        found = super().affected_for(wanted)
        for key in self._own_packages():
            found.pop(key, None)
        own = self._private_ids()
        if not own:
            return found
        for key in list(found):
            kept = [entry for entry in found[key] if entry.advisory_id not in own]
            if kept:
                found[key] = kept
            else:
                del found[key]
        by_ecosystem: dict[str, list[str]] = defaultdict(list)
        for ecosystem, name in wanted:
            by_ecosystem[ecosystem].append(name)
        rows: list[Row[Any]] = []
        with tenant_transaction(self.store, self.tenant_id) as tx:
            for ecosystem, names in by_ecosystem.items():
                for part in chunks(names):
                    rows.extend(
                        tx.execute(
                            select(private_affected)
                            .join(
                                private_advisories,
                                and_(
                                    private_advisories.c.tenant_id == private_affected.c.tenant_id,
                                    private_advisories.c.id == private_affected.c.advisory_id,
                                ),
                            )
                            .where(
                                private_affected.c.tenant_id == self.tenant_id,
                                private_affected.c.ecosystem == ecosystem,
                                private_affected.c.name_key.in_(part),
                                private_advisories.c.withdrawn.is_(None),
                            )
                            .order_by(private_affected.c.advisory_id, private_affected.c.id)
                        ).all()
                    )
        for row in rows:
            found[(row.ecosystem, row.name_key)].append(stored_affected(row))
        return found

    def groups_for(self, ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """Public alias groups joined by the private records' aliases: a private record
        naming a CVE joins that CVE's group, inside this tenant only."""
        wanted = sorted(set(ids))
        edges = self._private_aliases()
        if not edges:
            return super().groups_for(wanted)
        nodes = set(wanted) | set(edges) | {a for aliases in edges.values() for a in aliases}
        public = super().groups_for(nodes)
        parent: dict[str, str] = {}

        def find(x: str) -> str:
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        def union(a: str, b: str) -> None:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)

        for node, group in public.items():
            for member in group:
                union(node, member)
        for advisory_id, aliases in edges.items():
            for alias in aliases:
                union(advisory_id, alias)
        members: dict[str, set[str]] = defaultdict(set)
        for node in list(parent):
            members[find(node)].add(node)
        return {i: tuple(sorted(members[find(i)])) for i in wanted}

    def advisories(self, ids: Iterable[str]) -> dict[str, StoredAdvisory]:
        wanted = sorted(set(ids))
        out = super().advisories(wanted)
        with tenant_transaction(self.store, self.tenant_id) as tx:
            for part in chunks(wanted):
                for row in tx.execute(
                    select(private_advisories).where(
                        private_advisories.c.tenant_id == self.tenant_id,
                        private_advisories.c.id.in_(part),
                    )
                ):
                    severity = _severity(
                        row.severity_level,
                        row.severity_score,
                        row.severity_vector,
                        row.severity_type,
                        row.id,
                    )
                    modified = as_utc(row.modified)
                    assert modified is not None
                    out[row.id] = StoredAdvisory(
                        row.id,
                        row.summary,
                        severity or UNKNOWN_SEVERITY,
                        modified,
                        as_utc(row.withdrawn),
                    )
        return out

    def published(self, ids: Iterable[str]) -> dict[str, datetime | None]:
        wanted = sorted(set(ids))
        out = super().published(wanted)
        with tenant_transaction(self.store, self.tenant_id) as tx:
            for part in chunks(wanted):
                for advisory_id, published in tx.execute(
                    select(private_advisories.c.id, private_advisories.c.published).where(
                        private_advisories.c.tenant_id == self.tenant_id,
                        private_advisories.c.id.in_(part),
                    )
                ):
                    out[advisory_id] = as_utc(published)
        return out

    def show(self, advisory_id: str) -> ShownAdvisory | None:
        """The tenant's record with this id, else the one of its group (private first),
        else the public record."""
        group = self.groups_for([advisory_id])[advisory_id]
        with tenant_transaction(self.store, self.tenant_id) as tx:
            found = find_private_advisory(tx, self.tenant_id, advisory_id)
            if found is None:
                for member in group:
                    found = find_private_advisory(tx, self.tenant_id, member)
                    if found is not None:
                        break
        if found is None:
            return super().show(advisory_id)
        return ShownAdvisory(
            record=found.record,
            locator=found.locator,
            source=PRIVATE_SOURCE,
            content_hash=found.content_hash,
            data_license=None,
            imported_at=found.imported_at,
            group=self.groups_for([found.id])[found.id],
            withdrawn=found.withdrawn is not None,
        )
