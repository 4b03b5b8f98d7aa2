"""``--format cyclonedx``: a CycloneDX 1.6 JSON VDR (components plus ``vulnerabilities``).

Shape:

- ``components``: every component of the report, in the report's order. ``bom-ref`` is
  the purl; components without one (unidentified SBOM entries) get a stable
  ``ossmeta:<status>:<hash>`` ref. Where the component was found is in
  ``evidence.occurrences`` (file, line, and the JSON path as ``additionalContext``);
  ``ossmeta:status``, ``ossmeta:requirement``, ``ossmeta:direct`` and ``ossmeta:scope``
  properties carry what CycloneDX has no field for. There is no ``dependencies`` section:
  the scan does not know the graph, and an empty ``dependsOn`` would claim "no
  dependencies".
- ``vulnerabilities``: ONE ENTRY PER ALIAS GROUP (its chosen id), whose ``affects`` lists
  every component it affects, each with its version and status ``affected`` (``unknown``
  when the matcher could not place the version). ``source`` and ``references`` (the other
  ids of the group) name OSV, GitHub Advisories or NVD by id prefix. ``ratings`` carry the
  CVSS score (a JSON number), severity, method (CVSSv31, CVSSv3, CVSSv4, CVSSv2, other) and
  vector (without its ``CVSS:x.y/`` prefix, as cyclonedx-python-lib writes it).
  ``recommendation`` gives the upgrade per component. Findings silenced by an ignore entry
  go into a separate entry for the same id (bom-ref ``vulnerability:<id>#ignored``) whose
  ``analysis.detail`` gives the reason and expiry; a hardened release's fixed advisories
  (``ossmeta hardened``) are there too, ``unaffected``, with ``analysis.state``
  ``not_affected`` (``code_not_present``).

``metadata.timestamp`` is the current time, or ``SOURCE_DATE_EPOCH`` when set (reproducible
output); the serial number is derived from the timestamp and the content.

The document is built as plain dicts rather than through cyclonedx-python-lib's model and
outputter: its ``Bom.validate()`` registers dependencies with a linear search per
component (quadratic) and its serializer costs about a millisecond per component, so
10,000 components took over three minutes. The tests validate this output with the
library's ``JsonStrictValidator`` for schema 1.6 and read it back with ``Bom.from_json``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

from ossmeta import __version__
from ossmeta.model import ComponentReport, Finding, ScanReport, Severity, SeverityLevel, Verdict
from ossmeta.surfaces.formats._common import ignore_text, osv_url

SCHEMA_URI = "http://cyclonedx.org/schema/bom-1.6.schema.json"

Json = dict[str, Any]

_SOURCES: tuple[tuple[str, str, str], ...] = (
    # id prefix, source name, URL prefix of one record
    ("GHSA-", "GitHub Advisories", "https://github.com/advisories/"),
    ("CVE-", "NVD", "https://nvd.nist.gov/vuln/detail/"),
)
# vector prefix -> CycloneDX scoreSourceType (cyclonedx-python-lib's get_from_vector)
_METHODS: tuple[tuple[str, str], ...] = (
    ("CVSS:4.", "CVSSv4"),
    ("CVSS:3.1", "CVSSv31"),
    ("CVSS:3.", "CVSSv3"),
    ("CVSS:2.", "CVSSv2"),
)
_VECTOR_PREFIX = re.compile(r"^CVSS:\d\.\d/?")


def source_of(vuln_id: str) -> Json:
    """Where an advisory id is published: GitHub Advisories, NVD, else OSV (which hosts
    PYSEC, RUSTSEC, GO and the other OSV-native databases)."""
    for prefix, name, url in _SOURCES:
        if vuln_id.startswith(prefix):
            return {"name": name, "url": url + vuln_id}
    return {"name": "OSV", "url": osv_url(vuln_id)}


def rating(sev: Severity) -> Json | None:
    """A CycloneDX rating, or None when nothing at all is known about the severity."""
    vector = sev.vector or ""
    score = sev.score if sev.score is not None and math.isfinite(sev.score) else None
    if sev.level is SeverityLevel.UNKNOWN and score is None and not vector:
        return None
    out: Json = {}
    if sev.origin:
        out["source"] = source_of(sev.origin)
    if score is not None:
        out["score"] = score
    out["severity"] = sev.level.label
    method = next((m for prefix, m in _METHODS if vector.startswith(prefix)), "other")
    out["method"] = method
    if vector:
        out["vector"] = _VECTOR_PREFIX.sub("", vector) if method != "other" else vector
    return out


def component_refs(report: ScanReport) -> list[str]:
    """A unique bom-ref per component: the purl, else a hash of what identifies it."""
    refs: list[str] = []
    seen: set[str] = set()
    for cr in report.components:
        c = cr.component
        ref = c.purl
        if not ref:
            key = "\0".join(
                [c.ecosystem or "", c.name, c.version or "", c.requirement or "",
                 *(str(loc) for loc in c.locations)]
            )  # fmt: skip
            ref = f"ossmeta:{c.status.value}:{hashlib.sha256(key.encode()).hexdigest()[:16]}"
        base, n = ref, 1
        while ref in seen:  # merged components have distinct purls; stay unique regardless
            n += 1
            ref = f"{base}#{n}"
        seen.add(ref)
        refs.append(ref)
    return refs


def _component(cr: ComponentReport, ref: str) -> Json:
    c = cr.component
    out: Json = {"type": "library", "bom-ref": ref, "name": c.name}
    if c.version:
        out["version"] = c.version
    if c.purl:
        out["purl"] = c.purl
    props = [{"name": "ossmeta:status", "value": c.status.value}]
    if c.requirement:
        props.append({"name": "ossmeta:requirement", "value": c.requirement})
    if c.direct is not None:
        props.append({"name": "ossmeta:direct", "value": "true" if c.direct else "false"})
    props.extend({"name": "ossmeta:scope", "value": s} for s in c.scopes)
    out["properties"] = props
    if c.locations:
        occurrences = []
        for loc in c.locations:
            occ: Json = {"location": loc.path}
            if loc.line is not None and loc.line >= 0:
                occ["line"] = loc.line
            if loc.pointer:
                occ["additionalContext"] = loc.pointer
            occurrences.append(occ)
        out["evidence"] = {"occurrences": occurrences}
    return out


_AFFECTS_STATUS = {
    Verdict.AFFECTED: "affected",
    Verdict.UNKNOWN: "unknown",
    Verdict.NOT_AFFECTED: "unaffected",  # a hardened version's fixed advisories
}


@dataclass(slots=True)
class _Group:
    """One alias group's findings over every component it touches."""

    id: str
    ignored: bool
    findings: list[tuple[ComponentReport, str, Finding]] = field(default_factory=list)

    def to_json(self) -> Json:
        found = [f for _, _, f in self.findings]
        aliases = list(dict.fromkeys(a for f in found for a in f.aliases))
        ratings: list[Json] = []
        for f in found:
            r = rating(f.severity)
            if r is not None and r not in ratings:
                ratings.append(r)
        out: Json = {
            "bom-ref": f"vulnerability:{self.id}" + ("#ignored" if self.ignored else ""),
            "id": self.id,
            "source": source_of(self.id),
        }
        if aliases:
            out["references"] = [{"id": a, "source": source_of(a)} for a in aliases]
        if ratings:
            out["ratings"] = ratings
        summary = next((f.summary for f in found if f.summary), None)
        if summary:
            out["description"] = summary
        out["recommendation"] = _recommendation(self.findings)
        out["advisories"] = [{"url": osv_url(self.id)}]
        if self.ignored:
            reasons = dict.fromkeys(
                f"{ignore_text(f.ignored_by)} [{f.ignored_by.location}]"
                for f in found
                if f.ignored_by is not None
            )
            out["analysis"] = {"detail": "Ignored: " + "; ".join(reasons)}
            if all(f.verdict is Verdict.NOT_AFFECTED for f in found):
                # A hardened release's statement: a fact about the artifact, not a waiver.
                out["analysis"] = {
                    "state": "not_affected",
                    "justification": "code_not_present",
                    **out["analysis"],
                }
        affects: dict[str, Json] = {}
        for cr, ref, f in self.findings:
            target: Json = {"ref": ref}
            if cr.component.version:
                status = _AFFECTS_STATUS[f.verdict]
                target["versions"] = [{"version": cr.component.version, "status": status}]
            affects.setdefault(ref, target)
        out["affects"] = list(affects.values())
        return out


