"""``ossmeta quality``: the data-quality report of the package metadata in the store."""

from __future__ import annotations

import enum
import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, TextIO

import typer

from ossmeta.analyses.quality import QualityReport, quality_report
from ossmeta.errors import UsageError
from ossmeta.surfaces.cli.common import DbOption, ready_store
from ossmeta.surfaces.formats.quality import write_quality


class QualityFormat(enum.StrEnum):
    table = "table"
    json = "json"
    html = "html"


def _write(report: QualityReport, fmt: str, output: Path | None) -> None:
    if output is None:
        write_quality(report, fmt, sys.stdout)
        return
    # As scan does: write beside the target and rename, so a failed run never leaves half a
    # report where the previous one was.
    directory = output.parent if str(output.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"cannot write {output}: {directory} is not a directory")
    handle, temporary = tempfile.mkstemp(prefix=f".{output.name}.", dir=directory)
    try:
        # mkstemp makes the file private (0600); a report is an ordinary file (umask).
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        stream: TextIO
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            write_quality(report, fmt, stream)
        os.replace(temporary, output)
    except BaseException:
        os.unlink(temporary)
        raise


def quality(
    format: Annotated[
        QualityFormat, typer.Option("--format", "-f", help="Report format.")
    ] = QualityFormat.table,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to a file.")
    ] = None,
    stale_days: Annotated[
        int,
        typer.Option(
            "--stale-days", help="A package whose last successful fetch is older is stale."
        ),
    ] = 30,
    db: DbOption = None,
) -> None:
    """Data-quality report of the package metadata: per registry and field, completeness
    and confidence; conflicts between curations and sources, across registries and between
    versions; staleness; the commonest unmapped licence texts; failed fetches."""
    if stale_days < 1:
        raise UsageError(f"--stale-days must be at least 1, not {stale_days}")
    store = ready_store(db)
    try:
        with store.engine.connect() as connection:
            report = quality_report(
                connection, datetime.now(UTC), stale_after=timedelta(days=stale_days)
            )
    finally:
        store.dispose()
    _write(report, format.value, output)
