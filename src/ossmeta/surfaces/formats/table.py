"""``--format table`` (the default): the scan report for people, drawn with Rich.

Only the rows worth reading get a table: vulnerable components (one row per alias group,
the component's columns filled on its first row), then unknown verdicts, unresolved
requirements, unidentified SBOM entries, ignored findings, expired and unused ignore
entries, the report's notes, and a one-line summary such as
``3 vulnerable of 41 components; 5 vulnerabilities (2 critical, 1 high, 2 medium)``.
Components without findings are only counted, so 10,000 of them stay readable.

The tables are :mod:`ossmeta.surfaces.formats.tables`' (colour on a terminal only; every
cell escaped, so advisory and registry text can neither drive the terminal nor be read as
Rich markup).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TextIO

from rich.console import Console
from rich.text import Text

from ossmeta.model import (
    ComponentReport,
    ComponentStatus,
    Finding,
    IgnoreRule,
    Location,
    ScanReport,
    SeverityLevel,
)
from ossmeta.surfaces.formats._common import Summary
from ossmeta.surfaces.formats.tables import TextTable, cell, write_console

MAX_LOCATIONS = 3  # per cell; the rest is counted

SEVERITY_STYLE = {
    SeverityLevel.CRITICAL: "bold white on red",
    SeverityLevel.HIGH: "bold red",
    SeverityLevel.MEDIUM: "yellow",
    SeverityLevel.LOW: "cyan",
    SeverityLevel.NONE: "dim",
    SeverityLevel.UNKNOWN: "magenta",
}


def _severity(f: Finding) -> Text:
    sev = f.severity
    label = sev.level.label if sev.score is None else f"{sev.level.label} {sev.score:.1f}"
    return Text(label, style=SEVERITY_STYLE[sev.level])


def _ids(f: Finding) -> Text:
    text = cell(f.id, style="bold")
    if f.aliases:
        text.append_text(cell("\n" + "\n".join(f.aliases), style="dim"))
    return text


def _where(locations: Sequence[Location]) -> Text:
    shown = [str(loc) for loc in locations[:MAX_LOCATIONS]]
    if len(locations) > MAX_LOCATIONS:
        shown.append(f"+{len(locations) - MAX_LOCATIONS} more")
    return cell("\n".join(shown))


def _or_dim(value: str | None, empty: str) -> Text:
    return cell(value) if value else Text(empty, style="dim")


def _vulnerable(reports: Iterable[ComponentReport]) -> TextTable:
    section = TextTable(
        "Vulnerable components",
        "Package", "Version", "Vulnerability", "Severity", "Fixed in", "Upgrade to", "Where",
        wrap=("Package", "Version", "Fixed in", "Upgrade to", "Where"),
    )  # fmt: skip
    for cr in reports:
        c = cr.component
        upgrade = _or_dim(cr.upgrade, f"none: {cr.upgrade_note}" if cr.upgrade_note else "none")
        last = len(cr.findings) - 1
        for i, f in enumerate(cr.findings):
            first = i == 0
            section.add_row(
                c.name if first else "",
                c.version if first else "",
                _ids(f),
                _severity(f),
                _or_dim(", ".join(f.fixed), "none"),
                upgrade if first else "",
                _where(c.locations) if first else "",
                end_section=i == last,
            )
    return section


def _unknown(reports: Iterable[ComponentReport]) -> TextTable:
    section = TextTable(
        "Unknown verdicts (the version could not be placed against the advisory)",
        "Package", "Version", "Vulnerability", "Severity", "Reason", "Where",
        wrap=("Package", "Version", "Reason", "Where"),
    )  # fmt: skip
    for cr in reports:
        c = cr.component
        for f in cr.unknown:
            section.add_row(
                c.name, c.version, _ids(f), _severity(f), f.reason,
                _where(c.locations),
            )  # fmt: skip
    return section


def _ignored(reports: Iterable[ComponentReport]) -> TextTable:
    section = TextTable(
        "Ignored findings",
        "Package", "Version", "Vulnerability", "Severity", "Reason", "Expires", "Ignored by",
        wrap=("Package", "Version", "Reason", "Ignored by"),
    )  # fmt: skip
    for cr in reports:
        for f in cr.ignored:
            rule = f.ignored_by
            expires = rule.expires.isoformat() if rule and rule.expires else None
            section.add_row(
                cr.component.name,
                cr.component.version,
                _ids(f),
                _severity(f),
                rule.reason if rule else "",
                _or_dim(expires, "never"),
                str(rule.location) if rule else "",
            )
    return section


def _rules(heading: str, rules: Iterable[IgnoreRule], date_column: str) -> TextTable:
    section = TextTable(heading, "Id", "Reason", date_column, "Where", wrap=("Reason", "Where"))
    for rule in rules:
        expires = rule.expires.isoformat() if rule.expires else None
        section.add_row(
            cell(rule.id, style="bold"),
            rule.reason,
            _or_dim(expires, "never"),
            str(rule.location),
        )
    return section


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def summary_line(s: Summary) -> str:
    """``3 vulnerable of 41 components; 5 vulnerabilities (2 critical, 1 high, 2 medium)``,
    followed by the counts of what was not checked or not counted, when there is any."""
    if s.vulnerabilities:
        levels = ", ".join(f"{n} {level.label}" for level, n in s.by_severity.items())
        line = (
            f"{s.vulnerable} vulnerable of {_plural(s.components, 'component')}; "
            f"{_plural(s.vulnerabilities, 'vulnerability', 'vulnerabilities')} ({levels})"
        )
    else:
        line = f"No known vulnerabilities in {_plural(s.components, 'component')}"
    extra = [
        _plural(s.unknown_verdicts, "unknown verdict") if s.unknown_verdicts else "",
        f"{s.unresolved} unresolved" if s.unresolved else "",
        f"{s.unidentified} unidentified" if s.unidentified else "",
        f"{s.ignored} ignored" if s.ignored else "",
    ]
    extra = [e for e in extra if e]
    return line + ("; " + ", ".join(extra) if extra else "")


def render(report: ScanReport, console: Console) -> None:
    comps = report.components
    _vulnerable(cr for cr in comps if cr.findings).show(console)
    _unknown(cr for cr in comps if cr.unknown).show(console)

    unresolved = TextTable(
        "Unresolved requirements (no exact version; not checked)",
        "Package", "Requirement", "Where", wrap=("Requirement", "Where"),
    )  # fmt: skip
    unidentified = TextTable(
        "Unidentified SBOM entries (no purl; not checked)",
        "Name", "Version", "Where", wrap=("Name", "Version", "Where"),
    )  # fmt: skip
    for cr in comps:
        c = cr.component
        if c.status is ComponentStatus.UNRESOLVED:
            unresolved.add_row(c.name, _or_dim(c.requirement, "any"), _where(c.locations))
        elif c.status is ComponentStatus.UNIDENTIFIED:
            unidentified.add_row(c.name, c.version, _where(c.locations))
    unresolved.show(console)
    unidentified.show(console)

    _ignored(cr for cr in comps if cr.ignored).show(console)
    _rules("Expired ignore entries (their findings count again)",
           report.expired_ignores, "Expired").show(console)  # fmt: skip
    _rules("Unused ignore entries (they matched nothing)",
           report.unused_ignores, "Expires").show(console)  # fmt: skip
    for note in report.notes:
        console.print(cell("Note: " + note, style="dim"), soft_wrap=True)
    s = Summary.of(report)
    style = "bold red" if s.vulnerabilities else "bold green"
    console.print(Text(summary_line(s), style=style), soft_wrap=True)


def write(report: ScanReport, stream: TextIO) -> None:
    write_console(stream, lambda console: render(report, console))
