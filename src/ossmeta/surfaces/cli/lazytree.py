"""The click command tree, built only as far as a command line walks it.

Typer turns every command of the tree into a click command up front, reading each
function's signature and evaluating its annotations: about a fifth of what importing
SQLAlchemy costs, paid by ``--help`` and by every command although a command line runs
one. :func:`lazy_command` builds the root group with Typer's own functions and gives it
(and each subgroup) the names of its subcommands only; a subcommand is built, by Typer,
when the command line names it. A group's help lists its subcommands from what
registering them recorded (name, help text, hidden, deprecated), without building them.

Anything that reads a group's ``commands`` (tests that walk the tree, shell completion)
gets every subcommand built, so it sees the tree Typer would have made. ``finish`` is
applied to each command once, when it is built (and to each help-only stand-in).
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, MutableMapping
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup
from typer.main import (
    get_command_from_info,
    get_command_name,
    get_group_from_info,
    solve_typer_info_defaults,
)
from typer.models import CommandInfo, DefaultPlaceholder, TyperInfo

#: Applied to each command when it is built (plain help, lean coercion); returns it.
Finish = Callable[[Any], Any]


class LazyGroup(TyperGroup):
    """A Typer group whose subcommands are built when first asked for by name."""

    _built: dict[str, Any]
    _builders: dict[str, Callable[[], Any]]
    _headers: dict[str, Callable[[], Any]]
    _listing: bool = False

    @property
    def commands(self) -> MutableMapping[str, Any]:
        """Every subcommand, built (for code that walks the whole tree)."""
        for name in list(self._builders):
            self._build(name)
        return self._built

    @commands.setter
    def commands(self, value: MutableMapping[str, Any]) -> None:
        self._built = dict(value)
        self.__dict__.setdefault("_builders", {})
        self.__dict__.setdefault("_headers", {})

    def _build(self, name: str) -> Any:
        if name not in self._built:
            self._built[name] = self._builders[name]()
        return self._built[name]

    def list_commands(self, ctx: Any) -> list[str]:
        return list(dict.fromkeys([*self._builders, *self._built]))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in self._built or cmd_name not in self._builders:
            return self._built.get(cmd_name)
        if self._listing:  # help lists the subcommands: their registration says enough
            return self._headers[cmd_name]()
        return self._build(cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            self._listing = False


def _shallow(instance: typer.Typer) -> typer.Typer:
    """``instance`` without its subcommands: Typer builds the group itself only."""
    alone = copy.copy(instance)
    alone.registered_commands = []
    alone.registered_groups = []
    return alone


def _settings(app: typer.Typer) -> dict[str, Any]:
    return {
        "pretty_exceptions_short": app.pretty_exceptions_short,
        "rich_markup_mode": app.rich_markup_mode,
    }


def _group(info: TyperInfo, app: typer.Typer, finish: Finish) -> Any:
    instance = info.typer_instance
    assert isinstance(instance, typer.Typer)
    alone = copy.copy(info)
    alone.typer_instance = _shallow(instance)
    alone.cls = LazyGroup
    group = get_group_from_info(alone, **_settings(app), suggest_commands=app.suggest_commands)
    finish(group)  # before the subcommands are known: it sees this group alone
    assert isinstance(group, LazyGroup)
    for command_info in instance.registered_commands:
        name = command_info.name or get_command_name(command_info.callback.__name__)  # type: ignore[union-attr]
        group._builders[name] = _command_builder(command_info, app, finish)
        group._headers[name] = _command_header(command_info, name, app, finish)
    for sub_info in instance.registered_groups:
        solved = solve_typer_info_defaults(sub_info)
        group_name = solved.name
        assert isinstance(group_name, str) and group_name, "every group of the CLI is named"
        group._builders[group_name] = _group_builder(sub_info, app, finish)
        group._headers[group_name] = _group_header(solved, group_name, app, finish)
    return group


def _command_builder(info: CommandInfo, app: typer.Typer, finish: Finish) -> Callable[[], Any]:
    return lambda: finish(get_command_from_info(info, **_settings(app)))


def _group_builder(info: TyperInfo, app: typer.Typer, finish: Finish) -> Callable[[], Any]:
    return lambda: _group(info, app, finish)


def _command_header(
    info: CommandInfo, name: str, app: typer.Typer, finish: Finish
) -> Callable[[], Any]:
    """What ``get_command_from_info`` would make, without the parameters."""

    def header() -> Any:
        text = inspect.getdoc(info.callback) if info.help is None else inspect.cleandoc(info.help)
        return finish(
            (info.cls or TyperCommand)(
                name=name,
                help=text,
                short_help=info.short_help,
                hidden=info.hidden,
                deprecated=info.deprecated,
                rich_markup_mode=app.rich_markup_mode,
            )
        )

    return header


def _group_header(
    solved: TyperInfo, name: str, app: typer.Typer, finish: Finish
) -> Callable[[], Any]:
    """What ``get_group_from_info`` would make, without parameters and subcommands."""

    def header() -> Any:
        return finish(
            TyperGroup(
                name=name,
                help=solved.help,
                short_help=solved.short_help,
                hidden=solved.hidden,
                deprecated=solved.deprecated,
                rich_markup_mode=app.rich_markup_mode,
            )
        )

    return header


def lazy_command(app: typer.Typer, finish: Finish) -> Any:
    """The click command of ``app`` (a Typer app with a callback and named subgroups), its
    subcommands built on demand; ``finish`` is applied to each command as it is built."""
    cls: object = app.info.cls  # a placeholder unless the app names a group class
    if app._add_completion or not isinstance(cls, DefaultPlaceholder):
        return finish(typer.main.get_command(app))  # not the shape built lazily here
    return _group(TyperInfo(app), app, finish)
