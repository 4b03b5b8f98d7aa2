"""`ossmeta git`: Git repositories: import commits and tags."""

from __future__ import annotations

import typer

app = typer.Typer(help="Git repositories: import commits and tags.", no_args_is_help=True)
