"""A tenant's projects, project versions and the stored scan of each version's inventory
(components in the report's order, one finding row per alias group and component).

Every function takes the caller's transaction (``ossmeta.store.tenancy``) and the tenant,
and filters on the tenant itself: on PostgreSQL the row-level policy is a second line.
A version's components and findings are replaced together inside the caller's
transaction, so readers see the old inventory or the new one, never a mix.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import delete, func, insert, select, update

from ossmeta.ecosystems import base_ecosystem, name_key
from ossmeta.model import (
    Component,
    ComponentReport,
    ComponentStatus,
    Finding,
    Location,
    Severity,
    SeverityLevel,
    Verdict,
)
from ossmeta.purls import build_purl
from ossmeta.store.schema import findings, inventory_components, project_versions, projects
from ossmeta.store.tenancy import Transaction
from ossmeta.times import as_utc

__all__ = [
    "Project",
    "ProjectVersion",
    "StoredInventory",
    "UsedIn",
    "find_project",
    "find_version",
    "insert_project",
    "latest_versions",
    "list_projects",
    "list_versions",
    "load_inventory",
    "package_of",
    "save_inventory",
    "where_used",
]


@dataclass(frozen=True)
class Project:
    id: int
    tenant_id: int
    name: str
    created_at: datetime


@dataclass(frozen=True)
class ProjectVersion:
    id: int
    project_id: int
    name: str
    sha256: str
    filename: str
    uploaded_at: datetime
    uploaded_by: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class StoredInventory:
    """A version's stored scan: what the report of its last upload said."""

    version: ProjectVersion
    reports: tuple[ComponentReport, ...]


@dataclass(frozen=True)
class UsedIn:
    project: str
    version: str
    version_id: int


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _utc(value: datetime) -> datetime:
    aware = as_utc(value)
    assert aware is not None
    return aware


def _project(row: Any) -> Project:
    return Project(row.id, row.tenant_id, row.name, _utc(row.created_at))


def _version(row: Any) -> ProjectVersion:
    return ProjectVersion(
        id=row.id,
        project_id=row.project_id,
        name=row.name,
        sha256=row.sha256,
        filename=row.filename,
        uploaded_at=_utc(row.uploaded_at),
        uploaded_by=row.uploaded_by,
        notes=tuple(orjson.loads(row.notes)),
    )


# ------------------------------------------------------------------ projects and versions


def insert_project(tx: Transaction, tenant_id: int, name: str, now: datetime) -> Project:
    new_id = tx.execute(
        insert(projects).returning(projects.c.id),
        {"tenant_id": tenant_id, "name": name, "created_at": now},
    ).scalar_one()
    return Project(int(new_id), tenant_id, name, now)


def find_project(tx: Transaction, tenant_id: int, name: str) -> Project | None:
    row = tx.execute(
        select(projects).where((projects.c.tenant_id == tenant_id) & (projects.c.name == name))
    ).first()
    return None if row is None else _project(row)


def list_projects(tx: Transaction, tenant_id: int, *, after: str, limit: int) -> list[Project]:
    query = (
        select(projects)
        .where((projects.c.tenant_id == tenant_id) & (projects.c.name > after))
        .order_by(projects.c.name)
        .limit(limit)
    )
    return [_project(row) for row in tx.execute(query)]


def find_version(
    tx: Transaction, tenant_id: int, project_id: int, name: str
) -> ProjectVersion | None:
    row = tx.execute(
        select(project_versions).where(
            (project_versions.c.tenant_id == tenant_id)
            & (project_versions.c.project_id == project_id)
            & (project_versions.c.name == name)
        )
    ).first()
    return None if row is None else _version(row)


def list_versions(
    tx: Transaction, tenant_id: int, project_id: int, *, after: int = 0, limit: int = 1000
) -> list[ProjectVersion]:
    """A project's versions in the order they were first uploaded."""
    query = (
        select(project_versions)
        .where(
            (project_versions.c.tenant_id == tenant_id)
            & (project_versions.c.project_id == project_id)
            & (project_versions.c.id > after)
        )
        .order_by(project_versions.c.id)
        .limit(limit)
    )
    return [_version(row) for row in tx.execute(query)]


# ------------------------------------------------------------------ inventories


