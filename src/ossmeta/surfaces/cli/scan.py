"""``ossmeta scan``: lockfiles, manifests and SBOMs in; a report and an exit code out."""

from __future__ import annotations

import enum
import gc
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ossmeta.errors import StoreError
from ossmeta.surfaces.cli.common import DbOption, open_for_read, stderr, write_output
from ossmeta.surfaces.cli.options import Format, format_option
from ossmeta.surfaces.cli.output import check_output

if TYPE_CHECKING:
    from ossmeta.model import ScanReport

REPORT_FORMATS = (Format.TABLE, Format.JSON, Format.SARIF, Format.CYCLONEDX)


class Threshold(enum.StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


def exit_code(report: ScanReport, fail_on: Threshold | None) -> int:
    """0 when nothing is at or above the threshold, 1 when something is. Findings whose
    severity is unknown meet every threshold: an unrated advisory is not a harmless one."""
    from ossmeta.model import SeverityLevel, Verdict

    floor = SeverityLevel[fail_on.name.upper()] if fail_on else SeverityLevel.UNKNOWN
    for component in report.components:
        for finding in component.findings:
            if finding.verdict is Verdict.AFFECTED and (
                finding.severity.level is SeverityLevel.UNKNOWN or finding.severity.level >= floor
            ):
                return 1
    return 0


def _write(report: ScanReport, fmt: str, output: Path | None) -> None:
    from ossmeta.surfaces.formats import write_report

    write_output(output, lambda stream: write_report(report, fmt, stream))


def scan(
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH", help="Lockfiles, manifests, SBOMs, or directories holding them."
        ),
    ],
    recursive: Annotated[
        bool, typer.Option("--recursive", "-r", help="Search directories recursively.")
    ] = False,
    python_env: Annotated[
        list[str] | None,
        typer.Option("--python-env", help="An installed Python environment to scan too."),
    ] = None,
    format: Annotated[Format, format_option(*REPORT_FORMATS)] = Format.TABLE,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to a file.")
    ] = None,
    fail_on: Annotated[
        Threshold | None,
        typer.Option("--fail-on", help="Exit 1 only for findings at or above this severity."),
    ] = None,
    ignore: Annotated[
        Path | None,
        typer.Option(
            "--ignore", help="Ignore file (default: ossmeta.toml in a scanned directory)."
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Scan lockfiles, manifests and SBOMs for known vulnerabilities (OSV advisories in the store).

    Exit codes: 0 nothing found (at or above --fail-on), 1 findings, 2 usage or input error,
    3 internal error, 4 upstream, network or store unavailable."""
    check_output(output)  # a directory or a missing folder fails now, not after the scan
    from ossmeta.analyses.scan import scan as run_scan
    from ossmeta.normalizers.components import normalize_components
    from ossmeta.sources.collect import collect
    from ossmeta.sources.files import InputFile
    from ossmeta.sources.ignorefile import load_ignores
    from ossmeta.store.lookup import AdvisoryLookup

    # A scan allocates hundreds of thousands of small objects that live until it ends; the
    # cyclic collector would only walk them again and again (it cost a third of the time).
    gc.disable()
    collected = collect(paths, recursive, python_env)
    rules = []
    ignore_files = [InputFile(ignore, str(ignore))] if ignore else list(collected.ignore_files)
    for file in ignore_files:
        rules.extend(load_ignores(file))
    components = normalize_components(collected.packages)
    store = open_for_read(db)
    lookup = AdvisoryLookup(store)
    if lookup.count() == 0:  # "no known vulnerabilities" from nothing would pass a CI gate
        store.dispose()
        raise StoreError(
            f"the store at {store.display_url} holds no advisories; import them first "
            "with 'ossmeta advisories import PATH'"
        )
    report = run_scan(components, lookup, rules, inputs=collected.inputs)
    report = replace(report, notes=(*collected.notes, *report.notes))
    store.dispose()
    _write(report, format.value, output)
    for rule in report.expired_ignores:
        stderr.print(
            f"warning: {rule.location}: ignore entry for {rule.id} "
            f"expired on {rule.expires}; not applied"
        )
    for rule in report.unused_ignores:
        stderr.print(f"warning: {rule.location}: ignore entry for {rule.id} matched nothing")
    raise typer.Exit(exit_code(report, fail_on))
