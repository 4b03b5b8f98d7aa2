"""Every command's ``--help`` reads as plain text: no Typer type tags (``<bool>``,
``<list[str]>``), no doubled ellipses, no words folded mid-way, paragraphs rewrapped, and
every list of exit codes complete (0 to 4)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer

from ossmeta.normalizers.curation import CURATABLE_FIELDS
from ossmeta.surfaces.cli.app import cli_command, main
from ossmeta.surfaces.cli.curate import FIELD_HELP


def _walk(command: Any, path: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    ctx = typer._click.Context(command, info_name=" ".join(path))
    yield " ".join(path), command.get_help(ctx)
    for name, sub in getattr(command, "commands", {}).items():
        yield from _walk(sub, (*path, name))


HELPS = dict(_walk(cli_command(), ("ossmeta",)))


def test_every_command_is_walked() -> None:
    assert {"ossmeta scan", "ossmeta packages show", "ossmeta metrics compute"} <= set(HELPS)


@pytest.mark.parametrize("name", sorted(HELPS))
def test_help_has_no_artefacts(name: str) -> None:
    text = HELPS[name]
    assert not re.search(r"<(bool|str|int|float|path|list\[[^]]*\])>", text), text
    assert "...}..." not in text and "{" not in text.splitlines()[0], text
    assert "...." not in text and "cycloned x" not in text, text
    assert "╭" not in text and "│" not in text, text  # plain layout, no boxed panels
    if "Exit codes:" in text:
        codes = " ".join(text.split("Exit codes:", 1)[1].split())
        assert all(f"{n} " in codes for n in range(5)), text


def test_docstring_line_breaks_are_rewrapped() -> None:
    # 'sync' has a three-line docstring; its sentences flow on as one paragraph.
    assert "them. An interrupted sync" in HELPS["ossmeta sync"]


def test_scan_help_lists_every_exit_code_and_usage_is_conventional() -> None:
    text = HELPS["ossmeta scan"]
    assert text.startswith("Usage: ossmeta scan [OPTIONS] PATH...")
    flat = " ".join(text.split())
    assert "3 internal error, 4 upstream, network or store unavailable" in flat


def test_field_help_names_every_curatable_field() -> None:
    assert f"One of {', '.join(CURATABLE_FIELDS)}." == FIELD_HELP


def test_help_through_main(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--help"]) == 0
    assert capsys.readouterr().out == HELPS["ossmeta scan"] + "\n"
