"""`ossmeta metrics`: Activity and community-health metrics: compute, show, export."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Activity and community-health metrics: compute, show, export.", no_args_is_help=True
)
