"""VEX decisions on a tenant's findings: append-only rows, the latest applicable one wins
and the earlier ones are the history (who decided what, when). Which decision applies to
which finding is the service's rule (``ossmeta.service.decisions``); this module stores
and reads the rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import insert, select

from ossmeta.store.chunking import chunks
from ossmeta.store.schema import VEX_STATES, inventory_components, project_versions, vex_decisions
from ossmeta.store.tenancy import Transaction
from ossmeta.times import as_utc

__all__ = [
    "VEX_STATES",
    "StoredDecision",
    "components_of",
    "decisions_by_version",
    "insert_decision",
    "insert_decisions",
    "list_decisions",
]


@dataclass(frozen=True)
class StoredDecision:
    id: int
    project_id: int
    version_id: int  # the project version it was made on; it applies from there on
    package_purl: str
    component_version: str
    advisory_id: str
    advisory_ids: tuple[str, ...]
    state: str
    justification: str | None
    comment: str
    carry_over_versions: bool
    author: str
    at: datetime


def _decision(row: Any) -> StoredDecision:
    at = as_utc(row.at)
    assert at is not None
    return StoredDecision(
        id=row.id,
        project_id=row.project_id,
        version_id=row.version_id,
        package_purl=row.package_purl,
        component_version=row.component_version,
        advisory_id=row.advisory_id,
        advisory_ids=tuple(orjson.loads(row.advisory_ids)),
        state=row.state,
        justification=row.justification,
        comment=row.comment,
        carry_over_versions=bool(row.carry_over_versions),
        author=row.author,
        at=at,
    )


def insert_decision(
    tx: Transaction,
    tenant_id: int,
    *,
    project_id: int,
    version_id: int,
    package_purl: str,
    component_version: str,
    advisory_id: str,
    advisory_ids: tuple[str, ...],
    state: str,
    justification: str | None,
    comment: str,
    carry_over_versions: bool,
    author: str,
    at: datetime,
) -> StoredDecision:
    row = {
        "tenant_id": tenant_id,
        "project_id": project_id,
        "version_id": version_id,
        "package_purl": package_purl,
        "component_version": component_version,
        "advisory_id": advisory_id,
        "advisory_ids": orjson.dumps(sorted(advisory_ids)).decode(),
        "state": state,
        "justification": justification,
        "comment": comment,
        "carry_over_versions": carry_over_versions,
        "author": author[:255],
        "at": at,
    }
    new_id = tx.execute(insert(vex_decisions).returning(vex_decisions.c.id), row).scalar_one()
    found = tx.execute(select(vex_decisions).where(vex_decisions.c.id == new_id)).one()
    return _decision(found)


def insert_decisions(
    tx: Transaction, tenant_id: int, decisions: list[dict[str, Any]]
) -> list[StoredDecision]:
    """Several decisions at once (``insert_decision``'s keyword arguments, one dict each),
    in one multi-row insert; the stored decisions in the order given."""
    rows = [
        {
            **d,
            "tenant_id": tenant_id,
            "advisory_ids": orjson.dumps(sorted(d["advisory_ids"])).decode(),
            "author": d["author"][:255],
        }
        for d in decisions
    ]
    if not rows:
        return []
    statement = insert(vex_decisions).returning(vex_decisions.c.id, sort_by_parameter_order=True)
    ids = [int(i) for i in tx.execute(statement, rows).scalars()]
    found: dict[int, StoredDecision] = {}
    for part in chunks(ids):
        for row in tx.execute(select(vex_decisions).where(vex_decisions.c.id.in_(part))):
            found[row.id] = _decision(row)
    return [found[i] for i in ids]


def list_decisions(
    tx: Transaction, tenant_id: int, project_id: int, *, up_to_version: int | None = None
) -> list[StoredDecision]:
    """A project's decisions in the order they were made (those made on project versions
    up to ``up_to_version``, in creation order, when given)."""
    query = select(vex_decisions).where(
        (vex_decisions.c.tenant_id == tenant_id) & (vex_decisions.c.project_id == project_id)
    )
    if up_to_version is not None:
        query = query.where(vex_decisions.c.version_id <= up_to_version)
    return [_decision(row) for row in tx.execute(query.order_by(vex_decisions.c.id))]


def components_of(
    tx: Transaction, tenant_id: int, version_id: int, package_purl: str
) -> list[tuple[int, str | None]]:
    """(component id, version) of a package in a project version."""
    query = select(inventory_components.c.id, inventory_components.c.version).where(
        (inventory_components.c.tenant_id == tenant_id)
        & (inventory_components.c.version_id == version_id)
        & (inventory_components.c.package_purl == package_purl)
    )
    return [(int(row.id), row.version) for row in tx.execute(query)]


def decisions_by_version(
    tx: Transaction, tenant_id: int, version_ids: Iterable[int]
) -> dict[int, list[StoredDecision]]:
    """Project version id -> the decisions of its project, in the order they were made
    (which of them apply to a finding is the service's rule)."""
    project_of: dict[int, int] = {}
    for part in chunks(sorted(set(version_ids))):
        query = select(project_versions.c.id, project_versions.c.project_id).where(
            (project_versions.c.tenant_id == tenant_id) & project_versions.c.id.in_(part)
        )
        project_of.update((int(v), int(p)) for v, p in tx.execute(query))
    by_project: dict[int, list[StoredDecision]] = {p: [] for p in project_of.values()}
    for part in chunks(sorted(by_project)):
        query = (
            select(vex_decisions)
            .where((vex_decisions.c.tenant_id == tenant_id) & vex_decisions.c.project_id.in_(part))
            .order_by(vex_decisions.c.id)
        )
        for row in tx.execute(query):
            by_project[int(row.project_id)].append(_decision(row))
    return {v: by_project[p] for v, p in project_of.items()}
