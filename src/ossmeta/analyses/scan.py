"""The scan: components in, findings per alias group out, with fixed versions, the
smallest clearing upgrade, and the ignore file applied to whole alias groups.

Numbered steps, each a small function:
 1. look up the affected entries of every (ecosystem, name) in one pass over the store;
 2. evaluate each component version against each entry (matcher);
 3. fold the matching records into alias groups (one finding per group per component);
 4. apply the hardened releases' statements (a hardened version is not affected by what
    it fixes), then the ignore rules (expired rules are reported, not applied; unused ones
    reported);
 5. work out the smallest upgrade for each vulnerable component.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from typing import Protocol

from ossmeta.analyses.matcher import CompiledAffected, Outcome
from ossmeta.ecosystems import NATIVE_ID_PREFIXES, base_ecosystem, name_key, osv_version
from ossmeta.model import (
    UNKNOWN_SEVERITY,
    Affected,
    Component,
    ComponentReport,
    Finding,
    IgnoreRule,
    Location,
    ScanReport,
    Severity,
    Verdict,
)
from ossmeta.normalizers.distros import RELEASE_SCOPED, coverage_notes, release_matches
from ossmeta.store.hardened import HardenedStatement
from ossmeta.store.lookup import StoredAdvisory, StoredAffected
from ossmeta.versions import ordering_for, try_version_key


class AdvisorySource(Protocol):
    def affected_for(
        self, keys: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], list[StoredAffected]]: ...
    def groups_for(self, ids: Iterable[str]) -> dict[str, tuple[str, ...]]: ...
    def advisories(self, ids: Iterable[str]) -> dict[str, StoredAdvisory]: ...


Hit = tuple[str, CompiledAffected, Outcome]  # (record id, entry, outcome)

#: Entries stay compiled between scans, by the identity of the entry object: the lookup
#: hands out one object per row content (hashing an entry costs about what compiling it
#: does). Each value holds its entry, so an id cannot be reused while it is remembered.
_COMPILED: dict[int, tuple[Affected, CompiledAffected]] = {}
_COMPILED_MAX = 8192


def _compiled(entry: Affected) -> CompiledAffected:
    found = _COMPILED.get(id(entry))
    if found is not None and found[0] is entry:
        return found[1]
    if len(_COMPILED) >= _COMPILED_MAX:
        _COMPILED.clear()
    compiled = CompiledAffected(entry)
    _COMPILED[id(entry)] = (entry, compiled)
    return compiled


def _package_key(component: Component) -> tuple[str, str] | None:
    """(base ecosystem, name key): the store indexes ``Debian:12`` records under ``Debian``;
    which release a record applies to is decided per component (``_for_release``)."""
    if component.ecosystem is None or component.version is None:
        return None
    return base_ecosystem(component.ecosystem), name_key(component.ecosystem, component.name)


def _for_release(
    ecosystem: str, entries: list[tuple[str, CompiledAffected]]
) -> Iterator[tuple[str, CompiledAffected, bool]]:
    """The entries whose distribution release applies to a component of ``ecosystem``
    (``Debian:12`` records to Debian 12 packages only), each with whether that is known:
    False when the record names a release and the component names none."""
    if base_ecosystem(ecosystem) not in RELEASE_SCOPED:
        for record_id, entry in entries:
            yield record_id, entry, True
        return
    for record_id, entry in entries:
        matches = release_matches(ecosystem, entry.entry.ecosystem)
        if matches is not False:
            yield record_id, entry, matches is True


def choose_id(members: Sequence[str], ecosystem: str) -> str:
    """The ecosystem database's own id, else GHSA, else CVE, else the smallest id."""
    native = NATIVE_ID_PREFIXES.get(ecosystem, ())

    def rank(member: str) -> tuple[int, str]:
        if member.startswith(native) if native else False:
            return 0, member
        if member.startswith("GHSA-"):
            return 1, member
        if member.startswith("CVE-"):
            return 2, member
        return 3, member

    return min(members, key=rank)


def _worst(severities: Iterable[Severity]) -> Severity:
    best = UNKNOWN_SEVERITY
    for severity in severities:
        if (severity.level, severity.score or 0.0) > (best.level, best.score or 0.0):
            best = severity
    return best