def _recommendation(findings: list[tuple[ComponentReport, str, Finding]]) -> str:
    parts: list[str] = []
    for cr, _, f in findings:
        c = cr.component
        if cr.upgrade:
            parts.append(f"Upgrade {c.name} {c.version} to {cr.upgrade}.")
        elif f.fixed:
            parts.append(f"Fixed versions of {c.name}: {', '.join(f.fixed)}.")
        else:
            parts.append(f"No fixed version of {c.name} is known.")
    return " ".join(dict.fromkeys(parts))


def _timestamp() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC).replace(microsecond=0)


def to_dict(report: ScanReport) -> Json:
    refs = component_refs(report)
    groups: dict[tuple[str, bool], _Group] = {}
    for cr, ref in zip(report.components, refs, strict=True):
        for f in (*cr.findings, *cr.unknown, *cr.ignored):
            key = (f.id, f.ignored_by is not None)
            groups.setdefault(key, _Group(*key)).findings.append((cr, ref, f))
    when = _timestamp().strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = hashlib.sha256("\n".join([when, *refs, *(f"{k[0]}/{k[1]}" for k in groups)]).encode())
    serial = uuid.uuid5(uuid.NAMESPACE_URL, "urn:ossmeta:" + digest.hexdigest())
    return {
        "$schema": SCHEMA_URI,
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": serial.urn,
        "version": 1,
        "metadata": {
            "timestamp": when,
            "tools": {
                "components": [{"type": "application", "name": "ossmeta", "version": __version__}]
            },
        },
        "components": [
            _component(cr, ref) for cr, ref in zip(report.components, refs, strict=True)
        ],
        "vulnerabilities": [groups[key].to_json() for key in sorted(groups)],
    }


def write(report: ScanReport, stream: TextIO) -> None:
    stream.write(json.dumps(to_dict(report), ensure_ascii=False, indent=2))
    stream.write("\n")
