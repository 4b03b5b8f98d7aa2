"""The facts a policy reads about releases: what the upstream says (upload time, declared
licence, yanked, deprecated) combined with what the center holds (advisories affecting the
exact version, an approved licence curation, health and maintenance of the package).

Set-based: one advisory query for every package asked, one package load, so a
300-version project costs a handful of queries, not one per version."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import Any

from ossmeta.analyses.matcher import CompiledAffected
from ossmeta.analyses.policy.config import Policy
from ossmeta.analyses.policy.engine import AdvisoryFact, ReleaseFacts
from ossmeta.analyses.policy.model import UpstreamRelease
from ossmeta.ecosystems import PURL_TYPE_TO_ECOSYSTEM, name_key
from ossmeta.model import UNKNOWN_SEVERITY, PackageRecord, PackageStatus, Verdict
from ossmeta.normalizers.licenses import normalize_license
from ossmeta.purls import build_purl
from ossmeta.store.curations import effective_packages
from ossmeta.store.engine import Store
from ossmeta.store.lookup import AdvisoryLookup
from ossmeta.store.tenancy import global_transaction
from ossmeta.versions import try_version_key

__all__ = ["FactsInput", "PackageId", "gather_facts", "package_id"]


@dataclass(frozen=True)
class PackageId:
    ecosystem: str  # purl type: pypi | npm
    osv: str  # OSV ecosystem: PyPI | npm
    key: str  # the advisory store's name key
    purl: str  # canonical package purl (how curations and packages are keyed)


@dataclass(frozen=True)
class FactsInput:
    """One release's facts and what they were read from (``policy check`` shows it)."""

    facts: ReleaseFacts
    package: PackageId
    inputs: dict[str, Any] = field(default_factory=dict)


@lru_cache(maxsize=4096)
def package_id(ecosystem: str, name: str) -> PackageId:
    osv = PURL_TYPE_TO_ECOSYSTEM.get(ecosystem, ecosystem)
    purl = build_purl(osv, name, None) or f"pkg:{ecosystem}/{name}"
    return PackageId(ecosystem, osv, name_key(osv, name), purl)


def _advisory_facts(
    store: Store, packages: set[PackageId], releases: Sequence[UpstreamRelease]
) -> dict[tuple[PackageId, str], tuple[AdvisoryFact, ...]]:
    lookup = AdvisoryLookup(store)
    rows = lookup.affected_for({(p.osv, p.key) for p in packages})
    ids = {r.advisory_id for found in rows.values() for r in found}
    if not ids:
        return {}
    groups = lookup.groups_for(ids)
    stored = lookup.advisories(ids)
    compiled = {k: [(r, CompiledAffected(r.entry)) for r in found] for k, found in rows.items()}
    out: dict[tuple[PackageId, str], tuple[AdvisoryFact, ...]] = {}
    for release in releases:
        pid = package_id(release.ecosystem, release.name)
        hits: dict[str, AdvisoryFact] = {}
        for row, entry in compiled.get((pid.osv, pid.key), []):
            # UNKNOWN (an unparseable range) counts as affected: a policy must not let a
            # release through because a range could not be read.
            if row.advisory_id in hits or entry.evaluate(release.version).verdict is (
                Verdict.NOT_AFFECTED
            ):
                continue
            record = stored.get(row.advisory_id)
            severity = row.entry.severity or (record.severity if record else UNKNOWN_SEVERITY)
            aliases = tuple(a for a in groups.get(row.advisory_id, ()) if a != row.advisory_id)
            hits[row.advisory_id] = AdvisoryFact(row.advisory_id, severity.level, aliases)
        out[(pid, release.version)] = tuple(hits[k] for k in sorted(hits))
    return out


def _fixes(
    releases: Sequence[UpstreamRelease],
    advisories: dict[tuple[PackageId, str], tuple[AdvisoryFact, ...]],
) -> dict[tuple[PackageId, str], tuple[str, ...]]:
    """Per release: advisories affecting the version just before it (in the ecosystem's
    order, among the releases given) that do not affect it."""
    by_package: dict[PackageId, list[str]] = defaultdict(list)
    for release in releases:
        by_package[package_id(release.ecosystem, release.name)].append(release.version)
    out: dict[tuple[PackageId, str], tuple[str, ...]] = {}
    for pid, versions in by_package.items():
        keyed = [(try_version_key(pid.osv, v), v) for v in set(versions)]
        ordered = [v for k, v in sorted((k, v) for k, v in keyed if k is not None)]
        for before, after in pairwise(ordered):
            old = {a.id for a in advisories.get((pid, before), ())}
            new = {a.id for a in advisories.get((pid, after), ())}
            if old - new:
                out[(pid, after)] = tuple(sorted(old - new))
    return out


