"""The policy engine: one release's facts and a policy in, a ``Decision`` out. Pure: no
store, no clock (``now`` is given), so ``policy test`` and the indexes decide alike.

Every rule that fires is a ``Reason``; the decision's action is the most severe of theirs
(deny over hide over allow). A waiver in force for the release turns deny and hide into
allow and is named in the decision, but never lifts a malicious-package advisory: a waiver
is a judgement on a risk, and malware is not a risk to accept. First-party names are exempt
from every rule.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ossmeta.analyses.policy.config import Policy
from ossmeta.analyses.policy.licenses import judge_license
from ossmeta.analyses.policy.model import Action, Decision, Reason
from ossmeta.analyses.policy.waivers import Waiver, waiver_covers
from ossmeta.model import SeverityLevel

__all__ = ["AdvisoryFact", "ReleaseFacts", "evaluate", "is_first_party"]

_RANK: dict[Action, int] = {"allow": 0, "hide": 1, "deny": 2}


def _most_severe(actions: Sequence[Action]) -> Action:
    worst: Action = "allow"
    for action in actions:
        if _RANK[action] > _RANK[worst]:
            worst = action
    return worst


@dataclass(frozen=True)
class AdvisoryFact:
    """An advisory affecting the release (its exact version)."""

    id: str
    severity: SeverityLevel = SeverityLevel.UNKNOWN
    aliases: tuple[str, ...] = ()
    malicious: bool = False  # a MAL- record, or aliased to one

    @property
    def is_malicious(self) -> bool:
        return self.malicious or any(i.startswith("MAL-") for i in (self.id, *self.aliases))


@dataclass(frozen=True)
class ReleaseFacts:
    """What a policy reads about one release: the upstream's facts combined with the
    center's (advisories, curated licence, health)."""

    ecosystem: str  # "pypi" or "npm"
    name: str
    version: str
    published: datetime | None = None  # upstream upload time (UTC)
    license: str | None = None  # the effective SPDX expression; None when unknown
    advisories: tuple[AdvisoryFact, ...] = ()
    health_score: float | None = None
    maintenance: str | None = None  # active | slowing | inactive | archived; None unknown
    deprecated: bool = False
    yanked: bool = False
    # Advisories affecting the version before this one that this one no longer has.
    fixes_advisories: tuple[str, ...] = ()


def is_first_party(policy: Policy, name: str) -> bool:
    folded = name.casefold()
    return any(fnmatch.fnmatchcase(folded, p.casefold()) for p in policy.first_party)


def evaluate(
    policy: Policy,
    facts: ReleaseFacts,
    waivers: Sequence[Waiver] = (),
    now: datetime | None = None,
    *,
    version: int | None = None,
) -> Decision:
    """The decision of ``policy`` (stored as ``version``) on one release, at ``now``."""
    base = Decision("allow", (), policy.name, version, policy.dry_run)
    if is_first_party(policy, facts.name):
        return base
    fired: list[tuple[Action, Reason]] = []
    fired += _security(policy, facts)
    fired += _licenses(policy, facts)
    fired += _health(policy, facts)
    cooldown, until = _cooldown(policy, facts, now)
    fired += cooldown
    action = _most_severe([a for a, _ in fired])
    decision = replace(base, action=action, reasons=tuple(r for _, r in fired), valid_until=until)
    if action == "allow":
        return decision
    return _waived(decision, fired, facts, waivers, now)


def _waived(
    decision: Decision,
    fired: list[tuple[Action, Reason]],
    facts: ReleaseFacts,
    waivers: Sequence[Waiver],
    now: datetime | None,
) -> Decision:
    usable = [
        w for w in waivers if waiver_covers(w, facts.ecosystem, facts.name, facts.version, now)
    ]
    if not usable:
        return decision
    # The one that lasts longest (None: no expiry) names the decision.
    chosen = max(usable, key=lambda w: (w.expires_at is None, w.expires_at or datetime.min))
    unliftable = [(a, r) for a, r in fired if r.rule == "security.malicious"]
    action = _most_severe([a for a, _ in unliftable])
    candidates = [t for t in (decision.valid_until, chosen.expires_at) if t is not None]
    return replace(
        decision,
        action=action,
        waiver=chosen.label,
        valid_until=min(candidates) if candidates else None,
    )


