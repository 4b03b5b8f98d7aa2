"""The CLI's lean value conversion answers exactly as Typer's own (Pydantic-based) one: for
every parameter of every command and a spread of good and bad values, the same value or
the same error message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest
from typer._coercion import build_runtime_param

from ossmeta.surfaces.cli.app import cli_command
from ossmeta.surfaces.cli.coercion import LeanRuntimeParam

SAMPLES: tuple[Any, ...] = (
    "text",
    "",
    "-",
    " 7 ",
    "0",
    "1",
    "-3",
    "42",
    "10000",
    "10001",
    "1_000",
    "+5",
    "1e3",
    "٣",
    "9" * 30,
    "json",
    "JSON",
    "table",
    "high",
    "Critical",
    "pypi",
    "spark",
    "a/b.txt",
    "no\x00nul",
    "true",
    True,
    False,
    3,
    Path("p"),
    ("a", "b"),
    ["json"],
    [],
)


def _parameters(command: Any) -> list[tuple[Any, Any]]:
    found = [(command, p) for p in command.params]
    for sub in getattr(command, "commands", {}).values():
        found.extend(_parameters(sub))
    return found


def _outcome(runtime: Any, value: Any, param: Any, ctx: click.Context) -> tuple[str, Any]:
    try:
        return "value", runtime.coerce(value, param=param, ctx=ctx)
    except Exception as error:  # the message is what the user sees
        return type(error).__name__, str(getattr(error, "message", error))


PARAMETERS = _parameters(cli_command())


def test_most_parameters_take_the_lean_path() -> None:
    lean = [p for _, p in PARAMETERS if isinstance(p._runtime_param, LeanRuntimeParam)]
    assert len(lean) >= len(PARAMETERS) * 3 // 4, "lean coercion is no longer installed"


@pytest.mark.parametrize(
    ("command", "param"), PARAMETERS, ids=[f"{c.name}-{p.name}" for c, p in PARAMETERS]
)
def test_lean_conversion_equals_typers(command: Any, param: Any) -> None:
    lean = param._runtime_param
    if not isinstance(lean, LeanRuntimeParam):
        pytest.skip("Typer converts this parameter itself")
    typer_own = build_runtime_param(param.type_descriptor)
    ctx = click.Context(command)
    for value in SAMPLES:
        expected = _outcome(typer_own, value, param, ctx)
        assert _outcome(lean, value, param, ctx) == expected, value
