"""``--format json``: the stable scan contract ``ossmeta.scan/1``.

The contract (issue 2) is::

    {"schema": "ossmeta.scan/1",
     "components": [{"purl", "ecosystem", "name", "version", "locations", "status",
                     "vulnerabilities": [{"id", "aliases", "severity", "fixed", "summary"}],
                     "upgrade"}],
     "summary": {"components", "vulnerable", "vulnerabilities", "unresolved"}}

Every component of the report is listed, in the report's order. ``status`` is ``ok``,
``unresolved``, ``unknown`` or ``unidentified`` (an SBOM entry without an ecosystem).
``vulnerabilities`` holds the non-ignored affected findings, one per alias group;
``severity`` is ``critical``/``high``/``medium``/``low``/``none``/``unknown``.

Additive keys (consumers of ``ossmeta.scan/1`` must ignore keys they do not know):

- vulnerability objects: ``score`` (CVSS base score or null), ``vector`` (CVSS vector as
  given, or null), ``reason`` (why the matcher decided), ``records`` (ids of the advisory
  records that matched);
- component objects, after ``upgrade``: ``direct`` (true/false/null when the input does not
  say), ``requirement`` (the constraint text of an unresolved component, else null),
  ``scopes`` (``dev``, ``optional``, ...), ``upgrade_note`` (why there is no upgrade, or
  null), ``unknown`` (findings whose verdict is unknown: the vulnerability shape),
  ``ignored`` (findings silenced by an ignore rule: the vulnerability shape plus
  ``verdict`` and ``ignore: {"reason", "expires", "location"}``);
- ``summary``: ``unknown`` (components with status ``unknown``), ``unidentified``
  (components with status ``unidentified``), ``unknown_verdicts`` (findings whose verdict
  is unknown), ``ignored`` (ignored findings). ``vulnerabilities`` counts component × alias
  group, never aliases; ignored findings are in no count but ``ignored``;
- top level, after ``summary``: ``ignores: {"expired": [...], "unused": [...]}`` with
  ``{"id", "reason", "expires", "location"}`` entries (``expires`` as ``YYYY-MM-DD`` or
  null), ``inputs`` (the scanned files) and ``notes``.

Key order is fixed, one component per line, UTF-8 kept as is, so the same report always
gives the same bytes.
"""

from __future__ import annotations

from typing import Any, TextIO

import orjson

from ossmeta.model import (
    ComponentReport,
    Finding,
    IgnoreRule,
    ScanReport,
)
from ossmeta.surfaces.formats._common import Summary
from ossmeta.surfaces.formats.terminal import json_safe

SCHEMA = "ossmeta.scan/1"

Json = dict[str, Any]


def _finding(f: Finding) -> Json:
    sev = f.severity
    return {
        "id": f.id,
        "aliases": list(f.aliases),
        "severity": sev.level.label,
        "fixed": list(f.fixed),
        "summary": f.summary,
        "score": sev.score,
        "vector": sev.vector,
        "reason": f.reason,
        "records": list(f.records),
    }


def _rule(rule: IgnoreRule) -> Json:
    return {
        "id": rule.id,
        "reason": rule.reason,
        "expires": rule.expires.isoformat() if rule.expires else None,
        "location": str(rule.location),
    }


def _ignored(f: Finding) -> Json:
    out = _finding(f)
    out["verdict"] = f.verdict.value
    rule = f.ignored_by
    out["ignore"] = None if rule is None else {k: v for k, v in _rule(rule).items() if k != "id"}
    return out


def _component(cr: ComponentReport) -> Json:
    c = cr.component
    return {
        "purl": c.purl,
        "ecosystem": c.ecosystem,
        "name": c.name,
        "version": c.version,
        "locations": [str(loc) for loc in c.locations],
        "status": str(c.status),
        "vulnerabilities": [_finding(f) for f in cr.findings],
        "upgrade": cr.upgrade,
        "direct": c.direct,
        "requirement": c.requirement,
        "scopes": list(c.scopes),
        "upgrade_note": cr.upgrade_note,
        "unknown": [_finding(f) for f in cr.unknown],
        "ignored": [_ignored(f) for f in cr.ignored],
    }


def _tail(report: ScanReport) -> Json:
    """Everything after ``components``."""
    s = Summary.of(report)
    return {
        "summary": {
            "components": s.components,
            "vulnerable": s.vulnerable,
            "vulnerabilities": s.vulnerabilities,
            "unresolved": s.unresolved,
            "unknown": s.unknown,
            "unidentified": s.unidentified,
            "unknown_verdicts": s.unknown_verdicts,
            "ignored": s.ignored,
        },
        "ignores": {
            "expired": [_rule(r) for r in report.expired_ignores],
            "unused": [_rule(r) for r in report.unused_ignores],
        },
        "inputs": list(report.inputs),
        "notes": list(report.notes),
    }


def to_dict(report: ScanReport) -> Json:
    """The contract as plain dicts and lists."""
    return {
        "schema": SCHEMA,
        "components": [_component(cr) for cr in report.components],
        **_tail(report),
    }


def write(report: ScanReport, stream: TextIO) -> None:
    """Write the contract with one compact component object per line.

    orjson encodes the 10,000 components of a large SBOM's report in a tenth of the
    standard encoder's time; one component per line keeps the output deterministic and
    still readable with ``grep`` or a pager."""
    stream.write('{"schema":"' + SCHEMA + '",\n"components":[')
    components = ",\n".join(orjson.dumps(_component(cr)).decode() for cr in report.components)
    stream.write(json_safe("\n" + components + "\n]") if components else "]")
    for key, value in _tail(report).items():
        pair = orjson.dumps(key).decode() + ":" + orjson.dumps(value).decode()
        stream.write(",\n" + json_safe(pair))
    stream.write("}\n")
