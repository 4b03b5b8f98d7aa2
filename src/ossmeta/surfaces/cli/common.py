"""Options and helpers shared by the commands."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from ossmeta.store import Store, open_store

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (default: OSSMETA_DATABASE_URL, else SQLite under OSSMETA_HOME).",
        show_default=False,
    ),
]

# One message, one line; file names with brackets are text, not markup.
stderr = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)


def ready_store(url: str | None) -> Store:
    """The store, created on first use; one that needs migrating is refused."""
    store = open_store(url)
    store.ensure_current()
    return store
