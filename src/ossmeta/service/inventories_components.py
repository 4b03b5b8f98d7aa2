"""A project version's components joined with what the center knows about each package:
its findings (with the decision in force), the effective (curated) licence and its
confidence, the repository, the repository's maintenance status, activity and OpenRank
where it has metrics, deprecated/yanked from the registry, and the health score of the
component's version.

Unknown is shown as unknown: a null value with a reason (the package is not in the
center, the registry declares no licence, the repository has no metrics yet), never a
guess; ``known`` says whether the center holds the package at all.

Set-based: the components are read in slices, and what the center knows about a slice's
packages is read in a few queries (``inventories_center``), never one per component.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ossmeta.model import ComponentReport, Finding, PackageRecord, ScanReport, SeverityLevel
from ossmeta.service import decisions as vex
from ossmeta.service.inventories import project_version
from ossmeta.service.inventories_center import REPO_METRICS, Center
from ossmeta.service.private_join import load_overlay
from ossmeta.store import Store
from ossmeta.store import inventories as rows
from ossmeta.store.metrics import MetricValue
from ossmeta.store.tenancy import tenant_transaction

__all__ = ["ComponentFilter", "ComponentView", "components"]

_MONTH = re.compile(r"\d{4}-\d{2}")
_REPO_METRICS = REPO_METRICS
#: Components read and joined at a time.
_SLICE = 1000


@dataclass(frozen=True)
class ComponentFilter:
    """``severity``: components with an affected finding at or above it (``unknown``
    severities meet every threshold, as in scan's ``--fail-on``); ``licence``: an SPDX
    expression, or ``unknown``; ``maintenance``: the repository's latest maintenance status
    (``active``, ...), or ``unknown``; ``direct``: direct (True) or transitive (False)
    only."""

    severity: SeverityLevel | None = None
    licence: str | None = None
    direct: bool | None = None
    maintenance: str | None = None


@dataclass(frozen=True)
class ComponentView:
    position: int
    data: dict[str, Any] = field(hash=False)


def _unknown(reason: str) -> dict[str, Any]:
    return {"value": None, "reason": reason}


def _known(value: Any, **extra: Any) -> dict[str, Any]:
    return {"value": value, "reason": None, **extra}


def _finding(finding: Finding, decision: vex.StoredDecision | None) -> dict[str, Any]:
    return {
        "id": finding.id,
        "aliases": list(finding.aliases),
        "verdict": finding.verdict.value,
        "severity": finding.severity.level.label,
        "score": finding.severity.score,
        "fixed": list(finding.fixed),
        "analysis": analysis(decision),
    }


def analysis(decision: vex.StoredDecision | None) -> dict[str, Any] | None:
    """A decision as findings show it (CycloneDX's ``analysis`` names), or None."""
    if decision is None:
        return None
    return {
        "state": decision.state,
        "justification": decision.justification,
        "comment": decision.comment,
        "author": decision.author,
        "at": decision.at.isoformat(),
        "decision": decision.id,
    }


def _licence(record: PackageRecord | None, version: str | None) -> dict[str, Any]:
    if record is None:
        return _unknown("the package is not in the center (no registry sync holds it)")
    chosen = next((v for v in record.versions if v.version == version), None)
    value = chosen.license if chosen is not None and chosen.license else record.license
    if value is None:
        return _unknown("the registry declares no licence for this package")
    if value.spdx is None:
        return {
            "value": None,
            "reason": f"the declared licence {value.raw!r} maps to no SPDX expression",
            "raw": value.raw,
            "confidence": value.confidence,
        }
    return _known(value.spdx, raw=value.raw, confidence=value.confidence, source=value.source)


def _registry(record: PackageRecord | None, version: str | None) -> dict[str, Any]:
    if record is None:
        return {
            "status": _unknown("the package is not in the center"),
            "deprecated": None,
            "yanked": None,
        }
    chosen = next((v for v in record.versions if v.version == version), None)
    return {
        "status": _known(str(record.status)),
        "deprecated": chosen.deprecated if chosen is not None else None,
        "yanked": chosen.yanked if chosen is not None else None,
    }


def _latest(values: Iterable[MetricValue], metric: str) -> dict[str, Any]:
    monthly = [v for v in values if v.metric == metric and _MONTH.fullmatch(v.period)]
    if not monthly:
        return _unknown(f"the repository has no {metric} metric")
    last = max(monthly, key=lambda v: v.period)
    return _known(last.value if last.value is not None else last.detail, period=last.period)


def _repository(center: Center, record: PackageRecord | None) -> dict[str, Any]:
    if record is None:
        return _no_repository("the package is not in the center")
    if record.repository is None:
        return _no_repository("the registry names no repository")
    return _repository_of(center, record.repository)


def _repository_of(center: Center, repository: str) -> dict[str, Any]:
    values = center.repo_metrics(repository)
    return {
        "repository": _known(repository),
        **{metric: _latest(values, metric) for metric in _REPO_METRICS},
    }


def _no_repository(reason: str) -> dict[str, Any]:
    return {"repository": _unknown(reason), **{m: _unknown(reason) for m in _REPO_METRICS}}


def _health(center: Center, record: PackageRecord | None, version: str | None) -> dict[str, Any]:
    if record is None:
        return _unknown("the package is not in the center")
    if version is None:
        return _unknown("the component names no version")
    return center.health(record, version)


def _view(
    center: Center, position: int, cr: ComponentReport, applied: vex.Applied
) -> dict[str, Any]:
    c = cr.component
    record = center.package(rows.package_of(c)) if c.version is not None else None

    def shown(found: tuple[Finding, ...]) -> list[dict[str, Any]]:
        return [_finding(f, applied.by_finding.get((position, f.id))) for f in found]

    return {
        "known": record is not None,
        "purl": c.purl,
        "ecosystem": c.ecosystem,
        "name": c.name,
        "version": c.version,
        "status": str(c.status),
        "direct": c.direct,
        "scopes": list(c.scopes),
        "locations": [str(loc) for loc in c.locations],
        "findings": shown(cr.findings),
        "unknown_findings": shown(cr.unknown),
        "upgrade": cr.upgrade,
        "upgrade_note": cr.upgrade_note,
        "licence": _licence(record, c.version),
        **_repository(center, record),
        "registry": _registry(record, c.version),
    }


def _keep(view: dict[str, Any], cr: ComponentReport, wanted: ComponentFilter) -> bool:
    if wanted.direct is not None and cr.component.direct is not wanted.direct:
        return False
    if wanted.licence is not None:
        spdx = view["licence"]["value"]
        if wanted.licence.casefold() == "unknown":
            if spdx is not None:
                return False
        elif spdx is None or spdx.casefold() != wanted.licence.casefold():
            return False
    if wanted.maintenance is not None:
        status = view["maintenance_status"]["value"]
        shown = "unknown" if status is None else str(status)
        if shown.casefold() != wanted.maintenance.casefold():
            return False
    if wanted.severity is not None:
        floor = wanted.severity
        if not any(
            f.severity.level is SeverityLevel.UNKNOWN or f.severity.level >= floor
            for f in cr.findings
        ):
            return False
    return True


def components(
    store: Store,
    tenant_id: int,
    project: str,
    version: str,
    wanted: ComponentFilter,
    *,
    after: int,
    limit: int,
    with_health: bool = True,
) -> list[ComponentView]:
    """The version's components after position ``after`` (-1: from the first) that pass
    ``wanted``, at most ``limit`` of them (``with_health=False`` leaves the health score
    out, for callers that only count)."""
    with tenant_transaction(store, tenant_id) as tx:
        _, found = project_version(tx, tenant_id, project, version)
        stored = rows.load_inventory(tx, tenant_id, found)
        overlay = load_overlay(tx, tenant_id, stored.reports)
    report = ScanReport(stored.reports, (found.filename,))
    applied = vex.in_force(store, tenant_id, found, report)
    center = Center(store)
    private = overlay.private_purls  # the tenant's own packages: never looked up
    center.load_repositories(overlay.repositories)
    out: list[ComponentView] = []
    start = after + 1
    while start < len(stored.reports) and len(out) < limit:
        part = stored.reports[start : start + _SLICE]
        center.load(
            p
            for cr in part
            if cr.component.version is not None
            and (p := rows.package_of(cr.component))
            and p not in private
        )
        for position, cr in enumerate(part, start):
            view = overlay.apply(
                _view(center, position, cr, applied),
                cr,
                lambda repo: _repository_of(center, repo),
                _no_repository,
            )
            if not _keep(view, cr, wanted):
                continue
            record = center.package(rows.package_of(cr.component))
            if with_health:
                view["health"] = _health(center, record, cr.component.version)
            out.append(ComponentView(position, view))
            if len(out) >= limit:
                break
        start += _SLICE
    return out