def _fixed_versions(ecosystem: str, hits: list[Hit]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for _, compiled, _ in hits:
        for rng in compiled.entry.ranges:
            if rng.type == "GIT":
                continue  # commit hashes, not versions a user can upgrade to
            for event in rng.events:
                if event.kind == "fixed":
                    seen.setdefault(event.version)
    parsed = [(try_version_key(ecosystem, osv_version(ecosystem, v)), v) for v in seen]
    ordered = sorted((p for p in parsed if p[0] is not None), key=lambda p: _Key(p[0]))
    return tuple(v for _, v in ordered) + tuple(v for k, v in parsed if k is None)


class _Key:
    __slots__ = ("key",)

    def __init__(self, key: object) -> None:
        self.key = key

    def __lt__(self, other: _Key) -> bool:
        return bool(self.key < other.key)  # type: ignore[operator]


def smallest_upgrade(
    component: Component, entries: list[CompiledAffected]
) -> tuple[str | None, str | None]:
    """The smallest version above the current one that no known advisory affects.

    Candidates are the ``fixed`` versions the advisories name (a listed or ``introduced``
    version is affected by definition, and the release after a ``last_affected`` is not
    known); we do not know the registry's releases yet, so a clearing version that no
    advisory mentions cannot be proposed."""
    assert component.ecosystem is not None and component.version is not None
    ecosystem = base_ecosystem(component.ecosystem)
    ordering = ordering_for(ecosystem)
    current = try_version_key(ecosystem, osv_version(ecosystem, component.version))
    if ordering is None or current is None:
        return None, f"cannot order {ecosystem} versions of {component.version!r}"
    stable_only = not ordering.is_prerelease(osv_version(ecosystem, component.version))
    names = {
        event.version
        for compiled in entries
        for rng in compiled.entry.ranges
        if rng.type != "GIT"
        for event in rng.events
        if event.kind == "fixed"
    }
    candidates = []
    for text in names:
        key = try_version_key(ecosystem, osv_version(ecosystem, text))
        if key is None or not current < key:
            continue
        if stable_only and ordering.is_prerelease(osv_version(ecosystem, text)):
            continue
        candidates.append((key, text))
    candidates.sort(key=lambda c: _Key(c[0]))
    # Consecutive candidates are usually blocked by the same advisory: asking the entry
    # that blocked the last candidate first makes most rejections one evaluation.
    order = list(entries)
    for _, text in candidates:
        for position, compiled in enumerate(order):
            if compiled.evaluate(text).verdict is not Verdict.NOT_AFFECTED:
                order.insert(0, order.pop(position))
                break
        else:
            return text, None
    if not candidates:
        return None, "the advisories name no fixed version above this one"
    return None, "no fixed version named by the advisories clears all of them"


def _ignore_for(
    members: Sequence[str], chosen: str, rules: Sequence[IgnoreRule]
) -> IgnoreRule | None:
    wanted = {m.casefold() for m in members} | {chosen.casefold()}
    for rule in rules:
        if rule.id.casefold() in wanted:
            return rule
    return None


#: Where a hardened release's statement comes from, as an ignore rule's location.
HARDENED_SOURCE = Location("ossmeta hardened")


def _hardened_statements(
    source: AdvisorySource, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], list[HardenedStatement]]:
    """The hardened versions among the packages scanned. A source that knows none (one
    without ``hardened_for``: a prefetched set of advisories) gives none."""
    statements_for = getattr(source, "hardened_for", None)
    if statements_for is None:
        return {}
    found: dict[tuple[str, str], list[HardenedStatement]] = statements_for(keys)
    return found


def _hardened_for(
    component: Component,
    key: tuple[str, str],
    statements: dict[tuple[str, str], list[HardenedStatement]],
) -> HardenedStatement | None:
    """The statement of the hardened version the component is, by the ecosystem's equality
    (PyPI ``1.2.3+Trusted.1`` is ``1.2.3+trusted.1``); never the upstream version's."""
    assert component.version is not None
    ecosystem = key[0]
    mine = osv_version(ecosystem, component.version)
    own_key = try_version_key(ecosystem, mine)
    for statement in statements.get(key, ()):
        if statement.version == mine:
            return statement
        other = try_version_key(ecosystem, osv_version(ecosystem, statement.version))
        if own_key is not None and other is not None and own_key == other:
            return statement
    return None


def _evaluate(
    components: Sequence[Component],
    package_keys: Sequence[tuple[str, str] | None],
    compiled: dict[tuple[str, str], list[tuple[str, CompiledAffected]]],
) -> list[list[Hit]]:
    """Step 2: every (component, affected entry) pair that is not clearly unaffected."""
    out: list[list[Hit]] = []
    for component, key in zip(components, package_keys, strict=True):
        hits: list[Hit] = []
        if key is not None and key in compiled:
            assert component.ecosystem is not None and component.version is not None
            for record_id, entry, known in _for_release(component.ecosystem, compiled[key]):
                outcome = entry.evaluate(component.version)
                if outcome.verdict is Verdict.NOT_AFFECTED:
                    continue
                if not known:
                    outcome = Outcome(
                        Verdict.UNKNOWN,
                        f"{entry.entry.ecosystem}: {outcome.reason}, but the package names no "
                        f"{key[0]} release to match it against",
                    )
                hits.append((record_id, entry, outcome))
        out.append(hits)
    return out


