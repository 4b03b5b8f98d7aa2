"""`ossmeta identities`: Contributor identities: merge, split, bots."""

from __future__ import annotations

import typer

app = typer.Typer(help="Contributor identities: merge, split, bots.", no_args_is_help=True)
