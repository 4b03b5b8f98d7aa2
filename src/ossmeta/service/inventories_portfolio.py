"""The portfolio: a tenant's projects rolled up. Each project counts with its latest
version (what it ships now): findings by severity (one per alias group and component,
affected only; unknown verdicts counted apart), components by effective licence and by
their repository's maintenance status, with ``unknown`` where the center does not know."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from ossmeta.service.inventories_components import ComponentFilter, components
from ossmeta.store import Store
from ossmeta.store import inventories as rows
from ossmeta.store.tenancy import tenant_transaction

__all__ = ["Portfolio", "portfolio"]

#: Decisions that take a finding out of the open counts.
_CLOSED = frozenset({"not_affected", "false_positive", "resolved"})


@dataclass(frozen=True)
class Portfolio:
    projects: int
    components: int
    severity: dict[str, int]
    suppressed: int  # findings a decision marks not_affected, false_positive or resolved
    licence: dict[str, int]
    maintenance: dict[str, int]
    per_project: list[dict[str, Any]]


def portfolio(store: Store, tenant_id: int) -> Portfolio:
    with tenant_transaction(store, tenant_id) as tx:
        latest = rows.latest_versions(tx, tenant_id)
    severity: Counter[str] = Counter()
    licence: Counter[str] = Counter()
    maintenance: Counter[str] = Counter()
    suppressed = total = 0
    per_project = []
    for project, version in latest:
        views = components(
            store,
            tenant_id,
            project.name,
            version.name,
            ComponentFilter(),
            after=-1,
            limit=10**9,
            with_health=False,
        )
        open_findings = 0
        for view in views:
            data = view.data
            total += 1
            licence[data["licence"]["value"] or "unknown"] += 1
            maintenance[str(data["maintenance_status"]["value"] or "unknown")] += 1
            for finding in data["findings"]:
                state = (finding["analysis"] or {}).get("state")
                if state in _CLOSED:
                    suppressed += 1
                    continue
                severity[finding["severity"]] += 1
                open_findings += 1
        per_project.append(
            {
                "project": project.name,
                "version": version.name,
                "components": len(views),
                "findings": open_findings,
            }
        )
    return Portfolio(
        projects=len(latest),
        components=total,
        severity=dict(sorted(severity.items())),
        suppressed=suppressed,
        licence=dict(sorted(licence.items())),
        maintenance=dict(sorted(maintenance.items())),
        per_project=per_project,
    )
