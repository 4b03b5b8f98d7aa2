"""VEX decisions: a tenant's verdict on one finding (an alias group on one package of one
project), with a CycloneDX/OpenVEX state, a justification when not affected, a comment,
the author and the time.

A decision names any id of the alias group and applies to the whole group. Made on one
project version, it applies there and to every later version of the project that holds
the same package at the same version, or at any later version of the package when
``carry_over_versions`` says so. Decisions are never changed: a new one supersedes the
old, which stays as history.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ossmeta.ecosystems import base_ecosystem, osv_version
from ossmeta.errors import InputError, NotFoundError
from ossmeta.model import ScanReport
from ossmeta.purls import package_purl
from ossmeta.service.accounts import Actor, audit
from ossmeta.service.inventories import project_version
from ossmeta.store import Store
from ossmeta.store import inventories as rows
from ossmeta.store.inventories_decisions import (
    VEX_STATES,
    StoredDecision,
    components_of,
    insert_decision,
    insert_decisions,
    list_decisions,
)
from ossmeta.store.lookup import AdvisoryLookup
from ossmeta.store.tenancy import tenant_transaction
from ossmeta.versions import try_version_key

__all__ = [
    "JUSTIFICATIONS",
    "VEX_STATES",
    "Applied",
    "DecisionRequest",
    "StoredDecision",
    "applicable",
    "decide",
    "decide_many",
    "decisions_for",
    "history",
    "in_force",
]

#: CycloneDX's justifications, then OpenVEX's (kept as the author gave them).
JUSTIFICATIONS = (
    "code_not_present",
    "code_not_reachable",
    "requires_configuration",
    "requires_dependency",
    "requires_environment",
    "protected_by_compiler",
    "protected_at_runtime",
    "protected_at_perimeter",
    "protected_by_mitigating_control",
    "component_not_present",
    "vulnerable_code_not_present",
    "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary",
    "inline_mitigations_already_exist",
)


@dataclass(frozen=True)
class Applied:
    """The decisions that apply to a version's findings: (component position, finding id)
    -> the decision in force."""

    by_finding: dict[tuple[int, str], StoredDecision]


def _at_or_after(ecosystem: str | None, version: str, since: str) -> bool:
    if version == since:
        return True
    if ecosystem is None:
        return False
    base = base_ecosystem(ecosystem)
    now = try_version_key(base, osv_version(base, version))
    then = try_version_key(base, osv_version(base, since))
    if now is None or then is None:
        return False  # an order we cannot tell is not a later version
    return not bool(now < then)


def applicable(
    decisions: Sequence[StoredDecision],
    version_id: int,
    package: str | None,
    ecosystem: str | None,
    component_version: str | None,
    group: Iterable[str],
) -> StoredDecision | None:
    """The decision in force for one finding (the latest that applies), if any."""
    if package is None or component_version is None:
        return None
    ids = set(group)
    found = None
    for decision in decisions:  # in the order they were made: the last one wins
        if decision.version_id > version_id or decision.package_purl != package:
            continue
        if not ids.intersection(decision.advisory_ids):
            continue
        if decision.component_version == component_version or (
            decision.carry_over_versions
            and _at_or_after(ecosystem, component_version, decision.component_version)
        ):
            found = decision
    return found


def decisions_for(
    decisions: Sequence[StoredDecision], version_id: int, report: ScanReport
) -> Applied:
    out: dict[tuple[int, str], StoredDecision] = {}
    by_package: dict[str, list[StoredDecision]] = {}  # each package's, in the order made
    for made in decisions:
        by_package.setdefault(made.package_purl, []).append(made)
    for position, cr in enumerate(report.components):
        c = cr.component
        if not (cr.findings or cr.unknown) or c.ecosystem is None:
            continue
        package = rows.package_of(c)
        mine = by_package.get(package, []) if package is not None else []
        for finding in (*cr.findings, *cr.unknown):
            group = (finding.id, *finding.aliases)
            decision = applicable(mine, version_id, package, c.ecosystem, c.version, group)
            if decision is not None:
                out[(position, finding.id)] = decision
    return Applied(out)


def in_force(
    store: Store, tenant_id: int, version: rows.ProjectVersion, report: ScanReport
) -> Applied:
    """The decisions in force for a stored version's findings."""
    with tenant_transaction(store, tenant_id) as tx:
        made = list_decisions(tx, tenant_id, version.project_id, up_to_version=version.id)
    return decisions_for(made, version.id, report)


def _check(state: str, justification: str | None) -> None:
    if state not in VEX_STATES:
        raise InputError(f"state {state!r} is not one of {', '.join(VEX_STATES)}")
    if justification is not None and justification not in JUSTIFICATIONS:
        raise InputError(
            f"justification {justification!r} is not a CycloneDX or OpenVEX justification"
        )
    if state == "not_affected" and justification is None:
        raise InputError("a not_affected decision needs a justification")


