"""The lazily built command tree is Typer's tree: every help text, listings included, is
the one the eagerly built tree prints; a command line builds only the commands it names."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import typer

from ossmeta.surfaces.cli.app import app, cli_command, main
from ossmeta.surfaces.cli.helptext import plain_help
from ossmeta.surfaces.cli.lazytree import LazyGroup


def _eager() -> Any:
    """The tree as Typer builds it, every command at once (what the CLI did before)."""
    from ossmeta.surfaces.cli.coercion import lean_coercion

    return plain_help(lean_coercion(typer.main.get_command(app)))


def _helps(command: Any, path: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """Help of ``command`` and of every subcommand, reached the way a command line
    reaches them (``get_command``), each group's help taken before its subcommands exist."""
    ctx = typer._click.Context(command, info_name=" ".join(path))
    yield " ".join(path), command.get_help(ctx)
    for name in command.list_commands(ctx) if hasattr(command, "list_commands") else []:
        yield from _helps(command.get_command(ctx, name), (*path, name))


def test_every_help_text_is_the_eager_trees() -> None:
    lazy = dict(_helps(cli_command(), ("ossmeta",)))
    eager = dict(_helps(_eager(), ("ossmeta",)))
    assert list(lazy) == list(eager)  # the same commands, in the same order
    assert len(lazy) > 30
    for path, text in eager.items():
        assert lazy[path] == text, path


def test_a_command_line_builds_only_the_commands_it_names() -> None:
    root = cli_command()
    assert isinstance(root, LazyGroup)
    ctx = typer._click.Context(root, info_name="ossmeta")
    assert "packages" in root.get_help(ctx)  # the listing names every command...
    assert root._built == {}  # ...without building one
    packages = root.get_command(ctx, "packages")
    assert isinstance(packages, LazyGroup)
    assert list(root._built) == ["packages"]
    show = packages.get_command(typer._click.Context(packages, parent=ctx), "show")
    assert show is not None and [p.name for p in show.params][:1] == ["purl"]
    assert list(packages._built) == ["show"]
    assert root.get_command(ctx, "no-such-command") is None


def test_walking_the_commands_builds_them_all() -> None:
    root = cli_command()
    eager = _eager()
    assert list(root.commands) == list(eager.commands)
    assert all(not isinstance(c, dict) for c in root.commands.values())


def test_a_mistyped_command_is_still_suggested(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pakages", "show"]) == 2
    assert "Did you mean 'packages'" in capsys.readouterr().err
