"""Findings for a list of ``purl@version``s (the public batch lookup): every purl is read
as an SBOM names a component, and all of them are matched in one scan (one pass over the
store's advisories, the scan's alias grouping, severities, fixed versions and upgrade).

Each item answers its purl as given, in order; a purl that names no version, does not
parse, or has no advisory ecosystem answers null findings and why, never a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ossmeta.analyses.scan import scan
from ossmeta.model import Component, DeclaredPackage, Finding, Location
from ossmeta.normalizers.components import normalize_components
from ossmeta.purls import InvalidPurl, parse_purl
from ossmeta.store import Store
from ossmeta.store.lookup import AdvisoryLookup

__all__ = ["findings_batch"]

_HERE = Location("request")


def _component(purl: str) -> Component | str:
    """The component ``purl`` names, or why it names none that can be matched."""
    try:
        parsed = parse_purl(purl)
    except InvalidPurl as error:
        return str(error)
    if not parsed.version:
        return f"{purl}: name the version (purl@version) to look up its findings"
    [component] = normalize_components([DeclaredPackage(None, parsed.name, None, _HERE, purl=purl)])
    if component.ecosystem is None or component.version is None:
        return f"{purl}: no advisory database covers packages of type {parsed.type!r}"
    return component


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "id": finding.id,
        "aliases": list(finding.aliases),
        "verdict": finding.verdict.value,
        "severity": finding.severity.level.label,
        "score": finding.severity.score,
        "fixed": list(finding.fixed),
        "summary": finding.summary,
    }


def findings_batch(store: Store, purls: Sequence[str]) -> list[dict[str, Any]]:
    """One item per purl: its component, the alias groups that affect it (``findings``)
    and those its version cannot be placed against (``unknown``), the smallest clearing
    upgrade; or ``error`` and null findings."""
    named = [_component(purl) for purl in purls]
    components = [c for c in named if isinstance(c, Component)]
    reports = iter(scan(components, AdvisoryLookup(store)).components)
    items: list[dict[str, Any]] = []
    for purl, found in zip(purls, named, strict=True):
        if not isinstance(found, Component):
            items.append(
                {
                    "purl": purl,
                    "component": None,
                    "findings": None,
                    "unknown": None,
                    "upgrade": None,
                    "upgrade_note": None,
                    "error": found,
                }
            )
            continue
        report = next(reports)
        items.append(
            {
                "purl": purl,
                "component": {
                    "purl": found.purl,
                    "ecosystem": found.ecosystem,
                    "name": found.name,
                    "version": found.version,
                    "status": str(found.status),
                },
                "findings": [_finding(f) for f in report.findings],
                "unknown": [_finding(f) for f in report.unknown],
                "upgrade": report.upgrade,
                "upgrade_note": report.upgrade_note,
                "error": None,
            }
        )
    return items
