"""``--format sarif``: SARIF 2.1.0 for code-scanning services.

One run; ``tool.driver.rules`` holds one rule per alias group (its chosen id), sorted by id.
``results`` holds ONE RESULT PER ALIAS GROUP PER COMPONENT, never one per alias:

- affected findings: ``kind`` ``fail``, ``level`` from the severity (critical/high ->
  ``error``, medium -> ``warning``, low/none -> ``note``). An unknown severity is
  ``error``: ossmeta fails closed, an unrated advisory meets every ``--fail-on`` threshold
  (it is not a harmless one), and the SARIF level says the same;
- findings whose verdict is unknown: ``kind`` ``review`` with ``level`` ``none`` (SARIF
  §3.27.9: any kind but ``fail`` must have level ``none``);
- ignored findings: as affected ones, with an ``external`` suppression whose justification
  gives the ignore entry's reason and expiry.

Each result has one location per place the component was found: a ``physicalLocation``
(the input path as a relative URI with forward slashes, ``region.startLine`` when the line
is known) and, for JSON-path locations, a ``logicalLocation`` with the path as
``fullyQualifiedName``. ``partialFingerprints["ossmeta/v1"]`` is a hash of the component's
purl and the group id, so an alert survives line moves. Expired and unused ignore entries
are ``toolConfigurationNotifications``; unresolved and unidentified components and the
report's notes are ``toolExecutionNotifications`` (level ``note``): they were not checked.

A rule's ``security-severity`` is the highest CVSS score among its findings as a string
(``"7.5"``), else a value inside the level's band as code-scanning services read it
(critical 9.5, high 8.0, medium 5.5, low 2.0, none 0.0); it is left out when the severity
is unknown.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, TextIO
from urllib.parse import quote

from ossmeta import __version__
from ossmeta.model import (
    ComponentReport,
    ComponentStatus,
    Finding,
    IgnoreRule,
    Location,
    ScanReport,
    Severity,
    SeverityLevel,
    Verdict,
)
from ossmeta.surfaces.formats._common import component_label, ignore_text, osv_url
from ossmeta.surfaces.formats.terminal import json_safe

#: The ``id`` of the OASIS SARIF 2.1.0 schema (errata 01), the one the output is tested on.
SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
FINGERPRINT_KEY = "ossmeta/v1"

Json = dict[str, Any]

_LEVEL = {
    SeverityLevel.CRITICAL: "error",
    SeverityLevel.HIGH: "error",
    SeverityLevel.MEDIUM: "warning",
    SeverityLevel.LOW: "note",
    SeverityLevel.NONE: "note",
    SeverityLevel.UNKNOWN: "error",
}
_BAND_SCORE = {
    SeverityLevel.CRITICAL: "9.5",
    SeverityLevel.HIGH: "8.0",
    SeverityLevel.MEDIUM: "5.5",
    SeverityLevel.LOW: "2.0",
    SeverityLevel.NONE: "0.0",
}
#: The notifications this writer emits (SARIF resolves a descriptor id against these).
NOTIFICATIONS = {
    "ignore-expired": "An ignore entry has expired; its findings are reported again.",
    "ignore-unused": "An ignore entry matched no finding.",
    "note": "A note from the scan.",
    "unidentified": "An SBOM entry names no ecosystem, so it was not checked.",
    "unresolved": "A requirement has no exact version, so it was not checked.",
}
_DRIVE = re.compile(r"^[A-Za-z]:/")


def _rank(sev: Severity) -> tuple[int, float]:
    return (sev.level, sev.score if sev.score is not None else -1.0)


@dataclass(slots=True)
class _Rule:
    """What the findings of one alias group say, gathered over every component."""

    id: str
    summary: str = ""
    aliases: list[str] = field(default_factory=list)
    severity: Severity | None = None

    def add(self, f: Finding) -> None:
        if not self.summary and f.summary:
            self.summary = f.summary
        self.aliases.extend(a for a in f.aliases if a not in self.aliases)
        if self.severity is None or _rank(f.severity) > _rank(self.severity):
            self.severity = f.severity

    def to_json(self) -> Json:
        sev = self.severity
        level = sev.level if sev is not None else SeverityLevel.UNKNOWN
        title = self.summary or self.id
        full = title
        if self.aliases:
            full += f" (aliases: {', '.join(self.aliases)})"
        props: Json = {}
        if sev is not None and sev.score is not None:
            props["security-severity"] = f"{sev.score:.1f}"
        elif level in _BAND_SCORE:
            props["security-severity"] = _BAND_SCORE[level]
        props["tags"] = ["security", "vulnerability"]
        return {
            "id": self.id,
            "shortDescription": {"text": title},
            "fullDescription": {"text": full},
            "helpUri": osv_url(self.id),
            "help": {"text": f"{full}\n{osv_url(self.id)}"},
            "defaultConfiguration": {"level": _LEVEL[level]},
            "properties": props,
        }


def artifact_uri(path: str) -> str:
    """An input path as a URI reference: relative with forward slashes, or ``file:`` when
    the path was given absolute."""
    p = path.replace("\\", "/")
    if p.startswith("/") or _DRIVE.match(p):
        return "file://" + quote(p if p.startswith("/") else "/" + p, safe="/:")
    p = str(PurePosixPath(p))  # drops "./" and doubled slashes
    return quote(p, safe="/")


def _location(loc: Location) -> Json:
    physical: Json = {"artifactLocation": {"uri": artifact_uri(loc.path)}}
    if loc.line is not None and loc.line >= 1:
        physical["region"] = {"startLine": loc.line}
    out: Json = {"physicalLocation": physical}
    if loc.pointer:
        out["logicalLocations"] = [{"fullyQualifiedName": loc.pointer}]
    return out


def fingerprint(cr: ComponentReport, group_id: str) -> str:
    c = cr.component
    ident = c.purl or f"{c.ecosystem}:{c.name}@{c.version or c.requirement or ''}"
    return hashlib.sha256(f"{ident}\0{group_id}".encode()).hexdigest()[:32]


def _message(cr: ComponentReport, f: Finding) -> str:
    verb = "may be affected" if f.verdict is Verdict.UNKNOWN else "is affected"
    text = f"{component_label(cr)} {verb} by {f.id}"
    if f.aliases:
        text += f" (aliases: {', '.join(f.aliases)})"
    text += f": {f.summary}" if f.summary else "."
    if not text.endswith((".", "!", "?")):
        text += "."
    text += f" Severity: {f.severity.level.label}"
    text += f" ({f.severity.score:.1f})." if f.severity.score is not None else "."
    if f.verdict is Verdict.UNKNOWN:
        text += f" The verdict is unknown: {f.reason.rstrip('.')}."
    text += f" Fixed in: {', '.join(f.fixed)}." if f.fixed else " No fixed version is known."
    if cr.upgrade:
        text += f" Upgrade to {cr.upgrade} to clear every known advisory."
    elif cr.upgrade_note:
        text += f" No upgrade clears every advisory: {cr.upgrade_note.rstrip('.')}."
    return text


def _result(cr: ComponentReport, f: Finding, rule_index: int) -> Json:
    c = cr.component
    unknown = f.verdict is Verdict.UNKNOWN
    result: Json = {
        "ruleId": f.id,
        "ruleIndex": rule_index,
        "kind": "review" if unknown else "fail",
        "level": "none" if unknown else _LEVEL[f.severity.level],
        "message": {"text": _message(cr, f)},
    }
    if c.locations:
        result["locations"] = [_location(loc) for loc in c.locations]
    result["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint(cr, f.id)}
    if f.ignored_by is not None:
        result["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": ignore_text(f.ignored_by)}
        ]
    result["properties"] = {
        "purl": c.purl,
        "package": c.name,
        "version": c.version,
        "aliases": list(f.aliases),
        "severity": f.severity.level.label,
        "fixed": list(f.fixed),
        "upgrade": cr.upgrade,
    }
    return result


def _notification(descriptor: str, text: str, loc: Location | None, level: str) -> Json:
    out: Json = {"descriptor": {"id": descriptor}, "level": level, "message": {"text": text}}
    if loc is not None:
        out["locations"] = [_location(loc)]
    return out


def _ignore_notification(rule: IgnoreRule, expired: bool) -> Json:
    if expired:
        when = rule.expires.isoformat() if rule.expires else "?"
        text = f"Ignore entry for {rule.id} expired on {when}; its findings are reported again."
        return _notification("ignore-expired", text, rule.location, "warning")
    text = f"Ignore entry for {rule.id} matched no finding ({rule.reason or 'no reason'})."
    return _notification("ignore-unused", text, rule.location, "warning")


def _component_notification(cr: ComponentReport) -> Json | None:
    c = cr.component
    where = c.locations[0] if c.locations else None
    if c.status is ComponentStatus.UNRESOLVED:
        text = f"{c.name} {c.requirement or ''} has no exact version; it was not checked."
        return _notification("unresolved", " ".join(text.split()), where, "note")
    if c.status is ComponentStatus.UNIDENTIFIED:
        text = f"{component_label(cr)} names no ecosystem (no purl); it was not checked."
        return _notification("unidentified", text, where, "note")
    return None


def to_dict(report: ScanReport) -> Json:
    rules: dict[str, _Rule] = {}
    for cr in report.components:
        for f in (*cr.findings, *cr.unknown, *cr.ignored):
            rules.setdefault(f.id, _Rule(f.id)).add(f)
    order = sorted(rules)
    index = {rule_id: i for i, rule_id in enumerate(order)}

    results = [
        _result(cr, f, index[f.id])
        for cr in report.components
        for f in (*cr.findings, *cr.unknown, *cr.ignored)
    ]
    config = [_ignore_notification(r, True) for r in report.expired_ignores]
    config += [_ignore_notification(r, False) for r in report.unused_ignores]
    execution = [n for cr in report.components if (n := _component_notification(cr))]
    execution += [_notification("note", note, None, "note") for note in report.notes]

    invocation: Json = {"executionSuccessful": True}
    if config:
        invocation["toolConfigurationNotifications"] = config
    if execution:
        invocation["toolExecutionNotifications"] = execution
    driver: Json = {
        "name": "ossmeta",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [rules[rule_id].to_json() for rule_id in order],
    }
    used = {n["descriptor"]["id"] for n in (*config, *execution)}
    if used:
        driver["notifications"] = [
            {"id": key, "shortDescription": {"text": NOTIFICATIONS[key]}} for key in sorted(used)
        ]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "invocations": [invocation], "results": results}],
    }


def write(report: ScanReport, stream: TextIO) -> None:
    stream.write(json_safe(json.dumps(to_dict(report), ensure_ascii=False, indent=2)))
    stream.write("\n")
