"""The one ``--format`` option: every output format the CLI knows, declared once; each
command names the formats it offers, and any other value is a usage error (exit 2) that
lists them."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import typer

from ossmeta.errors import UsageError


class Format(StrEnum):
    """An output format. ``table`` and ``text`` are for people; the rest for programs."""

    TABLE = "table"
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    CYCLONEDX = "cyclonedx"
    HTML = "html"


def format_option(*allowed: Format) -> Any:
    """``--format``/``-f`` accepting exactly ``allowed`` (the first is the default the
    command's signature gives), parsed to a :class:`Format`."""
    names = [str(choice) for choice in allowed]
    choices = " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 2 else names)

    def parse(value: str | Format) -> Format:
        if value in names:
            return Format(value)
        # A usage error, so the message is the CLI's one line, not click's usage block.
        raise UsageError(f"--format must be {choices}, not {value!r}")

    return typer.Option(
        "--format",
        "-f",
        parser=parse,
        metavar="[" + "|".join(names) + "]",
        help=f"Output format: {', '.join(names)}.",
    )
