"""The store side of re-evaluating stored inventories (``ossmeta.service.reevaluate``).

Set-based: the packages to re-evaluate go into a per-connection scratch table, and each
read below is one statement over every component of the tenant that holds one of them,
whatever their number; the writes are one executemany each. Every function takes the
caller's tenant transaction and filters on the tenant itself.

The job that asks for a re-evaluation is queued here too (``enqueue_reevaluation``), so
that the store code that changes advisories, packages or curations can queue it in the
transaction of the change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    delete,
    func,
    select,
    text,
    update,
)

from ossmeta.ecosystems import base_ecosystem, name_key
from ossmeta.model import Finding
from ossmeta.purls import parse_purl, purl_package
from ossmeta.store.bulk_arrays import insert_rows, update_rows
from ossmeta.store.chunking import chunks
from ossmeta.store.inventories import _finding, _finding_row
from ossmeta.store.jobs import enqueue
from ossmeta.store.schema import findings, inventory_components, project_versions, projects, tenants
from ossmeta.store.tenancy import Transaction

__all__ = [
    "MAX_LISTED_PACKAGES",
    "REEVALUATE",
    "TENANT_LOCK_SPACE",
    "PackageKey",
    "PackageVersion",
    "StoredComponent",
    "StoredFinding",
    "apply_changes",
    "components_of",
    "components_with_keys",
    "enqueue_reevaluation",
    "findings_of",
    "lock_tenant",
    "package_keys",
    "package_versions",
    "packages_of_purls",
    "stored_findings",
    "tenant_ids",
    "version_names",
]

#: The job kind of a re-evaluation. Payload: ``{"packages": [[ecosystem, name], ...]}`` or
#: ``{"all": true}``, and ``"tenant": id`` to re-evaluate one tenant only.
REEVALUATE = "reevaluate"
#: A change naming more packages than this asks for a full re-evaluation instead (a whole
#: advisory database imported at once): the list would only slow the job down.
MAX_LISTED_PACKAGES = 20_000

#: (base ecosystem, name key): how the advisory index and the components are keyed.
PackageKey = tuple[str, str]
#: (ecosystem as given, name, version): what a component's findings depend on.
PackageVersion = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class StoredComponent:
    id: int
    version_id: int
    purl: str | None
    package_purl: str | None
    ecosystem: str
    name: str
    version: str
    upgrade: str | None
    upgrade_note: str | None

    @property
    def package_version(self) -> PackageVersion:
        return self.ecosystem, self.name, self.version


@dataclass(frozen=True, slots=True)
class StoredFinding:
    row_id: int
    component_id: int
    finding: Finding


_IDS = ARRAY(Integer)

#: Per-connection scratch table of the packages being re-evaluated.
_keys = Table(
    "ossmeta_reeval_keys",
    MetaData(),
    Column("ecosystem_key", String(64), nullable=False),
    Column("name_key", String(512), nullable=False),
)


def _fill_keys(tx: Transaction, keys: Sequence[PackageKey]) -> Any:
    """What to join components with to keep those of ``keys``: on PostgreSQL the keys as
    two array parameters, unnested (no statement of its own); elsewhere the
    per-connection scratch table, filled here."""
    if tx.dialect.name == "postgresql":
        return (
            text(
                "SELECT * FROM unnest(CAST(:ecosystems AS VARCHAR[]), CAST(:names AS VARCHAR[]))"
                " AS k(ecosystem_key, name_key)"
            )
            .bindparams(ecosystems=[e for e, _ in keys], names=[n for _, n in keys])
            .columns(ecosystem_key=String, name_key=String)
            .subquery("k")
        )
    tx.execute(
        text(
            "CREATE TEMPORARY TABLE IF NOT EXISTS ossmeta_reeval_keys "
            "(ecosystem_key VARCHAR(64) NOT NULL, name_key VARCHAR(512) NOT NULL)"
        )
    )
    tx.execute(delete(_keys))
    if keys:
        tx.exec_driver_sql(
            "INSERT INTO ossmeta_reeval_keys (ecosystem_key, name_key) VALUES (?, ?)", list(keys)
        )
    return _keys


# ------------------------------------------------------------------ jobs


def packages_of_purls(purls: Iterable[str]) -> list[tuple[str, str]]:
    """(ecosystem, name) of each package purl OSV knows the type of; others are left out."""
    out: set[tuple[str, str]] = set()
    for purl in purls:
        try:
            ecosystem, name = purl_package(parse_purl(purl))
        except Exception:  # a purl that does not parse names no package to re-evaluate
            continue
        if ecosystem is not None:
            out.add((ecosystem, name))
    return sorted(out)


def enqueue_reevaluation(
    tx: Transaction,
    packages: Iterable[tuple[str, str]] | None,
    *,
    tenant_id: int | None = None,
    now: datetime | None = None,
) -> int | None:
    """Queue a re-evaluation of the components of ``packages`` ((ecosystem, name) pairs;
    None: every package) in the caller's transaction; the job's id. Nothing is queued, and
    None answered, when no package is named or the store has no tenant (a cheap no-op for
    stores that hold public data only)."""
    listed = None if packages is None else sorted({(e, n) for e, n in packages})
    if listed == []:
        return None
    if tx.execute(select(tenants.c.id).limit(1)).first() is None:
        return None
    payload: dict[str, Any]
    if listed is None or len(listed) > MAX_LISTED_PACKAGES:
        payload = {"all": True}
    else:
        payload = {"packages": [list(p) for p in listed]}
    if tenant_id is not None:
        payload["tenant"] = tenant_id
    return enqueue(tx, REEVALUATE, payload, now=now)


# ------------------------------------------------------------------ reads


def tenant_ids(tx: Transaction) -> list[int]:
    return [int(i) for i in tx.execute(select(tenants.c.id).order_by(tenants.c.id)).scalars()]


#: The first key of the per-tenant advisory lock (PostgreSQL); the tenant id is the second.
TENANT_LOCK_SPACE = 0x05EE7A1


def lock_tenant(tx: Transaction, tenant_id: int) -> None:
    """Serialize, until the transaction ends, what matches a tenant's components against
    the advisories and stores the result: re-evaluations (two workers diffing the same
    findings would both notify) and inventory uploads (an upload matched against older
    advisories, committed after the re-evaluation of newer ones, would keep a stale
    answer and never notify). PostgreSQL: a transaction-scoped advisory lock per tenant.
    SQLite has one writer: a write takes the database's write lock now, before the
    matching, rather than at the first real write after it."""
    if tx.dialect.name == "postgresql":
        tx.execute(
            text("SELECT pg_advisory_xact_lock(:space, :tenant)"),
            {"space": TENANT_LOCK_SPACE, "tenant": tenant_id},
        )
    else:
        tx.execute(update(tenants).where(tenants.c.id == tenant_id).values(name=tenants.c.name))


def package_keys(packages: Iterable[tuple[str, str]]) -> list[PackageKey]:
    return sorted({(base_ecosystem(e), name_key(e, n)) for e, n in packages})


def _mine(tenant_id: int) -> Any:
    return (
        (inventory_components.c.tenant_id == tenant_id)
        & inventory_components.c.ecosystem.is_not(None)
        & inventory_components.c.version.is_not(None)
    )


def _join_keys(query: Any, source: Any) -> Any:
    """``query`` over components, restricted to the keys of ``source`` (None: all)."""
    if source is None:
        return query
    return query.join(
        source,
        (source.c.ecosystem_key == inventory_components.c.ecosystem_key)
        & (source.c.name_key == inventory_components.c.name_key),
    )


def package_versions(
    tx: Transaction, tenant_id: int, keys: Sequence[PackageKey] | None
) -> list[PackageVersion]:
    """The distinct (ecosystem, name, version) of the tenant's components of ``keys``
    (None: of every package)."""
    source = None if keys is None else _fill_keys(tx, keys)
    c = inventory_components.c
    query = _join_keys(select(c.ecosystem, c.name, c.version), source).where(_mine(tenant_id))
    return sorted({(e, n, v) for e, n, v in tx.execute(query.distinct())})


def stored_findings(
    tx: Transaction, tenant_id: int, keys: Sequence[PackageKey] | None
) -> tuple[dict[int, StoredComponent], dict[int, list[StoredFinding]]]:
    """The tenant's stored findings on components of ``keys`` (None: all), by component,
    with those components."""
    source = None if keys is None else _fill_keys(tx, keys)
    query = _join_keys(
        select(findings, *_component_columns()).join(
            inventory_components, inventory_components.c.id == findings.c.component_id
        ),
        source,
    ).where((findings.c.tenant_id == tenant_id) & _mine(tenant_id))
    components: dict[int, StoredComponent] = {}
    found: dict[int, list[StoredFinding]] = defaultdict(list)
    for row in tx.execute(query):
        component_id = int(row.component_id)
        if component_id not in components:
            components[component_id] = _stored_component(row, component_id)
        found[component_id].append(StoredFinding(int(row.id), component_id, _finding(row)))
    return components, found


def _component_columns() -> list[Any]:
    c = inventory_components.c
    return [
        c.version_id.label("c_version_id"),
        c.purl.label("c_purl"),
        c.package_purl.label("c_package_purl"),
        c.ecosystem.label("c_ecosystem"),
        c.name.label("c_name"),
        c.version.label("c_version"),
        c.upgrade.label("c_upgrade"),
        c.upgrade_note.label("c_upgrade_note"),
    ]


def _stored_component(row: Any, component_id: int) -> StoredComponent:
    return StoredComponent(
        id=component_id,
        version_id=int(row.c_version_id),
        purl=row.c_purl,
        package_purl=row.c_package_purl,
        ecosystem=row.c_ecosystem,
        name=row.c_name,
        version=row.c_version,
        upgrade=row.c_upgrade,
        upgrade_note=row.c_upgrade_note,
    )


def components_with_keys(
    tx: Transaction, tenant_id: int, keys: Sequence[PackageKey]
) -> list[StoredComponent]:
    """The tenant's components of the packages of ``keys`` (with an ecosystem and a
    version: the others cannot match an advisory)."""
    source = _fill_keys(tx, keys)
    query = _join_keys(select(inventory_components.c.id, *_component_columns()), source).where(
        _mine(tenant_id)
    )
    return [_stored_component(row, int(row.id)) for row in tx.execute(query)]


def findings_of(
    tx: Transaction, tenant_id: int, component_ids: Sequence[int]
) -> dict[int, list[StoredFinding]]:
    """The tenant's stored findings of these components, by component."""
    found: dict[int, list[StoredFinding]] = defaultdict(list)
    for part in chunks(sorted(component_ids)):
        query = select(findings).where(
            (findings.c.tenant_id == tenant_id) & findings.c.component_id.in_(part)
        )
        for row in tx.execute(query):
            component_id = int(row.component_id)
            found[component_id].append(StoredFinding(int(row.id), component_id, _finding(row)))
    return found


