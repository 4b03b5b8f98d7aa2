"""Incremental re-evaluation of the stored inventories: when advisories are imported,
packages synced or curations approved, the components of the packages the change names,
in every tenant (or in one), are matched again against the current advisories, and what
changed in their findings becomes notifications.

For one tenant, in one transaction:
 1. the distinct (ecosystem, name, version) of the tenant's components of those packages
    are scanned once each through ``advisory_lookup`` (the tenant's private advisories
    included), not once per component;
 2. each component's stored findings are compared with the new ones, per alias group (an
    old and a new finding are the same when their groups share an id): a group that now
    affects the component is ``finding.new``, one that no longer does is
    ``finding.resolved``, one whose severity or fixed versions differ is
    ``finding.changed``. Findings whose verdict is only ``unknown`` are kept up to date
    but notify nothing;
 3. the findings rows are replaced where anything differs, and the events are added to
    the outbox in the same transaction: a notification exists exactly when its finding
    row does, and running the same re-evaluation again finds nothing to say.

A finding whose alias group has a decision in force that says it does not matter
(not_affected, false_positive: ``ossmeta.service.decisions``) is still stored, with its
decision, but notifies nothing, as Dependency-Track does for suppressed findings.

Re-evaluations of one tenant are serialized, with each other and with the tenant's
inventory uploads (``ossmeta.store.inventories_reeval.lock_tenant``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ossmeta.analyses.scan import scan
from ossmeta.model import Component, ComponentStatus, Finding, Verdict
from ossmeta.purls import build_purl
from ossmeta.service.decisions import applicable
from ossmeta.service.inventories import advisory_lookup
from ossmeta.service.jobs import PermanentJobError, payload_packages, register
from ossmeta.store import Store
from ossmeta.store import inventories_reeval as rows
from ossmeta.store.inventories_decisions import StoredDecision, decisions_by_version
from ossmeta.store.inventories_reeval import (
    REEVALUATE,
    PackageKey,
    PackageVersion,
    StoredComponent,
    StoredFinding,
)
from ossmeta.store.jobs import Job
from ossmeta.store.outbox_many import add_events
from ossmeta.store.tenancy import global_transaction, tenant_transaction

__all__ = ["SILENCING_STATES", "Reevaluated", "reevaluate", "reevaluate_tenant", "run_job"]

#: Decision states that silence a finding's notifications (the others still want to hear).
SILENCING_STATES = frozenset({"not_affected", "false_positive"})


@dataclass(frozen=True)
class Reevaluated:
    """What a re-evaluation did: tenants and components looked at, events written."""

    tenants: int = 0
    components: int = 0
    new: int = 0
    changed: int = 0
    resolved: int = 0

    def __add__(self, other: Reevaluated) -> Reevaluated:
        return Reevaluated(
            self.tenants + other.tenants,
            self.components + other.components,
            self.new + other.new,
            self.changed + other.changed,
            self.resolved + other.resolved,
        )

    @property
    def events(self) -> int:
        return self.new + self.changed + self.resolved


@dataclass(frozen=True)
class _Wanted:
    """The findings a package version should have, and its upgrade."""

    findings: tuple[Finding, ...]
    upgrade: str | None
    upgrade_note: str | None


def reevaluate(
    store: Store,
    packages: Iterable[tuple[str, str]] | None,
    *,
    tenant_id: int | None = None,
    now: datetime | None = None,
) -> Reevaluated:
    """Re-evaluate the components of ``packages`` ((ecosystem, name) pairs; None: every
    package) of every tenant, or of ``tenant_id`` only."""
    keys = None if packages is None else rows.package_keys(packages)
    if keys == []:
        return Reevaluated()
    if tenant_id is None:
        with global_transaction(store) as tx:
            tenants = rows.tenant_ids(tx)
    else:
        tenants = [tenant_id]
    total = Reevaluated()
    for tenant in tenants:
        total += reevaluate_tenant(store, tenant, keys, now=now)
    return total


def _scan(
    store: Store, tenant_id: int, versions: Sequence[PackageVersion]
) -> dict[PackageVersion, _Wanted]:
    components = [Component(None, e, n, v, ComponentStatus.OK, ()) for e, n, v in versions]
    report = scan(components, advisory_lookup(store, tenant_id))
    return {
        pv: _Wanted((*r.findings, *r.unknown), r.upgrade, r.upgrade_note)
        for pv, r in zip(versions, report.components, strict=True)
        if r.findings or r.unknown
    }


def _members(finding: Finding) -> frozenset[str]:
    return frozenset((finding.id, *finding.aliases))


def _pairs(
    old: Sequence[Finding], new: Sequence[Finding]
) -> list[tuple[Finding | None, Finding | None]]:
    """Old and new findings of one component paired by alias group (groups sharing an id
    are one: a group that gained or lost an alias is the same vulnerability)."""
    left = list(old)
    out: list[tuple[Finding | None, Finding | None]] = []
    for finding in new:
        members = _members(finding)
        match = next((o for o in left if _members(o) & members), None)
        if match is not None:
            left.remove(match)
        out.append((match, finding))
    out.extend((o, None) for o in left)
    return out


def _affected(finding: Finding | None) -> bool:
    return finding is not None and finding.verdict is Verdict.AFFECTED


def _differ(before: Finding, after: Finding) -> bool:
    """Whether a finding changed in what a notification reports: severity or fixes."""
    severity = (before.severity.level, before.severity.score)
    return severity != (after.severity.level, after.severity.score) or before.fixed != after.fixed


def _data(names: tuple[str, str], component: StoredComponent, finding: Finding) -> dict[str, Any]:
    purl = component.purl or build_purl(component.ecosystem, component.name, component.version)
    return {
        "project": names[0],
        "version": names[1],
        "purl": purl,
        "id": finding.id,
        "aliases": list(finding.aliases),
        "severity": finding.severity.level.label,
        "fixed": list(finding.fixed),
        "summary": finding.summary,
    }


def _silenced(
    decisions: Sequence[StoredDecision],
    component: StoredComponent,
    before: Finding | None,
    after: Finding | None,
) -> bool:
    """Whether a decision in force on this finding's alias group (before or after the
    change) says it does not affect the component."""
    if not decisions:
        return False
    group = {member for f in (before, after) if f is not None for member in _members(f)}
    decision = applicable(
        decisions,
        component.version_id,
        component.package_purl,
        component.ecosystem,
        component.version,
        group,
    )
    return decision is not None and decision.state in SILENCING_STATES


def _events(
    names: tuple[str, str],
    decisions: Sequence[StoredDecision],
    component: StoredComponent,
    old: Sequence[Finding],
    new: Sequence[Finding],
) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for before, after in _pairs(old, new):
        if _silenced(decisions, component, before, after):
            continue
        if _affected(after) and not _affected(before):
            assert after is not None
            out.append(("finding.new", _data(names, component, after)))
        elif _affected(before) and not _affected(after):
            assert before is not None
            out.append(("finding.resolved", _data(names, component, before)))
        elif (
            before is not None and after is not None and _affected(after) and _differ(before, after)
        ):
            data = _data(names, component, after)
            data["previous"] = {
                "severity": before.severity.level.label,
                "fixed": list(before.fixed),
            }
            out.append(("finding.changed", data))
    return out


def _same(old: Sequence[Finding], new: Sequence[Finding]) -> bool:
    return sorted(old, key=lambda f: f.id) == sorted(new, key=lambda f: f.id)


def reevaluate_tenant(
    store: Store,
    tenant_id: int,
    keys: Sequence[PackageKey] | None,
    *,
    now: datetime | None = None,
) -> Reevaluated:
    """Re-evaluate one tenant's components of ``keys`` (None: all) in one transaction."""
    when = now or datetime.now(UTC)
    with tenant_transaction(store, tenant_id) as tx:
        rows.lock_tenant(tx, tenant_id)
        if keys is None:
            # Everything: the distinct package versions in SQL, then only the components
            # that have findings, or should have.
            versions = rows.package_versions(tx, tenant_id, None)
            wanted = _scan(store, tenant_id, versions) if versions else {}
            components, stored = rows.stored_findings(tx, tenant_id, None)
            for component in rows.components_of(tx, tenant_id, wanted):
                components.setdefault(component.id, component)
        else:
            # A few packages: their components in one read, their findings by component.
            held = rows.components_with_keys(tx, tenant_id, keys)
            if not held:
                return Reevaluated(tenants=1)
            wanted = _scan(store, tenant_id, sorted({c.package_version for c in held}))
            stored = rows.findings_of(tx, tenant_id, [c.id for c in held])
            components = {c.id: c for c in held if c.id in stored or c.package_version in wanted}
        deleted: list[int] = []
        added: list[tuple[StoredComponent, Finding]] = []
        upgrades: list[tuple[int, str | None, str | None]] = []
        changes: list[tuple[StoredComponent, list[Finding], tuple[Finding, ...]]] = []
        for component_id in sorted(components):
            component = components[component_id]
            target = wanted.get(component.package_version, _Wanted((), None, None))
            had: list[StoredFinding] = stored.get(component_id, [])
            old = [s.finding for s in had]
            if (component.upgrade, component.upgrade_note) != (target.upgrade, target.upgrade_note):
                upgrades.append((component_id, target.upgrade, target.upgrade_note))
            if _same(old, target.findings):
                continue
            deleted.extend(s.row_id for s in had)
            added.extend((component, f) for f in target.findings)
            changes.append((component, old, target.findings))
        changed_versions = {c.version_id for c, _, _ in changes}
        names = rows.version_names(tx, tenant_id, changed_versions)
        decided = decisions_by_version(tx, tenant_id, changed_versions)
        events = [
            event
            for component, old, new in changes
            for event in _events(
                names[component.version_id],
                decided.get(component.version_id, []),
                component,
                old,
                new,
            )
        ]
        events.sort(key=lambda e: (e[1]["project"], e[1]["version"], e[1]["purl"], e[1]["id"]))
        rows.apply_changes(tx, tenant_id, deleted=deleted, added=added, upgrades=upgrades)
        add_events(tx, tenant_id, events, now=when)
    counts: dict[str, int] = defaultdict(int)
    for kind, _ in events:
        counts[kind] += 1
    return Reevaluated(
        tenants=1,
        components=len(components),
        new=counts["finding.new"],
        changed=counts["finding.changed"],
        resolved=counts["finding.resolved"],
    )


@register(REEVALUATE)
def run_job(store: Store, job: Job) -> None:
    """The ``reevaluate`` job (queued by ``ossmeta.store.inventories_reeval``)."""
    tenant = job.payload.get("tenant")
    if tenant is not None and (not isinstance(tenant, int) or isinstance(tenant, bool)):
        raise PermanentJobError('a reevaluate job\'s "tenant" must be a tenant id')
    reevaluate(store, payload_packages(job.payload, "reevaluate"), tenant_id=tenant)