def decide(
    store: Store,
    tenant_id: int,
    project: str,
    version: str,
    *,
    purl: str,
    advisory: str,
    state: str,
    justification: str | None,
    comment: str,
    carry_over_versions: bool,
    actor: Actor,
) -> StoredDecision:
    """Record a decision on ``advisory`` (any alias) for the package ``purl`` (with or
    without its version) held by a project version."""
    _check(state, justification)
    try:
        package, _, parsed = package_purl(purl)
    except InputError as error:
        raise InputError(f"purl {purl!r}: {error}") from None
    group = set(AdvisoryLookup(store).groups_for([advisory])[advisory])
    with tenant_transaction(store, tenant_id) as tx:
        found_project, found_version = project_version(tx, tenant_id, project, version)
        held = [
            v
            for _, v in components_of(tx, tenant_id, found_version.id, package)
            if v is not None and parsed.version in (None, v)
        ]
        if not held:
            raise NotFoundError(f"no component {purl!r} in version {version!r} of {project!r}")
        # The stored findings know the group too (an advisory the store no longer holds).
        stored = rows.load_inventory(tx, tenant_id, found_version)
        for cr in stored.reports:
            if rows.package_of(cr.component) != package:
                continue
            for finding in (*cr.findings, *cr.unknown):
                ids = {finding.id, *finding.aliases}
                if group & ids:
                    group |= ids
        decision = insert_decision(
            tx,
            tenant_id,
            project_id=found_project.id,
            version_id=found_version.id,
            package_purl=package,
            component_version=held[0],
            advisory_id=advisory,
            advisory_ids=tuple(sorted(group)),
            state=state,
            justification=justification,
            comment=comment,
            carry_over_versions=carry_over_versions,
            author=actor.name,
            at=datetime.now(UTC),
        )
        audit(
            tx,
            tenant_id,
            actor,
            "decision.create",
            f"project:{project}/version:{version}",
            {"purl": f"{package}@{held[0]}", "advisory": advisory, "state": state},
        )
    return decision


def history(store: Store, tenant_id: int, project: str, version: str) -> list[StoredDecision]:
    """Every decision made on this project version or an earlier one, oldest first."""
    with tenant_transaction(store, tenant_id) as tx:
        found_project, found_version = project_version(tx, tenant_id, project, version)
        return list_decisions(tx, tenant_id, found_project.id, up_to_version=found_version.id)


@dataclass(frozen=True)
class DecisionRequest:
    """One decision of a batch (``decide_many``): the same fields ``decide`` takes."""

    purl: str
    advisory: str
    state: str
    justification: str | None
    comment: str
    carry_over_versions: bool = False


def decide_many(
    store: Store,
    tenant_id: int,
    project: str,
    version: str,
    requests: Sequence[DecisionRequest],
    *,
    actor: Actor,
) -> list[StoredDecision | InputError]:
    """Record several decisions on one project version in one transaction, reading its
    inventory once (a VEX import). Each request gets its decision, or the ``InputError``
    that refused it under ``decide``'s rules; the others are recorded regardless.
    ``NotFoundError`` (raised) for a missing project or version."""
    groups = AdvisoryLookup(store).groups_for(r.advisory for r in requests)
    out: list[StoredDecision | InputError | None] = []
    with tenant_transaction(store, tenant_id) as tx:
        found_project, found_version = project_version(tx, tenant_id, project, version)
        stored = rows.load_inventory(tx, tenant_id, found_version)
        held: dict[str, list[str]] = {}
        found_ids: dict[str, list[set[str]]] = {}
        for cr in stored.reports:
            package = rows.package_of(cr.component)
            if package is None:
                continue
            if cr.component.version is not None:
                held.setdefault(package, []).append(cr.component.version)
            found_ids.setdefault(package, []).extend(
                {f.id, *f.aliases} for f in (*cr.findings, *cr.unknown)
            )
        now = datetime.now(UTC)
        wanted: list[dict[str, Any]] = []
        for request in requests:
            try:
                _check(request.state, request.justification)
                try:
                    package, _, parsed = package_purl(request.purl)
                except InputError as error:
                    raise InputError(f"purl {request.purl!r}: {error}") from None
                versions = [v for v in held.get(package, ()) if parsed.version in (None, v)]
                if not versions:
                    raise NotFoundError(
                        f"no component {request.purl!r} in version {version!r} of {project!r}"
                    )
            except InputError as error:
                out.append(error)
                continue
            group = set(groups[request.advisory])
            for ids in found_ids.get(package, ()):
                if group & ids:
                    group |= ids
            out.append(None)  # the decision, once inserted
            wanted.append(
                {
                    "project_id": found_project.id,
                    "version_id": found_version.id,
                    "package_purl": package,
                    "component_version": versions[0],
                    "advisory_id": request.advisory,
                    "advisory_ids": tuple(sorted(group)),
                    "state": request.state,
                    "justification": request.justification,
                    "comment": request.comment,
                    "carry_over_versions": request.carry_over_versions,
                    "author": actor.name,
                    "at": now,
                }
            )
        made = iter(insert_decisions(tx, tenant_id, wanted))
        results = [result if result is not None else next(made) for result in out]
        for decision in results:
            if isinstance(decision, StoredDecision):
                audit(
                    tx,
                    tenant_id,
                    actor,
                    "decision.create",
                    f"project:{project}/version:{version}",
                    {"purl": f"{decision.package_purl}@{decision.component_version}",
                     "advisory": decision.advisory_id, "state": decision.state},
                )  # fmt: skip
    return results
