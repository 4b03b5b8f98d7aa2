"""`ossmeta events`: GH Archive and code-host events: import, fetch."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final

import typer

from ossmeta.surfaces.cli.common import stderr, stderr_console
from ossmeta.surfaces.cli.events_fetch import fetch
from ossmeta.surfaces.cli.interrupts import activity_rows, kept_on_interrupt, rows_kept

if TYPE_CHECKING:  # the import pipeline loads PyArrow: only 'events import' pays for it
    from rich.progress import Progress

    from ossmeta.pipelines.events_import import ImportReport

app = typer.Typer(help="GH Archive and code-host events: import, fetch.", no_args_is_help=True)

#: Damaged lines listed one by one after an import; the rest are counted.
SHOWN_PROBLEMS: Final = 20

DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Activity data directory (default: OSSMETA_HOME/activity).",
        show_default=False,
    ),
]


def bytes_bar(*, disable: bool = False) -> Progress:
    """A progress bar over bytes on stderr: what is happening, bar, bytes done of total,
    speed, time left; gone when finished."""
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=stderr_console(),
        transient=True,
        disable=disable,
    )


def import_summary(report: ImportReport) -> list[str]:
    """The lines printed after an import: totals, then the damaged lines (capped)."""
    skipped = ", ".join(f"{count} {reason}" for reason, count in report.skipped)
    lines = [
        f"imported {report.files} file(s): {report.lines} line(s), {report.events} event(s) "
        f"read, {report.stored} new, {report.duplicates} already stored, "
        f"{report.malformed} malformed"
        + (f", skipped {skipped}" if skipped else "")
        + (f"; {report.trimmed} in the trimmed payload shape" if report.trimmed else ""),
    ]
    shown = report.problems[:SHOWN_PROBLEMS]
    lines.extend(f"  {problem}" for problem in shown)
    if report.malformed > len(shown):
        lines.append(f"  ... and {report.malformed - len(shown)} more malformed line(s)")
    return lines


def run_import(paths: Sequence[str], data_dir: Path | None, workers: int) -> ImportReport:
    from ossmeta.pipelines.events_import import import_files, plan
    from ossmeta.store.activity_files import activity_root

    files = plan(paths)
    total = sum(file.size for file in files)
    bar = bytes_bar(disable=total < 1024 * 1024)
    with bar:
        task = bar.add_task("importing", total=total)
        report = import_files(
            files,
            activity_root(data_dir),
            workers=workers,
            on_bytes=lambda n: bar.advance(task, n),
            on_compact=lambda months: bar.update(
                task, description=f"compacting {len(months)} month(s)"
            ),
        )
    return report


@app.command("import")
def import_command(
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH",
            help="GH Archive hourly files (.json.gz, .json, .ndjson), directories or globs.",
            show_default=False,
        ),
    ],
    data_dir: DataDirOption = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="Processes converting files; more than one pays only on idle cores.",
        ),
    ] = 1,
) -> None:
    """Import GH Archive events into the activity store; importing a file again changes
    nothing. Exit 1 when some lines were malformed (listed; the rest is stored), 2 when a
    path names no file."""
    from ossmeta.store.activity_files import activity_root

    root = activity_root(data_dir)
    before = activity_rows(root, "events")
    again = "importing the same files again adds only what is missing"
    with kept_on_interrupt(
        lambda: rows_kept(before, activity_rows(root, "events"), "event rows", again)
    ):
        report = run_import(paths, data_dir, workers)
    for line in import_summary(report):
        stderr.print(line)
    if report.malformed:
        raise typer.Exit(1)


app.command("fetch")(fetch)