def package_of(component: Component) -> str | None:
    """The canonical purl of a component's package, without its version."""
    if component.ecosystem is None:
        return None
    return build_purl(component.ecosystem, component.name, None)


def _component_row(
    tenant_id: int, version_id: int, position: int, report: ComponentReport
) -> dict[str, Any]:
    c = report.component
    return {
        "tenant_id": tenant_id,
        "version_id": version_id,
        "position": position,
        "purl": c.purl,
        "package_purl": package_of(c),
        "ecosystem": c.ecosystem,
        "ecosystem_key": base_ecosystem(c.ecosystem) if c.ecosystem else None,
        "name": c.name,
        "name_key": name_key(c.ecosystem, c.name) if c.ecosystem else None,
        "version": c.version,
        "status": str(c.status),
        "direct": c.direct,
        "requirement": c.requirement,
        "scopes": _json(list(c.scopes)),
        "locations": _json([[loc.path, loc.line, loc.pointer] for loc in c.locations]),
        "upgrade": report.upgrade,
        "upgrade_note": report.upgrade_note,
    }


def _finding_row(
    tenant_id: int, version_id: int, component_id: int, finding: Finding
) -> dict[str, Any]:
    sev = finding.severity
    return {
        "tenant_id": tenant_id,
        "version_id": version_id,
        "component_id": component_id,
        "advisory_id": finding.id,
        "aliases": _json(list(finding.aliases)),
        "records": _json(list(finding.records)),
        "verdict": finding.verdict.value,
        "severity_level": int(sev.level),
        "severity_score": sev.score,
        "severity_vector": sev.vector,
        "severity_type": sev.type,
        "severity_origin": sev.origin,
        "fixed": _json(list(finding.fixed)),
        "summary": finding.summary,
        "reason": finding.reason,
    }


def save_inventory(
    tx: Transaction,
    tenant_id: int,
    project_id: int,
    version_name: str,
    *,
    sha256: str,
    filename: str,
    uploaded_by: str,
    now: datetime,
    notes: Sequence[str],
    reports: Sequence[ComponentReport],
) -> tuple[ProjectVersion, bool]:
    """Create the version or replace its inventory: (the version, whether it is new)."""
    existing = find_version(tx, tenant_id, project_id, version_name)
    meta = {
        "sha256": sha256,
        "filename": filename,
        "uploaded_at": now,
        "uploaded_by": uploaded_by,
        "notes": _json(list(notes)),
    }
    if existing is None:
        version_id = int(
            tx.execute(
                insert(project_versions).returning(project_versions.c.id),
                {"tenant_id": tenant_id, "project_id": project_id, "name": version_name, **meta},
            ).scalar_one()
        )
    else:
        version_id = existing.id
        mine = (findings.c.tenant_id == tenant_id) & (findings.c.version_id == version_id)
        tx.execute(delete(findings).where(mine))
        tx.execute(
            delete(inventory_components).where(
                (inventory_components.c.tenant_id == tenant_id)
                & (inventory_components.c.version_id == version_id)
            )
        )
        tx.execute(
            update(project_versions)
            .where(
                (project_versions.c.tenant_id == tenant_id) & (project_versions.c.id == version_id)
            )
            .values(**meta)
        )
    if reports:
        tx.execute(
            insert(inventory_components),
            [_component_row(tenant_id, version_id, i, r) for i, r in enumerate(reports)],
        )
        ids = dict(
            tx.execute(
                select(inventory_components.c.position, inventory_components.c.id).where(
                    (inventory_components.c.tenant_id == tenant_id)
                    & (inventory_components.c.version_id == version_id)
                )
            ).all()
        )
        rows = [
            _finding_row(tenant_id, version_id, ids[i], f)
            for i, report in enumerate(reports)
            for f in (*report.findings, *report.unknown)
        ]
        if rows:
            tx.execute(insert(findings), rows)
    stored = find_version(tx, tenant_id, project_id, version_name)
    assert stored is not None
    return stored, existing is None


def _component(row: Any) -> Component:
    return Component(
        purl=row.purl,
        ecosystem=row.ecosystem,
        name=row.name,
        version=row.version,
        status=ComponentStatus(row.status),
        locations=tuple(Location(p, line, ptr) for p, line, ptr in orjson.loads(row.locations)),
        direct=row.direct,
        requirement=row.requirement,
        scopes=tuple(orjson.loads(row.scopes)),
    )


