"""A project version's CycloneDX 1.6 documents: the SBOM with VEX, the VEX alone and the VDR.

All three start from ``--format cyclonedx`` (``formats.cyclonedx``: components, one
vulnerability per alias group with its ratings, sources, references and recommendation;
its docstring says why the document is built as dicts rather than through
cyclonedx-python-lib's model, whose enums are used here for the analysis values) and add:

- ``metadata.component``: the project version (an application).
- SBOM with VEX: each vulnerability carries ``analysis`` from the decision in force
  (state, justification in CycloneDX's vocabulary, ``detail`` = the comment, ``lastUpdated``
  = when it was decided). Components of one alias group with different decisions (or none)
  are split into entries ``vulnerability:<id>``, ``vulnerability:<id>#2``, ...; an entry
  without a decision has no ``analysis``.
- VEX alone: the same, keeping only entries that carry an analysis (components stay, so
  every ``affects[].ref`` resolves in the document).
- VDR: no analysis; ``affects[].versions`` adds each fixed version with status
  ``unaffected`` next to the affected one.

The state and justification mapping is the one table of ``ossmeta.normalizers.vex``.
"""

from __future__ import annotations

from typing import Any

from cyclonedx.model.impact_analysis import ImpactAnalysisJustification, ImpactAnalysisState

from ossmeta.model import ScanReport
from ossmeta.normalizers.vex import CDX_JUSTIFICATION
from ossmeta.service.decisions import Applied, StoredDecision
from ossmeta.surfaces.formats import cyclonedx

__all__ = ["cyclonedx_vex", "vdr"]

Json = dict[str, Any]


def _base(report: ScanReport, project: str, version: str) -> tuple[Json, dict[str, int]]:
    document = cyclonedx.to_dict(report)
    document["metadata"]["component"] = {
        "type": "application",
        "bom-ref": f"ossmeta:project:{project}@{version}",
        "name": project,
        "version": version,
    }
    positions = {ref: n for n, ref in enumerate(cyclonedx.component_refs(report))}
    return document, positions


def _analysis(decision: StoredDecision) -> Json:
    out: Json = {"state": ImpactAnalysisState(decision.state).value}
    if decision.justification is not None:
        mapped = CDX_JUSTIFICATION[decision.justification]
        out["justification"] = ImpactAnalysisJustification(mapped).value
    if decision.comment:
        out["detail"] = decision.comment
    out["lastUpdated"] = decision.at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return out


def cyclonedx_vex(
    report: ScanReport, applied: Applied, project: str, version: str, *, vex_only: bool = False
) -> Json:
    """The SBOM with VEX (``vex_only``: only the vulnerabilities that carry a decision)."""
    document, positions = _base(report, project, version)
    out: list[Json] = []
    for entry in document["vulnerabilities"]:
        if entry["bom-ref"].endswith("#ignored"):
            continue
        split: dict[int | None, tuple[StoredDecision | None, list[Json]]] = {}
        for target in entry["affects"]:
            decision = applied.by_finding.get((positions[target["ref"]], entry["id"]))
            key = decision.id if decision is not None else None
            split.setdefault(key, (decision, []))[1].append(target)
        for n, (decision, targets) in enumerate(split.values(), start=1):
            if decision is None and vex_only:
                continue
            part = {**entry, "affects": targets}
            if n > 1:
                part["bom-ref"] = f"{entry['bom-ref']}#{n}"
            if decision is not None:
                part["analysis"] = _analysis(decision)
            out.append(part)
    document["vulnerabilities"] = out
    return document


def vdr(report: ScanReport, project: str, version: str) -> Json:
    """The vulnerability disclosure report: affects with fixed versions, no analysis."""
    document, positions = _base(report, project, version)
    fixed: dict[tuple[int, str], tuple[str, ...]] = {}
    for position, cr in enumerate(report.components):
        for f in (*cr.findings, *cr.unknown):
            fixed[(position, f.id)] = f.fixed
    kept = []
    for entry in document["vulnerabilities"]:
        if entry["bom-ref"].endswith("#ignored"):
            continue
        for target in entry["affects"]:
            versions = target.setdefault("versions", [])
            for v in fixed.get((positions[target["ref"]], entry["id"]), ()):
                if v and not any(x.get("version") == v for x in versions):
                    versions.append({"version": v, "status": "unaffected"})
            if not versions:
                del target["versions"]
        kept.append(entry)
    document["vulnerabilities"] = kept
    return document
