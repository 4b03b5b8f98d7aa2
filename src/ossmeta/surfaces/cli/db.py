"""``ossmeta db``: create and migrate the store."""

from __future__ import annotations

import typer

from ossmeta.surfaces.cli.common import DbOption, stderr

app = typer.Typer(help="Create or migrate the store.", no_args_is_help=True)


@app.command()
def upgrade(db: DbOption = None) -> None:
    """Create the store or migrate it to the newest schema (the one command that creates)."""
    from ossmeta.store import open_store

    store = open_store(db, access="create")
    before = store.current_revision()
    store.upgrade()
    after = store.current_revision()
    if before == after:
        stderr.print(f"{store.display_url} is up to date (revision {after})")
    else:
        stderr.print(f"{store.display_url}: {before or 'empty'} -> {after}")
    store.dispose()


@app.command()
def current(db: DbOption = None) -> None:
    """Print the store's schema revision and the newest one."""
    from ossmeta.store import open_store

    store = open_store(db, access="read")
    typer.echo(
        f"{store.display_url}: revision {store.current_revision()} (newest {store.head_revision()})"
    )
    store.dispose()
