"""``ossmeta quality``: the data-quality report of the package metadata in the store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ossmeta.errors import UsageError
from ossmeta.surfaces.cli.common import DbOption, open_for_read, write_output
from ossmeta.surfaces.cli.events import DataDirOption
from ossmeta.surfaces.cli.options import Format, format_option

if TYPE_CHECKING:
    from ossmeta.analyses.quality import QualityReport


def _write(report: QualityReport, fmt: str, output: Path | None) -> None:
    from ossmeta.surfaces.formats.quality import write_quality

    write_output(output, lambda stream: write_quality(report, fmt, stream))


def quality(
    format: Annotated[Format, format_option(Format.TABLE, Format.JSON, Format.HTML)] = Format.TABLE,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to a file.")
    ] = None,
    stale_days: Annotated[
        int,
        typer.Option(
            "--stale-days", help="A package whose last successful fetch is older is stale."
        ),
    ] = 30,  # service.quality.DEFAULT_STALE_DAYS
    db: DbOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Data-quality report of the package metadata: per registry and field, completeness
    and confidence; conflicts between curations and sources, across registries and between
    versions; staleness; the commonest unmapped licence texts; failed fetches; GH Archive
    events per month (hours missing, trimmed payloads, API rows)."""
    from ossmeta.service.quality import quality as quality_of

    if not 1 <= stale_days <= 365_000:  # a thousand years: timedelta's range is not reached
        raise UsageError(f"--stale-days must be from 1 to 365000, not {stale_days}")
    store = open_for_read(db)
    try:
        report = quality_of(store, stale_days=stale_days, data_dir=data_dir)
    finally:
        store.dispose()
    _write(report, format.value, output)
