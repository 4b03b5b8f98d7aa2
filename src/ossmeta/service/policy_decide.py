"""Deciding releases under a stored policy: what the package indexes call
(``decide_releases``, ``policy_inputs_marker``) and what ``ossmeta policy check`` shows.

Every decision made here is recorded: when it differs from the last one recorded for the
(policy, release), the new one is kept and an audit entry appended."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ossmeta.analyses.policy.engine import evaluate
from ossmeta.analyses.policy.model import Decision, Reason, UpstreamRelease
from ossmeta.errors import InputError, NotFoundError
from ossmeta.purls import InvalidPurl, parse_purl
from ossmeta.service.policy import engine_waiver, parsed_policy, waiver_keys
from ossmeta.service.policy_facts import FactsInput, PackageId, gather_facts, package_id
from ossmeta.store.curations import effective_package
from ossmeta.store.engine import Store
from ossmeta.store.policies import (
    RecordedDecision,
    StoredPolicy,
    append_audit,
    find_policy,
    list_waivers,
    recorded_decisions,
    save_decisions,
)
from ossmeta.store.policies_marker import inputs_marker
from ossmeta.store.tenancy import global_transaction

__all__ = [
    "CheckResult",
    "check",
    "decide_inventory",
    "decide_releases",
    "policy_inputs_marker",
    "redecide_releases",
]

_ECOSYSTEMS = ("pypi", "npm")


@dataclass(frozen=True)
class CheckResult:
    purl: str
    decision: Decision
    inputs: dict[str, Any]
    policy_version: int


def _digest(decision: Decision) -> str:
    parts = [decision.action, str(decision.dry_run), decision.waiver or ""]
    parts += sorted(f"{r.rule}:{r.advisory or ''}" for r in decision.reasons)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _missing(name: str, releases: Sequence[UpstreamRelease]) -> list[Decision]:
    # Fail closed: an index whose policy is gone serves nothing it cannot judge.
    reason = Reason("policy.missing", f"policy {name!r} is not applied")
    return [Decision("hide", (reason,), name) for _ in releases]


def _decide(
    store: Store, stored: StoredPolicy, releases: Sequence[UpstreamRelease], now: datetime
) -> tuple[list[Decision], list[FactsInput]]:
    policy = parsed_policy(stored)
    gathered = gather_facts(store, policy, releases)
    keys = {k for name in {r.name for r in releases} for k in waiver_keys(name)}
    with global_transaction(store) as tx:
        waivers = [engine_waiver(w) for w in list_waivers(tx, stored.id, keys, in_force_at=now)]
    decisions = [evaluate(policy, g.facts, waivers, now, version=stored.version) for g in gathered]
    return decisions, gathered


def _record(
    store: Store,
    stored: StoredPolicy,
    decisions: Sequence[Decision],
    gathered: Sequence[FactsInput],
    actor: str,
    now: datetime,
) -> int:
    """Keep each decision that differs from the last recorded one, and audit it; how many
    were kept."""
    by_package: dict[PackageId, list[tuple[str, Decision]]] = defaultdict(list)
    for decision, got in zip(decisions, gathered, strict=True):
        by_package[got.package].append((got.facts.version, decision))
    with global_transaction(store) as tx:
        audit: list[dict[str, Any]] = []
        for pid, made in by_package.items():
            known = recorded_decisions(tx, stored.id, pid.ecosystem, pid.key, (v for v, _ in made))
            changed = []
            entries = []
            for version, decision in dict(made).items():
                digest = _digest(decision)
                before = known.get(version)
                if before is not None and before.digest == digest:
                    continue
                record = RecordedDecision(decision.action, digest, stored.version)
                changed.append((version, record, before is not None))
                entries.append(_entry(stored, pid, version, decision, before, actor, now))
            if save_decisions(tx, stored.id, pid.ecosystem, pid.key, changed, now):
                audit += entries
        append_audit(tx, audit)
    return len(audit)


def _entry(
    stored: StoredPolicy,
    pid: PackageId,
    version: str,
    decision: Decision,
    before: RecordedDecision | None,
    actor: str,
    now: datetime,
) -> dict[str, Any]:
    return {
        "policy": stored.name,
        "actor": actor,
        "action": "decision",
        "target": f"{pid.purl}@{version}",
        "detail": {
            "action": decision.action,
            "was": None if before is None else before.action,
            "policy_version": stored.version,
            "dry_run": decision.dry_run,
            "waiver": decision.waiver,
            "reasons": [{"rule": r.rule, "message": r.message} for r in decision.reasons],
        },
        "at": now,
    }


def decide_releases(
    store: Store,
    policy_name: str,
    releases: Sequence[UpstreamRelease],
    now: datetime | None = None,
    *,
    actor: str = "index",
) -> list[Decision]:
    """The decisions of the policy named ``policy_name`` on ``releases``, in order: what
    the upstream says of each combined with what the center knows."""
    if not releases:
        return []
    moment = now or datetime.now(UTC)
    with global_transaction(store) as tx:
        stored = find_policy(tx, policy_name)
    if stored is None or stored.version == 0:
        return _missing(policy_name, releases)
    decisions, gathered = _decide(store, stored, releases, moment)
    _record(store, stored, decisions, gathered, actor, moment)
    return decisions


def decide_inventory(
    store: Store, stored: StoredPolicy, releases: Sequence[UpstreamRelease], now: datetime
) -> list[Decision]:
    """The decisions ``decide_releases`` makes, unrecorded: what a tenant's inventory
    shows (the same facts and engine, so an index and an inventory never disagree)."""
    return _decide(store, stored, releases, now)[0] if releases else []


def redecide_releases(
    store: Store,
    stored: StoredPolicy,
    releases: Sequence[UpstreamRelease],
    recorded: Sequence[bool],
    now: datetime,
    actor: str,
) -> tuple[int, int]:
    """Decide ``releases`` again and record (and audit) those of them flagged in
    ``recorded`` whose decision changed; the others only inform the facts (the version
    before a release, for the security-fix exemption). (Releases decided, changed.)"""
    if not releases:
        return 0, 0
    decisions, gathered = _decide(store, stored, releases, now)
    kept = [i for i, flag in enumerate(recorded) if flag]
    made = [decisions[i] for i in kept]
    return len(kept), _record(store, stored, made, [gathered[i] for i in kept], actor, now)


def policy_inputs_marker(store: Store, policy_name: str, ecosystem: str, name: str) -> str:
    """A value that changes whenever an input of the package's decisions changes (the
    policy's version, its waivers, advisories naming it, its curations); two queries."""
    pid = package_id(ecosystem, name)
    with global_transaction(store) as tx:
        stored = find_policy(tx, policy_name)
        if stored is None:
            return "no-policy"
        return inputs_marker(tx, stored.id, pid.osv, pid.key, waiver_keys(name), pid.purl)


