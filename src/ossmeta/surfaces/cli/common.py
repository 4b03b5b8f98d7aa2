"""Options and helpers shared by the commands: the store option and the one way to open
the store for a command, where output goes, the progress bar. Importing this module stays
cheap: Rich and the store are imported when a command first uses them, so ``--help`` loads
neither."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ossmeta.surfaces.cli.output import write_output

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

    from ossmeta.store import Store

__all__ = [
    "DbOption",
    "close_opened",
    "open_for_read",
    "open_for_write",
    "progress_bar",
    "stderr",
    "write_output",
]

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (default: OSSMETA_DATABASE_URL, else SQLite under OSSMETA_HOME).",
        show_default=False,
    ),
]


@cache
def stderr_console() -> Console:
    from rich.console import Console

    # One message, one line; file names with brackets are text, not markup.
    return Console(stderr=True, highlight=False, soft_wrap=True, markup=False)


class _LazyConsole:
    """Stands for the stderr console and builds it on first use (Rich costs a tenth of a
    second to import, more than a whole ``--help``). What it prints is made terminal-safe:
    messages carry registry errors, package names and curation text."""

    def print(self, *objects: Any, **options: Any) -> None:
        from ossmeta.surfaces.formats.terminal import terminal_safe

        shown = [terminal_safe(o) if isinstance(o, str) else o for o in objects]
        stderr_console().print(*shown, **options)

    def __getattr__(self, name: str) -> Any:
        return getattr(stderr_console(), name)


stderr: Console = _LazyConsole()  # type: ignore[assignment]


def open_for_read(db: str | None) -> Store:
    """The store for a command that only reads: never created here, opened read-only (so it
    works in a directory the user cannot write); missing, empty or out of date is exit 4
    with the next step to take."""
    from ossmeta.store import open_store

    return _checked(open_store(db, access="read"))


def open_for_write(db: str | None) -> Store:
    """The store for a command that writes: it must exist already (``ossmeta db upgrade``
    creates it), so a mistyped ``--db`` or ``OSSMETA_HOME`` fails instead of filling a new
    store nobody will read."""
    from ossmeta.store import open_store

    return _checked(open_store(db, access="write"))


def _checked(store: Store) -> Store:
    """``store`` when its schema is current; else its connections closed and the reason."""
    try:
        store.ensure_current()
    except BaseException:
        store.dispose()
        raise
    _opened.append(store)
    return store


# The stores opened for the running command, closed by ``close_opened`` when it ends
# however it ends (a command that fails half-way does not have to remember to).
_opened: list[Store] = []


def close_opened() -> None:
    while _opened:
        _opened.pop().dispose()


def progress_bar(label: str, *, disable: bool = False) -> Progress:
    """The commands' progress bar on stderr: label, bar, done of total, time left; gone
    when finished."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=stderr_console(),
        transient=True,
        disable=disable,
    )
