"""`ossmeta events`: GH Archive and code-host events: import, fetch."""

from __future__ import annotations

import typer

app = typer.Typer(help="GH Archive and code-host events: import, fetch.", no_args_is_help=True)
