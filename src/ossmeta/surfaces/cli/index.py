"""``ossmeta index add|list``: the package indexes that ``ossmeta serve`` serves to pip, uv
and npm (``/index/NAME/simple/`` and ``/index/NAME/npm/``)."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from ossmeta.surfaces.cli.common import DbOption, open_for_read, open_for_write, stderr
from ossmeta.surfaces.formats.terminal import terminal_safe

app = typer.Typer(help="Package indexes served to pip, uv and npm.", no_args_is_help=True)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for this uid (a bare container)
        return "cli:unknown"


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The index's name, in its URL.")],
    ecosystem: Annotated[str, typer.Option("--ecosystem", help="pypi or npm.")],
    upstream: Annotated[
        str,
        typer.Option("--upstream", help="The upstream: a PEP 691 simple root or an npm registry."),
    ],
    policy: Annotated[
        str | None, typer.Option("--policy", help="The policy (by name) that gates it.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Add an index that proxies UPSTREAM, gated by POLICY."""
    from ossmeta.service.indexes import add_index

    made = add_index(open_for_write(db), name, ecosystem, upstream, policy, _actor())
    path = "simple/" if made.ecosystem == "pypi" else "npm/"
    gate = f"policy {made.policy}" if made.policy else "no policy"
    stderr.print(terminal_safe(f"index {made.name} added: /index/{made.name}/{path} ({gate})"))


@app.command("list")
def list_(db: DbOption = None) -> None:
    """List the indexes: name, ecosystem, upstream, policy."""
    from ossmeta.service.indexes import indexes

    for each in indexes(open_for_read(db)):
        fields = (each.name, each.ecosystem, each.upstream, each.policy or "-")
        typer.echo("\t".join(terminal_safe(field, one_line=True) for field in fields))