def check(
    store: Store, purl: str, policy_name: str, now: datetime | None = None, *, actor: str = "cli"
) -> CheckResult:
    """The decision on one release (a purl with a version) from what the center knows of
    it, with every rule that fired and the inputs read."""
    try:
        parsed = parse_purl(purl.strip())
    except InvalidPurl as error:
        raise InputError(str(error)) from None
    if parsed.type not in _ECOSYSTEMS or not parsed.version:
        raise InputError(f"{purl}: a pkg:pypi/NAME@VERSION or pkg:npm/NAME@VERSION purl")
    name = f"{parsed.namespace}/{parsed.name}" if parsed.namespace else parsed.name
    moment = now or datetime.now(UTC)
    pid = package_id(parsed.type, name)
    with global_transaction(store) as tx:
        stored = find_policy(tx, policy_name)
        record = effective_package(tx, pid.purl)
    if stored is None or stored.version == 0:
        raise NotFoundError(
            f"no policy {policy_name!r} (apply one with: ossmeta policy apply FILE)"
        )
    # Every version the center knows, so that "fixes an advisory of the version before"
    # can be judged; the one asked for is added when the center does not know it.
    known = {v.version: v for v in record.versions} if record else {}
    releases = [
        UpstreamRelease(
            parsed.type,
            name,
            v.version,
            v.published,
            None,  # the center's licence is read as the center's (after curations)
            v.yanked,
            bool(v.deprecated),
        )
        for v in known.values()
    ]
    if parsed.version not in known:
        releases.append(UpstreamRelease(parsed.type, name, parsed.version, None))
    decisions, gathered = _decide(store, stored, releases, moment)
    index = next(i for i, r in enumerate(releases) if r.version == parsed.version)
    _record(store, stored, [decisions[index]], [gathered[index]], actor, moment)
    inputs = dict(gathered[index].inputs)
    inputs["center_knows_version"] = parsed.version in known
    return CheckResult(f"{pid.purl}@{parsed.version}", decisions[index], inputs, stored.version)
