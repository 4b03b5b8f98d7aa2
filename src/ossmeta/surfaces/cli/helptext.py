"""Help text as people read it: click's plain layout, conventional metavars, whole sentences.

Typer's defaults print ``<bool>``, ``<list[str]>`` and ``<path>`` after options, draw boxed
Rich panels that fold words inside the choice lists, and cost the import of Rich's Markdown
renderer on every ``--help``. :func:`plain_help` walks the command tree once, after Typer
has built it, and gives every command the plain layout (paragraphs rewrapped, ``\\b``
blocks kept as written), every value-taking parameter a metavar (``PATH``, ``TEXT``,
``[table|json]``), and every command a short help that is its whole first sentence.
"""

from __future__ import annotations

import enum
import pathlib
from datetime import datetime
from typing import Any, get_args, get_origin

#: What a value of each annotation is called in help text (click's names).
_TYPE_METAVARS: dict[Any, str] = {
    str: "TEXT",
    int: "INTEGER",
    float: "NUMBER",
    pathlib.Path: "PATH",
    datetime: "DATE",
}


def _metavar(annotation: Any) -> str:
    if get_origin(annotation) is list:
        (annotation,) = get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "[" + "|".join(str(member.value) for member in annotation) + "]"
    return _TYPE_METAVARS.get(annotation, "VALUE")


def _first_sentence(text: str) -> str:
    paragraph = " ".join(text.strip().split("\n\n", 1)[0].split())
    head, dot, _ = paragraph.partition(". ")
    return head + "." if dot else paragraph


def _plain_argument(param: Any) -> None:
    """An argument shown as click shows one: ``PATH...`` in the usage line (``[PATH]...``
    when optional), and no ``<type>`` beside its name; its metavar already says it."""
    if param.metavar is None:
        param.metavar = (param.name or "value").upper()
    usage = param.metavar if param.required else f"[{param.metavar}]"
    if param.nargs != 1:
        usage += "..."
    param._usage_display_name = lambda: usage
    param.display_type_rich = lambda ctx: None


def plain_help(command: Any) -> Any:
    """``command`` and every subcommand set up for plain help; returns ``command``."""
    if hasattr(command, "rich_markup_mode"):
        command.rich_markup_mode = None
    if command.help and not command.short_help:
        command.short_help = _first_sentence(command.help)
    for param in command.params:
        if param.param_type_name == "argument":
            _plain_argument(param)
        elif param.metavar is None and not getattr(param, "is_flag", False):
            param.metavar = _metavar(param.type_descriptor.annotation)
    for sub in getattr(command, "commands", {}).values():
        plain_help(sub)
    return command
