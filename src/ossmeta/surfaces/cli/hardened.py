"""``ossmeta hardened add|list|show``: the foundation's patched rebuilds of upstream
releases (PyPI ``X+trusted.N``, npm ``X-trusted.N``), their provenance and OpenVEX."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from ossmeta.surfaces.cli.common import DbOption, open_for_read, open_for_write, stderr
from ossmeta.surfaces.cli.options import Format, format_option
from ossmeta.surfaces.formats.terminal import json_safe, terminal_safe

app = typer.Typer(
    help="Hardened releases: patched rebuilds that replace vulnerable upstream versions.",
    no_args_is_help=True,
)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for this uid (a bare container)
        return "cli:unknown"


def _dump(document: Any) -> None:
    typer.echo(json_safe(json.dumps(document, indent=2, ensure_ascii=False)))


@app.command("add")
def add(
    purl: Annotated[str, typer.Argument(help="The upstream release it replaces (with version).")],
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="The rebuilt wheel, sdist or npm tarball.")
    ],
    fixes: Annotated[
        list[str], typer.Option("--fixes", help="An advisory it fixes (repeat, or comma-separate).")
    ],
    patch: Annotated[
        list[str] | None,
        typer.Option("--patch", help="A patch file it applies (repeat; at least one)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Add FILE as the hardened release that replaces the upstream PURL."""
    from ossmeta.service.hardened import add_hardened

    made = add_hardened(
        open_for_write(db),
        purl,
        file,
        fixes,
        [Path(p) for p in patch or ()],
        _actor(),
    )
    stderr.print(
        terminal_safe(
            f"hardened {made.name} {made.version} added ({made.filename}, sha256 "
            f"{made.sha256}): not affected by {', '.join(made.fixes)}"
        )
    )


@app.command("list")
def list_(
    format: Annotated[Format, format_option(Format.TABLE, Format.JSON)] = Format.TABLE,
    db: DbOption = None,
) -> None:
    """List hardened releases: ecosystem, name, upstream, hardened version, file, fixes."""
    from ossmeta.service.hardened import hardened_list

    rows = hardened_list(open_for_read(db))
    if format is Format.JSON:
        _dump(
            [
                {
                    "ecosystem": r.ecosystem,
                    "name": r.name,
                    "upstream_version": r.upstream_version,
                    "version": r.version,
                    "filename": r.filename,
                    "sha256": r.sha256,
                    "sha512": r.sha512,
                    "size": r.size,
                    "fixes": list(r.fixes),
                    "patches": [{"name": p.name, "sha256": p.sha256} for p in r.patches],
                    "created_at": r.created_at.isoformat(),
                    "created_by": r.created_by,
                }
                for r in rows
            ]
        )
        return
    if not rows:
        stderr.print("no hardened releases")
    for r in rows:
        fields = (r.ecosystem, r.name, r.upstream_version, r.version, r.filename, ",".join(r.fixes))
        typer.echo("\t".join(terminal_safe(field, one_line=True) for field in fields))


@app.command("show")
def show(
    purl: Annotated[
        str, typer.Argument(help="A hardened version, or the upstream version it replaces.")
    ],
    vex: Annotated[bool, typer.Option("--vex", help="Print its OpenVEX document.")] = False,
    db: DbOption = None,
) -> None:
    """Print a hardened release's provenance (JSON), or with --vex its OpenVEX statements."""
    from ossmeta.service.hardened import release_rows
    from ossmeta.service.hardened_documents import hardened_openvex, provenance

    rows = release_rows(open_for_read(db), purl)
    _dump(hardened_openvex(rows) if vex else provenance(rows))