def components_of(
    tx: Transaction, tenant_id: int, wanted: Iterable[PackageVersion]
) -> list[StoredComponent]:
    """The tenant's components at any of the ``wanted`` package versions."""
    wanted_set = set(wanted)
    if not wanted_set:
        return []
    keys = package_keys((e, n) for e, n, _ in wanted_set)
    source = _fill_keys(tx, keys)
    query = _join_keys(select(inventory_components.c.id, *_component_columns()), source).where(
        _mine(tenant_id)
    )
    out = []
    for row in tx.execute(query):
        component = _stored_component(row, int(row.id))
        if component.package_version in wanted_set:
            out.append(component)
    return out


def version_names(
    tx: Transaction, tenant_id: int, version_ids: Iterable[int]
) -> dict[int, tuple[str, str]]:
    """Project version id -> (project name, version name)."""
    out: dict[int, tuple[str, str]] = {}
    for part in chunks(sorted(set(version_ids))):
        query = (
            select(project_versions.c.id, projects.c.name, project_versions.c.name)
            .join(projects, projects.c.id == project_versions.c.project_id)
            .where(
                (project_versions.c.tenant_id == tenant_id)
                & (projects.c.tenant_id == tenant_id)
                & project_versions.c.id.in_(part)
            )
        )
        out.update((int(i), (p, v)) for i, p, v in tx.execute(query))
    return out


# ------------------------------------------------------------------ writes


def apply_changes(
    tx: Transaction,
    tenant_id: int,
    *,
    deleted: Sequence[int],
    added: Sequence[tuple[StoredComponent, Finding]],
    upgrades: Sequence[tuple[int, str | None, str | None]],
) -> None:
    """Delete finding rows by id, add findings to components, set components' upgrades."""
    if tx.dialect.name == "postgresql" and deleted:
        tx.execute(
            delete(findings).where(
                (findings.c.tenant_id == tenant_id)
                & (findings.c.id == func.any(bindparam("ids", sorted(deleted), type_=_IDS)))
            )
        )
    else:
        for part in chunks(sorted(deleted)):
            tx.execute(
                delete(findings).where(
                    (findings.c.tenant_id == tenant_id) & findings.c.id.in_(part)
                )
            )
    insert_rows(tx, findings, [_finding_row(tenant_id, c.version_id, c.id, f) for c, f in added])
    update_rows(
        tx,
        inventory_components,
        "id",
        [{"id": i, "upgrade": u, "upgrade_note": n} for i, u, n in upgrades],
        tenant_id=tenant_id,
    )