def _hardened(
    store: Store,
    packages: set[PackageId],
    advisories: dict[tuple[PackageId, str], tuple[AdvisoryFact, ...]],
) -> tuple[
    dict[tuple[PackageId, str], tuple[AdvisoryFact, ...]], dict[tuple[PackageId, str], set[str]]
]:
    """A hardened release (``X+trusted.N``) is affected only by the advisories it does not
    fix, and those it fixes count as fixed by it (they affect ``X``, the version it
    replaces), as the scan's VEX reading has it. The advisories with the fixed ones left
    out, and per hardened release the ids it fixes."""
    statements = AdvisoryLookup(store).hardened_for({(p.osv, p.key) for p in packages})
    if not statements:
        return advisories, {}
    kept = dict(advisories)
    fixed: dict[tuple[PackageId, str], set[str]] = defaultdict(set)
    for (pid, version), found in advisories.items():
        mine = try_version_key(pid.osv, version)
        for statement in statements.get((pid.osv, pid.key), ()):
            theirs = try_version_key(pid.osv, statement.version)
            if statement.version != version and (mine is None or mine != theirs):
                continue
            # Malware is never "fixed" by a rebuild: a malicious record stays.
            gone = {
                a.id
                for a in found
                if not a.is_malicious
                and not statement.fixes.isdisjoint(i.casefold() for i in (a.id, *a.aliases))
            }
            kept[(pid, version)] = tuple(a for a in found if a.id not in gone)
            fixed[(pid, version)] |= gone
    return kept, fixed


def _license(
    release: UpstreamRelease, record: PackageRecord | None
) -> tuple[str | None, dict[str, Any]]:
    """The effective SPDX expression: an approved curation first, then what the upstream
    declares, then what the center holds for the version."""
    stored = None
    if record is not None:
        stored = next((v.license for v in record.versions if v.version == release.version), None)
        curated = stored if stored and stored.confidence == "curated" else None
        if curated is None and record.license and record.license.confidence == "curated":
            curated = record.license
        if curated is not None:
            return curated.spdx, {"value": curated.spdx, "source": curated.source}
    if release.license:
        normal = normalize_license(release.license)
        return normal.spdx, {
            "value": normal.spdx,
            "declared": release.license,
            "source": "upstream",
            "confidence": normal.confidence,
        }
    if stored is not None:
        return stored.spdx, {"value": stored.spdx, "source": stored.source}
    return None, {"value": None, "source": None}


def _center(
    store: Store, policy: Policy, purls: set[str], versions: dict[str, set[str]]
) -> tuple[dict[str, PackageRecord | None], dict[tuple[str, str], float | None], dict[str, str]]:
    """Packages (curations applied); health scores and maintenance only when the policy
    reads them (scoring costs more than everything else together)."""
    if policy.health.min_score is None and not policy.health.maintenance_deny:
        # Only the packages (curations applied): the center's other loads serve health.
        with global_transaction(store) as tx:
            found = effective_packages(tx, purls)
        return {purl: found.get(purl) for purl in purls}, {}, {}
    from ossmeta.service.inventories_center import Center

    center = Center(store)
    center.load(purls)
    scores: dict[tuple[str, str], float | None] = {}
    maintenance: dict[str, str] = {}
    for purl in purls:
        record = center.package(purl)
        if record is None:
            continue
        if policy.health.min_score is not None:
            for version in versions.get(purl, ()):
                value = center.health(record, version).get("value")
                scores[(purl, version)] = None if value is None else float(value)
        if policy.health.maintenance_deny and record.repository:
            statuses = [
                m
                for m in center.repo_metrics(record.repository)
                if m.metric == "maintenance_status"
            ]
            if statuses and isinstance(statuses[-1].detail, str):
                maintenance[purl] = statuses[-1].detail
    return center.packages, scores, maintenance


def gather_facts(
    store: Store, policy: Policy, releases: Sequence[UpstreamRelease]
) -> list[FactsInput]:
    """Facts of each release, in order."""
    pids = [package_id(r.ecosystem, r.name) for r in releases]
    packages = set(pids)
    advisories = _advisory_facts(store, packages, releases)
    # The ordering exemption reads the advisories as published (a hardened release does not
    # hide that the upstream release after it fixes them), then hardened fixes are applied.
    fixes = _fixes(releases, advisories)
    advisories, hardened_fixes = _hardened(store, packages, advisories)
    for key, ids in hardened_fixes.items():
        fixes[key] = tuple(sorted({*fixes.get(key, ()), *ids}))
    versions: dict[str, set[str]] = defaultdict(set)
    for pid, release in zip(pids, releases, strict=True):
        versions[pid.purl].add(release.version)
    records, scores, maintenance = _center(store, policy, {p.purl for p in packages}, versions)
    out = []
    for pid, release in zip(pids, releases, strict=True):
        record = records.get(pid.purl)
        license_value, license_input = _license(release, record)
        found = advisories.get((pid, release.version), ())
        deprecated = release.deprecated or (
            record is not None and record.status is PackageStatus.DEPRECATED
        )
        facts = ReleaseFacts(
            ecosystem=release.ecosystem,
            name=release.name,
            version=release.version,
            published=release.published,
            license=license_value,
            advisories=found,
            health_score=scores.get((pid.purl, release.version)),
            maintenance=maintenance.get(pid.purl),
            deprecated=deprecated,
            yanked=release.yanked,
            fixes_advisories=fixes.get((pid, release.version), ()),
        )
        inputs = {
            "published": None if release.published is None else release.published.isoformat(),
            "license": license_input,
            "advisories": [
                {"id": a.id, "severity": a.severity.label, "aliases": list(a.aliases)}
                for a in found
            ],
            "fixes_advisories": list(facts.fixes_advisories),
            "health_score": facts.health_score,
            "maintenance": facts.maintenance,
            "deprecated": deprecated,
            "yanked": release.yanked,
            "center_knows_package": record is not None,
        }
        out.append(FactsInput(facts, pid, inputs))
    return out
