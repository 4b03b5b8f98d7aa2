"""``ossmeta metrics``: compute activity and community-health metrics, show them, export
them in OpenDigger's layout."""

from __future__ import annotations

import enum
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ossmeta.errors import UsageError
from ossmeta.surfaces.cli.common import DbOption, open_for_read, open_for_write, write_output
from ossmeta.surfaces.cli.options import Format, format_option

if TYPE_CHECKING:
    from ossmeta.store import Store

app = typer.Typer(
    help="Activity and community-health metrics: compute, show, export.", no_args_is_help=True
)


class Engine(enum.StrEnum):
    duckdb = "duckdb"
    spark = "spark"


@app.command()
def compute(
    engine: Annotated[
        Engine, typer.Option("--engine", help="Where the metric SQL runs.")
    ] = Engine.duckdb,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Recompute periods from this month (YYYY-MM) on only."),
    ] = None,
    export: Annotated[
        Path | None, typer.Option("--export", help="Also write OpenDigger-layout JSON here.")
    ] = None,
    data_dir: Annotated[
        str | None,
        typer.Option(
            "--data-dir",
            help="Activity data: a folder (default: OSSMETA_HOME/activity), or with "
            "--engine spark any URI Spark reads (file://, or s3a:// etc. once configured).",
        ),
    ] = None,
    output_uri: Annotated[
        str | None,
        typer.Option(
            "--output-uri",
            help="With --engine spark: write the metric tables as Parquet here instead of "
            "into the store.",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Compute every metric from the stored events, commits and tags, and store them."""
    # The metric engines load DuckDB (or Spark), SciPy and PyArrow: only this command pays.
    from ossmeta.analyses.metrics.run import run_metrics
    from ossmeta.store.activity_files import activity_root

    if export is not None:
        _export_directory(export)
    store = open_for_write(db)
    root = data_dir if data_dir and "://" in data_dir else str(activity_root(data_dir))
    try:
        report, _ = run_metrics(
            store,
            root,
            engine=engine.value,
            since=since,
            as_of=datetime.now(UTC),
            output_uri=output_uri,
        )
        if export is not None:
            _export(store, export)
    finally:
        store.dispose()
    print(
        f"{report.rows} metric values for {report.repos} repositories and "
        f"{report.developers} developers on {report.engine} in {report.seconds:.1f} s",
        file=sys.stderr,
    )


def _repo_key(text: str) -> str:
    from ossmeta.service.public import repository_key

    return repository_key(text)


@app.command()
def show(
    repo: Annotated[str, typer.Argument(help="github.com/owner/name, or a repository URL.")],
    format: Annotated[Format, format_option(Format.TABLE, Format.JSON)] = Format.TABLE,
    metric: Annotated[
        list[str] | None, typer.Option("--metric", "-m", help="Only these metrics (repeatable).")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
    db: DbOption = None,
) -> None:
    """Show one repository's stored metrics."""
    from ossmeta.store.metrics import Metrics
    from ossmeta.surfaces.formats.metrics import write_show_json, write_show_table

    key = _repo_key(repo)
    store = open_for_read(db)
    try:
        values = Metrics(store).read(key)
    finally:
        store.dispose()
    if metric:
        wanted = set(metric)
        known = _known_metrics() | {v.metric.partition(".")[0] for v in values}
        unknown = sorted(wanted - known)
        if unknown:
            raise UsageError(
                f"unknown metric {', '.join(unknown)}: choose from {', '.join(sorted(known))}"
            )
        values = [v for v in values if v.metric.partition(".")[0] in wanted]
    if not values and not metric:
        raise UsageError(f"no metrics stored for {key}: run `ossmeta metrics compute` first")
    if format is Format.JSON:
        write_output(output, lambda stream: write_show_json(key, values, stream))
    else:
        write_output(output, lambda stream: write_show_table(key, values, stream))


def _known_metrics() -> set[str]:
    """Every metric name ``metrics compute`` can store (the OpenRank steps write theirs
    without a ``Definition``)."""
    from ossmeta.analyses.metrics.compute import all_definitions

    return {d.name for d in all_definitions()} | {"openrank", "community_openrank"}


def _export_directory(directory: Path) -> Path:
    """A directory to export into, or a one-line error before anything is computed."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"cannot export into {directory}: it is not a directory")
    return directory


def _export(store: Store, directory: Path) -> int:
    from ossmeta.store.metrics import Metrics
    from ossmeta.surfaces.formats.metrics import export_subject

    return sum(
        export_subject(directory, subject, values)
        for subject, values in Metrics(store).every_subject()
    )


@app.command("export")
def export_command(
    directory: Annotated[Path, typer.Argument(help="Where to write <host>/<owner>/<repo>/*.json.")],
    db: DbOption = None,
) -> None:
    """Write the stored metrics in OpenDigger's export layout."""
    _export_directory(directory)
    store = open_for_read(db)
    try:
        files = _export(store, directory)
    finally:
        store.dispose()
    print(f"{files} files written under {directory}", file=sys.stderr)
