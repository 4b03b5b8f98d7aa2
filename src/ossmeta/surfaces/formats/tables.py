"""The one table renderer behind every command's ``--format table``.

A :class:`TextTable` is a heading (or None) and columns that either wrap (long text) or
never do (ids, versions); :func:`write_tables` prints tables and lines to a stream. Every
string cell passes through :func:`~ossmeta.surfaces.formats.terminal.terminal_safe` and
becomes a Rich ``Text``, so untrusted text can neither drive the terminal nor be read as
Rich markup. Callers that style a cell build the ``Text`` from :func:`cell`.

On a terminal, Rich's own detection decides colour and width (it honours ``NO_COLOR``,
``FORCE_COLOR`` and ``TTY_COMPATIBLE``). Into a pipe or file the width is ``$COLUMNS`` or
120 and no line ends in blanks, so the output diffs and greps cleanly.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ossmeta.surfaces.formats.terminal import terminal_safe

PIPE_WIDTH = 120

Cell = str | Text | None


def cell(value: str | None, style: str = "") -> Text:
    """A table cell or line from untrusted text, escaped for the terminal."""
    return Text(terminal_safe(value or ""), style=style)


class TextTable:
    """A heading and a table whose columns either wrap (``wrap``) or never do. A table
    without wrapping columns is a list (one record a line, as ``grep`` and ``awk`` want it):
    no rule under its header, and into a pipe it is as wide as its widest row."""

    def __init__(self, heading: str | None, *columns: str, wrap: Iterable[str] = ()) -> None:
        self.heading = heading
        wrapping = set(wrap)
        self.is_list = not wrapping
        self.table = Table(
            box=None if self.is_list else box.SIMPLE_HEAD,
            show_edge=False,
            pad_edge=False,
            header_style="bold",
        )
        for name in columns:
            if name in wrapping:
                self.table.add_column(name, overflow="fold")
            else:
                self.table.add_column(name, no_wrap=True)

    @property
    def row_count(self) -> int:
        return self.table.row_count

    def add_row(self, *cells: Cell, end_section: bool = False) -> None:
        shown = [value if isinstance(value, Text) else cell(value) for value in cells]
        self.table.add_row(*shown, end_section=end_section)

    def show(self, console: Console) -> None:
        """Print the heading and the table, then a blank line; nothing when it is empty."""
        if self.table.row_count:
            if self.heading:
                console.print(Text(self.heading, style="bold"), soft_wrap=True)
            console.print(self.table)
            console.print()


def _plain_width() -> int:
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) >= 40 else PIPE_WIDTH


def _console(file: TextIO, **options: Any) -> Console:
    return Console(file=file, highlight=False, emoji=False, markup=False, **options)


def write_console(stream: TextIO, render: Callable[[Console], None], *, min_width: int = 0) -> None:
    """Run ``render`` against a console on ``stream``: coloured on a terminal, plain,
    fixed-width (at least ``min_width``) and without trailing blanks into a pipe or file."""
    console = _console(stream)
    if console.is_terminal:
        render(console)
        return
    buffer = io.StringIO()
    width = max(_plain_width(), min_width)
    render(_console(buffer, width=width, force_terminal=False))
    stream.write("\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n")


def write_tables(stream: TextIO, *blocks: TextTable | Text | str) -> None:
    """Print tables (each with its heading) and lines (escaped) in order."""

    def render(console: Console) -> None:
        for block in blocks:
            if isinstance(block, TextTable):
                block.show(console)
            else:
                line = block if isinstance(block, Text) else cell(block)
                console.print(line, soft_wrap=True)

    lists = [block.table for block in blocks if isinstance(block, TextTable) and block.is_list]
    measure = _console(io.StringIO(), width=1_000_000)
    widest = max((measure.measure(table).maximum for table in lists), default=0)
    write_console(stream, render, min_width=widest)
