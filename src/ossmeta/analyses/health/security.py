"""Security signals: the advisories open against a version (the scan's own matching and
alias grouping, one count per alias group) and the package's past time to fix.

Time to fix of an alias group: from the earliest publication among its records to the
earliest release time, among the stored versions, of a version its ranges name as fixed
(0 when the fix was out before the advisory). The signal is the median over the groups where
both times are known; GIT ranges name commits, not releases, and are left out.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

from ossmeta.analyses.health.model import Observation
from ossmeta.analyses.scan import AdvisorySource, scan
from ossmeta.ecosystems import base_ecosystem, name_key, osv_version
from ossmeta.model import Component, ComponentStatus, PackageRecord, SeverityLevel
from ossmeta.versions import try_version_key

__all__ = ["AdvisoryReader", "open_advisories", "time_to_fix"]

_DAY = 86_400.0

#: Which count each severity goes to; a record without a rating counts as medium.
_BUCKET = {
    SeverityLevel.CRITICAL: "open_critical",
    SeverityLevel.HIGH: "open_high",
    SeverityLevel.MEDIUM: "open_medium",
    SeverityLevel.UNKNOWN: "open_medium",
    SeverityLevel.LOW: "open_low",
    SeverityLevel.NONE: "open_low",
}
_COUNTS = ("open_critical", "open_high", "open_medium", "open_low")


class AdvisoryReader(AdvisorySource, Protocol):
    def count(self) -> int: ...
    def published(self, ids: Iterable[str]) -> dict[str, datetime | None]: ...


def open_advisories(
    record: PackageRecord, version: str | None, advisories: AdvisoryReader, held: int
) -> list[Observation]:
    """One count per severity of the alias groups affecting ``version``; ``held`` is how many
    advisories the store holds (with none, a count of 0 would claim what nobody checked)."""
    if held == 0:
        return [Observation(n, None, "the store holds no advisories") for n in _COUNTS]
    if version is None:
        return [Observation(n, None, "the store holds no version to match") for n in _COUNTS]
    status = (
        ComponentStatus.OK
        if try_version_key(record.ecosystem, osv_version(record.ecosystem, version)) is not None
        else ComponentStatus.UNKNOWN
    )
    component = Component(None, record.ecosystem, record.name, version, status, ())
    report = scan([component], advisories).components[0]
    listed: dict[str, list[str]] = {name: [] for name in _COUNTS}
    for finding in report.findings:
        listed[_BUCKET[finding.severity.level]].append(finding.id)
    unplaced = f"; {len(report.unknown)} more could not be placed" if report.unknown else ""
    out = []
    for name in _COUNTS:
        ids = listed[name]
        detail = (", ".join(ids) if ids else f"none of {held} advisories") + unplaced
        out.append(Observation(name, float(len(ids)), f"{version}: {detail}"))
    return out


def _release_times(record: PackageRecord) -> dict[Any, datetime]:
    """Each stored version's release time, by its ordering key (so ``2.0`` finds ``2.0.0``
    where the ecosystem says they are one version)."""
    times: dict[Any, datetime] = {}
    for held in record.versions:
        key = try_version_key(record.ecosystem, osv_version(record.ecosystem, held.version))
        if key is not None and held.published is not None:
            times.setdefault(key, held.published)
    return times


def _fixed_in(ranges: Sequence[Any]) -> set[str]:
    return {
        event.version
        for rng in ranges
        if rng.type != "GIT"
        for event in rng.events
        if event.kind == "fixed"
    }


def time_to_fix(record: PackageRecord, advisories: AdvisoryReader) -> Observation:
    key = (base_ecosystem(record.ecosystem), name_key(record.ecosystem, record.name))
    rows = advisories.affected_for([key]).get(key, [])
    if not rows:
        return Observation("time_to_fix_days", None, "no stored advisory names the package")
    groups = advisories.groups_for({row.advisory_id for row in rows})
    published = advisories.published({m for members in groups.values() for m in members})
    fixes: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for row in rows:
        fixes[groups[row.advisory_id]] |= _fixed_in(row.entry.ranges)
    released = _release_times(record)
    days: list[float] = []
    for members, fixed in fixes.items():
        known = [t for m in members if (t := published.get(m)) is not None]
        keys = (try_version_key(record.ecosystem, osv_version(record.ecosystem, v)) for v in fixed)
        fixed_at = [released[k] for k in keys if k is not None and k in released]
        if known and fixed_at:
            days.append(max(0.0, (min(fixed_at) - min(known)).total_seconds() / _DAY))
    if not days:
        return Observation(
            "time_to_fix_days",
            None,
            f"{len(fixes)} advisory groups, none with both a publication and a fix release time",
        )
    return Observation(
        "time_to_fix_days",
        statistics.median(days),
        f"median of {len(days)} of {len(fixes)} advisory groups",
    )