def _finding(row: Any) -> Finding:
    return Finding(
        id=row.advisory_id,
        aliases=tuple(orjson.loads(row.aliases)),
        verdict=Verdict(row.verdict),
        severity=Severity(
            SeverityLevel(row.severity_level),
            row.severity_score,
            row.severity_vector,
            row.severity_type,
            row.severity_origin,
        ),
        fixed=tuple(orjson.loads(row.fixed)),
        summary=row.summary,
        reason=row.reason,
        records=tuple(orjson.loads(row.records)),
    )


def _ordered(found: list[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(found, key=lambda f: (-int(f.severity.level), f.id)))


def load_inventory(tx: Transaction, tenant_id: int, version: ProjectVersion) -> StoredInventory:
    """The version's components with their findings, as the scan reported them."""
    by_component: dict[int, list[Finding]] = defaultdict(list)
    for row in tx.execute(
        select(findings).where(
            (findings.c.tenant_id == tenant_id) & (findings.c.version_id == version.id)
        )
    ):
        by_component[row.component_id].append(_finding(row))
    reports = []
    for row in tx.execute(
        select(inventory_components)
        .where(
            (inventory_components.c.tenant_id == tenant_id)
            & (inventory_components.c.version_id == version.id)
        )
        .order_by(inventory_components.c.position)
    ):
        found = by_component.get(row.id, [])
        reports.append(
            ComponentReport(
                _component(row),
                _ordered([f for f in found if f.verdict is Verdict.AFFECTED]),
                _ordered([f for f in found if f.verdict is not Verdict.AFFECTED]),
                (),
                row.upgrade,
                row.upgrade_note,
            )
        )
    return StoredInventory(version, tuple(reports))


# ------------------------------------------------------------------ where-used, portfolio


def where_used(
    tx: Transaction,
    tenant_id: int,
    *,
    package_purl: str | None = None,
    version: str | None = None,
    advisory_ids: Sequence[str] = (),
    after: tuple[str, str] = ("", ""),
    limit: int = 100,
) -> list[UsedIn]:
    """Project versions holding a package (at a version), or a finding of any of
    ``advisory_ids``; ordered by (project, version) names, those after ``after``."""
    query = (
        select(projects.c.name.label("project"), project_versions.c.name.label("version"))
        .add_columns(project_versions.c.id)
        .join(projects, projects.c.id == project_versions.c.project_id)
        .where((project_versions.c.tenant_id == tenant_id) & (projects.c.tenant_id == tenant_id))
    )
    if package_purl is not None:
        holding = select(inventory_components.c.version_id).where(
            (inventory_components.c.tenant_id == tenant_id)
            & (inventory_components.c.package_purl == package_purl)
        )
        if version is not None:
            holding = holding.where(inventory_components.c.version == version)
        query = query.where(project_versions.c.id.in_(holding))
    if advisory_ids:
        affected = select(findings.c.version_id).where(
            (findings.c.tenant_id == tenant_id)
            & findings.c.advisory_id.in_(sorted(set(advisory_ids)))
        )
        query = query.where(project_versions.c.id.in_(affected))
    first, second = after
    query = (
        query.where(
            (projects.c.name > first)
            | ((projects.c.name == first) & (project_versions.c.name > second))
        )
        .order_by(projects.c.name, project_versions.c.name)
        .limit(limit)
    )
    return [UsedIn(row.project, row.version, row.id) for row in tx.execute(query)]


def latest_versions(tx: Transaction, tenant_id: int) -> list[tuple[Project, ProjectVersion]]:
    """Each project of the tenant with its latest version (the last one first uploaded),
    by project name; projects without versions are left out."""
    latest = (
        select(func.max(project_versions.c.id))
        .where(project_versions.c.tenant_id == tenant_id)
        .group_by(project_versions.c.project_id)
    )
    query = (
        select(project_versions, projects.c.name.label("project_name"), projects.c.created_at)
        .join(projects, projects.c.id == project_versions.c.project_id)
        .where((project_versions.c.tenant_id == tenant_id) & project_versions.c.id.in_(latest))
        .order_by(projects.c.name)
    )
    return [
        (Project(row.project_id, tenant_id, row.project_name, _utc(row.created_at)), _version(row))
        for row in tx.execute(query)
    ]