def _finding(
    ecosystem: str, members: tuple[str, ...], hits: list[Hit], infos: dict[str, StoredAdvisory]
) -> Finding:
    """Step 3: the records of one alias group that matched one component, as one finding.
    Affected beats unknown; the severity is the worst the matching records give (package
    level first), else the worst any record of the group gives."""
    affected_hits = [h for h in hits if h[2].verdict is Verdict.AFFECTED]
    relevant = affected_hits or hits
    # A distribution's group spans its releases (DSA for Debian 12, DLA for Debian 11): the
    # id shown is one of the records that applies to this package's release.
    shown = tuple(sorted({h[0] for h in relevant})) if ecosystem in RELEASE_SCOPED else members
    chosen = choose_id(shown, ecosystem)
    severity = _worst(
        h[1].entry.severity or (infos[h[0]].severity if h[0] in infos else UNKNOWN_SEVERITY)
        for h in relevant
    )
    if severity is UNKNOWN_SEVERITY:
        severity = _worst(infos[m].severity for m in members if m in infos)
    described = infos.get(chosen) or next((infos[h[0]] for h in relevant if h[0] in infos), None)
    return Finding(
        id=chosen,
        aliases=tuple(m for m in members if m != chosen),
        verdict=Verdict.AFFECTED if affected_hits else Verdict.UNKNOWN,
        severity=severity,
        fixed=_fixed_versions(ecosystem, relevant),
        summary=described.summary if described else "",
        reason="; ".join(dict.fromkeys(f"{h[0]}: {h[2].reason}" for h in relevant)),
        records=tuple(sorted({h[0] for h in relevant})),
    )


def scan(
    components: Sequence[Component],
    source: AdvisorySource,
    ignores: Sequence[IgnoreRule] = (),
    today: date | None = None,
    inputs: Sequence[str] = (),
) -> ScanReport:
    today = today or date.today()
    active = [r for r in ignores if r.expires is None or r.expires >= today]
    expired = tuple(r for r in ignores if r.expires is not None and r.expires < today)

    # 1. one lookup for every package
    package_keys = [_package_key(c) for c in components]
    compiled = {
        key: [(row.advisory_id, _compiled(row.entry)) for row in rows]
        for key, rows in source.affected_for(k for k in package_keys if k is not None).items()
    }
    # 2. evaluate
    hits_by_component = _evaluate(components, package_keys, compiled)
    record_ids = {h[0] for hits in hits_by_component for h in hits}
    groups = source.groups_for(record_ids)
    infos = source.advisories({m for i in record_ids for m in groups[i]})
    statements = (
        _hardened_statements(
            source, {k for k, h in zip(package_keys, hits_by_component, strict=True) if h and k}
        )
        if record_ids
        else {}
    )

    used: set[IgnoreRule] = set()
    upgrades: dict[tuple[tuple[str, str], str, str], tuple[str | None, str | None]] = {}
    reports = []
    for component, key, hits in zip(components, package_keys, hits_by_component, strict=True):
        if not hits:
            reports.append(ComponentReport(component, ()))
            continue
        assert component.ecosystem is not None and component.version is not None
        assert key is not None
        # 3. one finding per alias group
        by_group: dict[tuple[str, ...], list[Hit]] = defaultdict(list)
        for hit in hits:
            by_group[groups[hit[0]]].append(hit)
        findings, unknown, ignored = [], [], []
        hardened = _hardened_for(component, key, statements) if statements else None
        for members, group_hits in by_group.items():
            finding = _finding(key[0], members, group_hits, infos)
            # 4. a hardened release's statement names any id of the group; it is a fact
            # about the artifact, so it comes before the user's ignore rules
            if hardened is not None and not hardened.fixes.isdisjoint(
                m.casefold() for m in members
            ):
                ignored.append(_not_affected(finding, hardened))
                continue
            rule = _ignore_for(members, finding.id, active)
            if rule is not None:
                used.add(rule)
                ignored.append(replace(finding, ignored_by=rule))
            elif finding.verdict is Verdict.AFFECTED:
                findings.append(finding)
            else:
                unknown.append(finding)
        # 5. the smallest clearing upgrade, once per package version
        upgrade = note = None
        if findings:
            memo = (key, component.ecosystem, component.version)
            if memo not in upgrades:
                entries = [e for _, e, _ in _for_release(component.ecosystem, compiled[key])]
                upgrades[memo] = smallest_upgrade(component, entries)
            upgrade, note = upgrades[memo]
        reports.append(
            ComponentReport(
                component,
                _order_findings(findings),
                _order_findings(unknown),
                _order_findings(ignored),
                upgrade,
                note,
            )
        )
    unused = tuple(r for r in active if r not in used)
    return ScanReport(tuple(reports), tuple(inputs), expired, unused, coverage_notes(components))


def _not_affected(finding: Finding, statement: HardenedStatement) -> Finding:
    """A finding a hardened release fixes: not affected, its provenance the reason."""
    rule = IgnoreRule(finding.id, statement.reason, None, HARDENED_SOURCE)
    return replace(finding, verdict=Verdict.NOT_AFFECTED, reason=statement.reason, ignored_by=rule)


def _order_findings(findings: list[Finding]) -> tuple[Finding, ...]:
    if len(findings) < 2:  # most lists of most components: nothing to order
        return tuple(findings)
    return tuple(sorted(findings, key=lambda f: (-int(f.severity.level), f.id)))
