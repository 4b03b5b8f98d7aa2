"""``ossmeta advisories``: import OSV records and show them."""

from __future__ import annotations

import gc
import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ossmeta.errors import OssmetaError, UsageError
from ossmeta.surfaces.cli.common import (
    DbOption,
    open_for_read,
    open_for_write,
    progress_bar,
    stderr,
)
from ossmeta.surfaces.cli.interrupts import kept_on_interrupt
from ossmeta.surfaces.cli.options import Format, format_option
from ossmeta.surfaces.formats.terminal import json_safe, terminal_safe

if TYPE_CHECKING:
    from ossmeta.store.lookup import ShownAdvisory

app = typer.Typer(help="Import and inspect OSV advisories.", no_args_is_help=True)


@app.command("import")
def import_(
    paths: Annotated[
        list[str],
        typer.Argument(metavar="PATH", help="OSV JSON/YAML files, directories, or .zip dumps."),
    ],
    data_license: Annotated[
        str | None, typer.Option(help="SPDX id of the data's licence, kept with each record.")
    ] = None,
    tenant: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="Import as this tenant's private advisories: matched only in its "
            "inventories, visible only to it.",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Import OSV records (any ecosystem). Re-importing the same data changes nothing; a
    record with a newer 'modified' replaces the stored one. All or nothing."""
    from ossmeta.sources import osv
    from ossmeta.store.advisories import AdvisoryImporter, RejectedImport

    gc.disable()  # as in scan: many long-lived small objects, no cycles worth collecting
    store = open_for_write(db)
    files = osv.expand(paths)
    if not files:  # an empty directory is a wrong path, not an import of nothing
        raise UsageError(f"no OSV JSON/YAML files or .zip dumps under {', '.join(paths)}")
    if tenant is not None:
        from ossmeta.surfaces.cli.advisories_private import import_private

        import_private(store, tenant, files, data_license)
        store.dispose()
        return
    total = osv.count_records(files)
    progress = progress_bar("importing advisories", disable=total < 200)
    problems: list[OssmetaError] = []  # every bad file or record, not just the first
    nothing = "nothing stored (an import is one transaction); run the same command again"
    try:
        with progress, kept_on_interrupt(lambda: nothing):
            task = progress.add_task("import", total=total)
            stats = AdvisoryImporter(store).run(
                osv.iter_records(files, data_license, problems),
                lambda n: progress.advance(task, n),
                problems=problems,
                waiting=lambda why: stderr.print(f"ossmeta: {why}"),
            )
    except RejectedImport as rejected:
        for problem in rejected.problems:
            stderr.print(f"ossmeta: error: {problem}")
        raise
    for note in stats.ties:
        stderr.print(f"note: {note}")
    stderr.print(
        f"read {stats.read} records: {stats.added} new, {stats.updated} updated, "
        f"{stats.unchanged} unchanged, {stats.older} older than stored; "
        f"{stats.withdrawn} withdrawn; {stats.groups} alias groups"
    )
    store.dispose()


def _text(shown: ShownAdvisory) -> str:
    record: dict[str, Any] = shown.record
    lines = [f"{record.get('id')}" + ("  (WITHDRAWN)" if shown.withdrawn else "")]
    if record.get("summary"):
        lines.append(str(record["summary"]))
    lines.append(f"alias group: {', '.join(shown.group)}")
    lines.extend(
        f"{k}: {record[k]}" for k in ("modified", "published", "withdrawn") if record.get(k)
    )
    lines.extend(
        f"severity: {entry.get('type')} {entry.get('score')}"
        for entry in record.get("severity") or []
        if isinstance(entry, dict)
    )
    for entry in record.get("affected") or []:
        package = entry.get("package") or {} if isinstance(entry, dict) else {}
        lines.append(f"affected: {package.get('ecosystem')} {package.get('name')}")
        lines.extend(
            f"  {rng.get('type')}: "
            + ", ".join(f"{k} {v}" for e in rng.get("events") or [] for k, v in e.items())
            for rng in entry.get("ranges") or []
        )
        if entry.get("versions"):
            lines.append(f"  versions: {', '.join(map(str, entry['versions']))}")
    if record.get("details"):
        lines += ["", str(record["details"]).strip()]
    lines += [
        "",
        f"source: {shown.source} {shown.locator} (sha256 {shown.content_hash[:16]}…, "
        f"licence {shown.data_license or 'not given'}, "
        f"imported {shown.imported_at:%Y-%m-%d %H:%M})",
    ]
    return "\n".join(lines)


@app.command()
def show(
    advisory_id: Annotated[
        str, typer.Argument(metavar="ID", help="An advisory id or any of its aliases.")
    ],
    format: Annotated[Format, format_option(Format.TEXT, Format.JSON)] = Format.TEXT,
    db: DbOption = None,
) -> None:
    """Print one record as stored, with its alias group and provenance."""
    from ossmeta.store.lookup import AdvisoryLookup

    store = open_for_read(db)
    shown = AdvisoryLookup(store).show(advisory_id)
    store.dispose()
    if shown is None:
        raise UsageError(f"no advisory {advisory_id} in the store")
    if format is Format.JSON:
        from ossmeta.service.public import advisory_to_json

        document = advisory_to_json(shown)
        typer.echo(json_safe(json.dumps(document, indent=2, ensure_ascii=False)))
    else:
        typer.echo(terminal_safe(_text(shown)))
