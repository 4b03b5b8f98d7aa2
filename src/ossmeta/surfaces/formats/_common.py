"""Small helpers the report writers share (no heavy imports here)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from urllib.parse import quote

from ossmeta.model import ComponentReport, ComponentStatus, IgnoreRule, ScanReport, SeverityLevel

OSV_VULN_URL = "https://osv.dev/vulnerability/"


def osv_url(vuln_id: str) -> str:
    """The osv.dev page of an advisory id."""
    return OSV_VULN_URL + quote(vuln_id, safe="")


def component_label(cr: ComponentReport) -> str:
    """``name version`` (or ``name requirement`` / ``name``) for messages."""
    c = cr.component
    return f"{c.name} {c.version or c.requirement or ''}".rstrip()


def ignore_text(rule: IgnoreRule) -> str:
    """``reason (expires 2025-01-31)`` for a human reader."""
    expiry = f"expires {rule.expires.isoformat()}" if rule.expires else "no expiry"
    return f"{rule.reason} ({expiry})" if rule.reason else expiry


@dataclass(frozen=True, slots=True)
class Summary:
    """Counts over a report. Findings are counted per component × alias group."""

    components: int
    vulnerable: int  # components with at least one non-ignored affected finding
    vulnerabilities: int  # non-ignored affected findings
    unresolved: int  # components without an exact version
    unknown: int  # components whose version the ecosystem cannot parse
    unidentified: int  # SBOM entries without an ecosystem
    unknown_verdicts: int  # findings whose verdict is unknown
    ignored: int  # findings silenced by an ignore rule
    by_severity: dict[SeverityLevel, int]  # non-ignored affected findings per level

    @classmethod
    def of(cls, report: ScanReport) -> Summary:
        statuses: Counter[str] = Counter()
        levels: Counter[SeverityLevel] = Counter()
        vulnerable = vulnerabilities = unknown_verdicts = ignored = 0
        for cr in report.components:
            statuses[cr.component.status] += 1
            if cr.findings:
                vulnerable += 1
                vulnerabilities += len(cr.findings)
                levels.update(f.severity.level for f in cr.findings)
            unknown_verdicts += len(cr.unknown)
            ignored += len(cr.ignored)
        return cls(
            components=len(report.components),
            vulnerable=vulnerable,
            vulnerabilities=vulnerabilities,
            unresolved=statuses[ComponentStatus.UNRESOLVED],
            unknown=statuses[ComponentStatus.UNKNOWN],
            unidentified=statuses[ComponentStatus.UNIDENTIFIED],
            unknown_verdicts=unknown_verdicts,
            ignored=ignored,
            by_severity=dict(sorted(levels.items(), reverse=True)),
        )
