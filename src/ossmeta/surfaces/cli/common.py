"""Options and helpers shared by the commands. Importing this module stays cheap: Rich and
the store are imported when a command first uses them, so ``--help`` loads neither."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from ossmeta.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

    from ossmeta.store import Store

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


def ready_store(url: str | None) -> Store:
    """The store, created on first use; one that needs migrating is refused."""
    from ossmeta.store import open_store

    store = open_store(url)
    store.ensure_current()
    return store


def write_output(output: Path | None, render: Callable[[TextIO], None]) -> None:
    """``render`` to stdout, or to ``output`` atomically: written beside the target and
    renamed, so a failed run never leaves half a report where the previous one was. The
    file gets the usual permissions (umask), not mkstemp's private 0600."""
    if output is None:
        render(sys.stdout)
        return
    directory = output.parent if str(output.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"cannot write {output}: {directory} is not a directory")
    handle, temporary = tempfile.mkstemp(prefix=f".{output.name}.", dir=directory)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        stream: TextIO
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            render(stream)
        os.replace(temporary, output)
    except BaseException:
        os.unlink(temporary)
        raise


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
