"""``ossmeta curate``: propose, review, list, export and import curations of package fields."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ossmeta.errors import UsageError
from ossmeta.surfaces.cli.common import DbOption, open_for_read, open_for_write, stderr
from ossmeta.surfaces.cli.options import Format, format_option
from ossmeta.surfaces.formats.terminal import json_safe

if TYPE_CHECKING:
    from ossmeta.normalizers.curation import Curation

#: The fields a curation may set, as ``--help`` names them without importing the
#: normalizers (a test holds this to ``CURATABLE_FIELDS``).
FIELD_HELP = "One of license, repository, homepage, description, status."

app = typer.Typer(
    help="Correct package metadata where upstream is wrong; curations survive every re-sync.",
    no_args_is_help=True,
)


@app.command()
def propose(
    purl: Annotated[str, typer.Argument(help="The package, without a version: pkg:pypi/foo.")],
    field: Annotated[str, typer.Argument(help=FIELD_HELP)],
    value: Annotated[
        str,
        typer.Argument(
            help="The correct value: an SPDX expression, a repository URL, a status, ... "
            "('' clears repository, homepage or description)."
        ),
    ],
    reason: Annotated[str, typer.Option(help="Why upstream's value is wrong.")],
    author: Annotated[str, typer.Option(help="Who proposes it.")],
    evidence: Annotated[str, typer.Option(metavar="URL", help="Where the correct value shows.")],
    versions: Annotated[
        str | None,
        typer.Option(
            metavar="SEL",
            help="For a version's licence: one version, or a range like 'vers:pypi/>=1.0|<2.0'.",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Propose a correction; it takes effect once a reviewer approves it."""
    from ossmeta.store.curation_store import Curations

    store = open_for_write(db)
    new_id = Curations(store).propose(
        purl, field, value, reason=reason, author=author, evidence=evidence, versions=versions
    )
    store.dispose()
    typer.echo(new_id)
    stderr.print(f"proposed curation #{new_id}; review it with: ossmeta curate review {new_id}")


@app.command()
def review(
    curation_id: Annotated[
        int, typer.Argument(metavar="ID", min=1, max=2**31 - 1, help="The curation's id.")
    ],
    approve: Annotated[
        bool | None,
        typer.Option("--approve/--reject", help="Approve or reject it.", show_default=False),
    ] = None,
    reviewer: Annotated[str | None, typer.Option(help="Who reviews it.")] = None,
    note: Annotated[str | None, typer.Option(help="A note kept with the review.")] = None,
    db: DbOption = None,
) -> None:
    """Approve or reject a proposed curation."""
    from ossmeta.store.curation_store import Curations

    if approve is None:
        raise UsageError("give --approve or --reject")
    if not reviewer:
        raise UsageError("give --reviewer NAME")
    store = open_for_write(db)
    done = Curations(store).review(curation_id, approve, reviewer, note)
    store.dispose()
    stderr.print(f"curation #{done.id} {done.status}")


def _row(c: Curation) -> dict[str, Any]:
    return {
        "id": c.id,
        "purl": c.purl,
        "versions": c.versions,
        "field": c.field,
        "value": c.value,
        "status": c.status,
        "reason": c.reason,
        "author": c.author,
        "evidence": c.evidence,
        "reviewer": c.reviewer,
        "review_note": c.review_note,
        "created_at": c.created_at.isoformat(),
        "reviewed_at": None if c.reviewed_at is None else c.reviewed_at.isoformat(),
    }


def _write_table(found: tuple[Curation, ...]) -> None:
    from ossmeta.surfaces.formats.tables import TextTable, write_tables

    table = TextTable(
        None, "ID", "STATUS", "PURL", "VERSIONS", "FIELD", "VALUE", "AUTHOR", "REVIEWER"
    )
    for c in found:
        table.add_row(
            f"#{c.id}",
            c.status,
            c.purl,
            c.versions or "-",
            c.field,
            repr(c.value) if not c.value or "\n" in c.value else c.value,
            c.author,
            c.reviewer or "-",
        )
    write_tables(sys.stdout, table)


@app.command("list")
def list_(
    purl: Annotated[str | None, typer.Option(help="Only this package's curations.")] = None,
    status: Annotated[
        str | None, typer.Option(help="Only proposed, approved or rejected ones.")
    ] = None,
    format: Annotated[Format, format_option(Format.TABLE, Format.JSON)] = Format.TABLE,
    db: DbOption = None,
) -> None:
    """List curations, oldest first."""
    from ossmeta.store.curation_store import Curations

    store = open_for_read(db)
    found = Curations(store).find(purl, status)
    store.dispose()
    if format is Format.JSON:
        typer.echo(json_safe(json.dumps([_row(c) for c in found], indent=2, ensure_ascii=False)))
    elif found:
        _write_table(found)
    else:
        stderr.print("no curations")


@app.command("export")
def export(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="Where to write the files.")],
    db: DbOption = None,
) -> None:
    """Write every curation as YAML, one file per package (stable, diff-friendly)."""
    from ossmeta.store.curation_store import Curations

    if directory.exists() and not directory.is_dir():
        raise UsageError(f"cannot export into {directory}: it is not a directory")
    store = open_for_read(db)
    written = Curations(store).export_yaml(directory)
    store.dispose()
    stderr.print(f"wrote {len(written)} files under {directory}")


@app.command("import")
def import_(
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH", help="YAML files or directories of them.")
    ],
    db: DbOption = None,
) -> None:
    """Import curation files: all or nothing; what the store has already changes nothing."""
    from ossmeta.store.curation_store import Curations

    store = open_for_write(db)
    stats = Curations(store).import_yaml(paths)
    store.dispose()
    stderr.print(
        f"read {stats.read} curations from {stats.files} files: {stats.added} new, "
        f"{stats.updated} reviewed, {stats.unchanged} unchanged"
    )
