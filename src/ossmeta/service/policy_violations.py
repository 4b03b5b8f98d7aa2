"""Policy violations on a tenant's inventories, as Dependency-Track shows them: the
tenant's policy evaluated on every component of a project version with the same facts
gathering (``policy_facts.gather_facts``) and the same ``evaluate`` as the package
indexes, so that an index and an inventory never disagree on a release.

Which policy judges a tenant's inventories (a simple rule, documented in the README):
 1. the policy applied for the tenant (``ossmeta policy apply FILE --tenant T``); when the
    tenant owns several, the one applied most recently;
 2. otherwise the operator-wide policy named by ``OSSMETA_TENANT_POLICY`` (default
    ``default``), when it exists;
 3. otherwise none: the inventory has no violations and says why.

Violations are derived when read, from the current facts, waivers and policy version: they
follow every change of their inputs (advisories, curations, policy, waivers and their
expiry) without a stored copy to keep in step. Components are judged in slices, a few
queries per slice, never one query per component.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from ossmeta.analyses.policy.model import Decision, Reason
from ossmeta.ecosystems import ECOSYSTEM_TO_PURL_TYPE
from ossmeta.service.inventories import project_version
from ossmeta.service.policy_decide import decide_inventory
from ossmeta.service.policy_facts import package_id
from ossmeta.service.policy_releases import center_releases
from ossmeta.store import inventories as rows
from ossmeta.store.engine import Store
from ossmeta.store.policies import StoredPolicy, list_policies
from ossmeta.store.tenancy import global_transaction, tenant_transaction

__all__ = [
    "CLASSES",
    "Violation",
    "ViolationReport",
    "rule_class",
    "tenant_policy",
    "version_violations",
]

ViolationClass = Literal["license", "security", "operational"]
CLASSES: tuple[ViolationClass, ...] = ("license", "security", "operational")
DEFAULT_POLICY_ENV = "OSSMETA_TENANT_POLICY"
_ECOSYSTEMS = ("pypi", "npm")  # the ecosystems a policy judges
_SLICE = 500


def rule_class(rule: str) -> ViolationClass:
    """Every rule's class: advisories are security, licences licence, everything else
    (health, maintenance, deprecated, yanked, cooldown, a missing policy) operational."""
    if rule.startswith("security."):
        return "security"
    if rule.startswith("licenses."):
        return "license"
    return "operational"


@dataclass(frozen=True)
class Violation:
    position: int  # the component's position in the inventory
    purl: str  # the component's purl with its version
    action: str  # what the index does with the release: deny or hide
    klass: ViolationClass
    rule: str
    message: str
    advisory: str | None
    policy: str
    policy_version: int
    waived: bool
    waiver: str | None
    dry_run: bool


@dataclass(frozen=True)
class ViolationReport:
    policy: str | None  # None: no policy judges this tenant's inventories
    policy_version: int | None
    components: int  # components judged (pypi and npm with a version)
    violations: tuple[Violation, ...]

    def summary(self) -> dict[str, object]:
        """Counts for the project version document (waived ones apart)."""
        active = [v for v in self.violations if not v.waived]
        return {
            "policy": self.policy,
            "policy_version": self.policy_version,
            "total": len(active),
            "waived": len(self.violations) - len(active),
            "by_class": {c: sum(1 for v in active if v.klass == c) for c in CLASSES},
            "components": len({v.position for v in active}),
        }


def tenant_policy(store: Store, tenant_id: int) -> StoredPolicy | None:
    """The policy that judges the tenant's inventories (see the module's rule)."""
    with global_transaction(store) as tx:
        found = [p for p in list_policies(tx) if p.version > 0]
    owned = [p for p in found if p.tenant_id == tenant_id]
    if owned:
        return max(owned, key=lambda p: (p.applied_at or datetime.min.replace(tzinfo=UTC), p.id))
    name = os.environ.get(DEFAULT_POLICY_ENV, "").strip() or "default"
    return next((p for p in found if p.tenant_id is None and p.name == name), None)


def _judge(
    store: Store,
    stored: StoredPolicy,
    part: Sequence[tuple[int, str, str, str]],
    now: datetime,
) -> list[tuple[int, str, Decision]]:
    """Decisions on a slice of (position, purl type, name, version)."""
    wanted: dict[tuple[str, str], set[str]] = defaultdict(set)
    for _, kind, name, version in part:
        wanted[(kind, name)].add(version)
    built = center_releases(store, wanted)
    decided = decide_inventory(store, stored, built.releases, now)
    by_release = {
        (r.ecosystem, r.name, r.version): d for r, d in zip(built.releases, decided, strict=True)
    }
    return [
        (position, f"{package_id(kind, name).purl}@{version}", by_release[(kind, name, version)])
        for position, kind, name, version in part
    ]


def _violations(
    position: int, purl: str, decision: Decision, stored: StoredPolicy
) -> list[Violation]:
    def one(reason: Reason) -> Violation:
        # A waiver lifts every reason but a malicious package (as the engine does).
        waived = decision.waiver is not None and reason.rule != "security.malicious"
        return Violation(
            position,
            purl,
            decision.action if not waived else "allow",
            rule_class(reason.rule),
            reason.rule,
            reason.message,
            reason.advisory,
            stored.name,
            stored.version,
            waived,
            decision.waiver if waived else None,
            decision.dry_run,
        )

    return [one(r) for r in decision.reasons]


def version_violations(
    store: Store,
    tenant_id: int,
    project: str,
    version: str,
    *,
    now: datetime | None = None,
) -> ViolationReport:
    """Every violation of the tenant's policy by the components of a project version,
    in component order (``NotFoundError`` for a missing project or version)."""
    moment = now or datetime.now(UTC)
    with tenant_transaction(store, tenant_id) as tx:
        _, found = project_version(tx, tenant_id, project, version)
        stored_inventory = rows.load_inventory(tx, tenant_id, found)
    stored = tenant_policy(store, tenant_id)
    judged: list[tuple[int, str, str, str]] = []
    for position, report in enumerate(stored_inventory.reports):
        component = report.component
        kind = ECOSYSTEM_TO_PURL_TYPE.get(component.ecosystem or "")
        if kind in _ECOSYSTEMS and component.version:
            judged.append((position, kind, component.name, component.version))
    if stored is None:
        return ViolationReport(None, None, len(judged), ())
    out: list[Violation] = []
    for start in range(0, len(judged), _SLICE):
        for position, purl, decision in _judge(
            store, stored, judged[start : start + _SLICE], moment
        ):
            out.extend(_violations(position, purl, decision, stored))
    return ViolationReport(stored.name, stored.version, len(judged), tuple(out))