def _security(policy: Policy, facts: ReleaseFacts) -> list[tuple[Action, Reason]]:
    rules = policy.security
    out: list[tuple[Action, Reason]] = []
    for advisory in sorted(facts.advisories, key=lambda a: a.id):
        if advisory.is_malicious:
            message = f"{advisory.id} reports a malicious package"
            out.append((rules.malicious, Reason("security.malicious", message, advisory.id)))
            continue
        floor = rules.deny_at_or_above
        level = advisory.severity
        if floor is None:
            continue
        if level is SeverityLevel.UNKNOWN or level >= floor:
            shown = "of unknown severity" if level is SeverityLevel.UNKNOWN else f"is {level.label}"
            out.append(
                (
                    "deny",
                    Reason("security.deny_at_or_above", f"{advisory.id} {shown}", advisory.id),
                )
            )
    return out


def _licenses(policy: Policy, facts: ReleaseFacts) -> list[tuple[Action, Reason]]:
    rules = policy.licenses
    if rules.allow is None and not rules.deny and rules.unknown == "allow":
        return []
    verdict = judge_license(facts.license, rules)
    shown = ", ".join(verdict.keys)
    if verdict.outcome == "denied":
        return [("deny", Reason("licenses.deny", f"licence {shown} is denied"))]
    if verdict.outcome == "not_allowed":
        return [("deny", Reason("licenses.allow", f"licence {shown} is not on the allow list"))]
    if verdict.outcome == "unknown" and rules.unknown != "allow":
        what = f"licence {shown!r} is unknown" if shown else "the licence is unknown"
        return [(rules.unknown, Reason("licenses.unknown", what))]
    return []


def _health(policy: Policy, facts: ReleaseFacts) -> list[tuple[Action, Reason]]:
    rules = policy.health
    out: list[tuple[Action, Reason]] = []
    # An unknown score or status does not fire: the center not knowing a package is not
    # evidence against it (the security and licence rules carry their own unknown rules).
    score, floor = facts.health_score, rules.min_score
    if floor is not None and score is not None and score < floor:
        message = f"health score {score:g} is below {floor:g}"
        out.append(("deny", Reason("health.min_score", message)))
    if facts.maintenance is not None and facts.maintenance in rules.maintenance_deny:
        message = f"the repository is {facts.maintenance}"
        out.append(("deny", Reason("health.maintenance_deny", message)))
    if rules.deny_deprecated and facts.deprecated:
        out.append(("deny", Reason("health.deny_deprecated", "deprecated upstream")))
    if rules.deny_yanked and facts.yanked:
        out.append(("deny", Reason("health.deny_yanked", "yanked upstream")))
    return out


def _cooldown(
    policy: Policy, facts: ReleaseFacts, now: datetime | None
) -> tuple[list[tuple[Action, Reason]], datetime | None]:
    rules = policy.cooldown
    if rules.min_age_days is None or rules.min_age_days == 0:
        return [], None
    if rules.security_fix_exempt and facts.fixes_advisories:
        return [], None
    if facts.published is None or now is None:
        if rules.unknown_age == "allow":
            return [], None
        what = "no upload time is known" if facts.published is None else "no time to judge age"
        return [(rules.unknown_age, Reason("cooldown.unknown_age", what))], None
    ready = facts.published + timedelta(days=rules.min_age_days)
    if now >= ready:
        return [], None
    age = max(0.0, (now - facts.published).total_seconds() / 86400)
    message = (
        f"published {age:.1f} days ago; the cooldown is {rules.min_age_days:g} days "
        f"(until {ready.isoformat(timespec='seconds')})"
    )
    return [("deny", Reason("cooldown.min_age_days", message))], ready
