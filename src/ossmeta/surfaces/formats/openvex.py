"""A project version's decisions as an OpenVEX 0.2.0 document.

One statement per decided finding on one component: ``vulnerability`` is the finding's
id with the rest of its alias group as ``aliases``; ``products`` is the component, by
purl (``@id`` and ``identifiers.purl``). The status and justification follow the one
mapping table of ``ossmeta.normalizers.vex``: in_triage -> under_investigation,
exploitable -> affected (the comment, or a placeholder, as the required
``action_statement``), not_affected -> not_affected, false_positive -> not_affected with
``vulnerable_code_not_present`` and "False positive" in the impact statement, resolved ->
fixed. Findings without a decision are not stated. ``@id`` is derived from the content,
so the same decisions give the same id.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from typing import Any

import orjson

from ossmeta import __version__
from ossmeta.model import ScanReport
from ossmeta.normalizers.vex import OPENVEX_JUSTIFICATION
from ossmeta.service.decisions import Applied, StoredDecision

__all__ = ["CONTEXT", "openvex"]

CONTEXT = "https://openvex.dev/ns/v0.2.0"
Json = dict[str, Any]

_STATUS = {
    "in_triage": "under_investigation",
    "exploitable": "affected",
    "not_affected": "not_affected",
    "false_positive": "not_affected",
    "resolved": "fixed",
}


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _now() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)


def _statement(vuln: str, aliases: tuple[str, ...], purl: str, d: StoredDecision) -> Json:
    status = _STATUS[d.state]
    vulnerability: Json = {"name": vuln}
    if aliases:
        vulnerability["aliases"] = list(aliases)
    out: Json = {
        "vulnerability": vulnerability,
        "timestamp": _iso(d.at),
        "products": [{"@id": purl, "identifiers": {"purl": purl}}],
        "status": status,
    }
    if d.state == "false_positive":
        out["justification"] = "vulnerable_code_not_present"
        out["impact_statement"] = "False positive" + (f": {d.comment}" if d.comment else "")
    elif status == "not_affected":
        assert d.justification is not None  # a not_affected decision always has one
        out["justification"] = OPENVEX_JUSTIFICATION[d.justification]
        if d.comment:
            out["impact_statement"] = d.comment
    elif status == "affected":
        out["action_statement"] = d.comment or "No remediation has been decided yet."
    elif d.comment:
        out["status_notes"] = d.comment
    return out


def openvex(report: ScanReport, applied: Applied, project: str, version: str) -> Json:
    statements: list[Json] = []
    for position, cr in enumerate(report.components):
        purl = cr.component.purl
        if purl is None:
            continue
        for f in (*cr.findings, *cr.unknown):
            decision = applied.by_finding.get((position, f.id))
            if decision is not None:
                statements.append(_statement(f.id, f.aliases, purl, decision))
    digest = hashlib.sha256(
        orjson.dumps([project, version, statements], option=orjson.OPT_SORT_KEYS)
    ).hexdigest()
    latest = max((s["timestamp"] for s in statements), default=None)
    return {
        "@context": CONTEXT,
        "@id": f"urn:ossmeta:openvex:{digest}",
        "author": "ossmeta",
        "role": "Document Creator",
        "timestamp": latest or _iso(_now()),
        "version": 1,
        "tooling": f"ossmeta {__version__}",
        "statements": statements,
    }
