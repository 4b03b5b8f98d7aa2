"""Parameter values without Pydantic on the common path.

Typer turns every command-line value into its annotated type with a Pydantic
``TypeAdapter``; importing Pydantic for that costs about a fifth of a second, most of a
small command's start-up budget. :func:`lean_coercion` gives each parameter a coercion
that converts the plain cases itself (a string, a list of strings, an enum choice, a
path, a whole number within its bounds, a value the option's own parser accepts) with
the same functions Typer's adapters call, and hands anything else, every invalid value
included, to Typer's own coercion. A value is therefore either converted exactly as Typer
would, or by Typer itself: its answers and its error messages are unchanged.

It relies on Typer's coercion hook (``_TyperParameter._runtime_param``); with a Typer that
has none, parameters keep Typer's coercion and only the speed differs.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
from typer._param_types import coerce_cli_choice, coerce_cli_path, routes_to_path
from typer.models import ParameterInfo

#: Converts one value (given the click parameter and context) or raises: then Typer decides.
Convert = Callable[[Any, Any, Any], Any]

#: Whole numbers converted here: plain ASCII digits, short enough to be exact everywhere.
_MAX_DIGITS = 18


class _NotPlain(Exception):
    """The value is not one of the plain cases; Typer's coercion decides."""


@dataclass(frozen=True)
class LeanRuntimeParam(RuntimeParam):
    """Typer's runtime coercion with a Pydantic-free path for plain values."""

    descriptor: TypeDescriptor
    convert: Convert

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        try:
            return self.convert(value, param, ctx)
        except Exception:  # any doubt: Typer converts it, or reports it in its own words
            typer_own = build_runtime_param(self.descriptor)
            return typer_own._coerce_value(value, param=param, ctx=ctx)


def _text(value: Any, _param: Any, _ctx: Any) -> Any:
    if type(value) is not str:
        raise _NotPlain
    return value


def _flag(value: Any, _param: Any, _ctx: Any) -> Any:
    if type(value) is not bool:
        raise _NotPlain
    return value


def _choice(choices: list[Any], case_sensitive: bool) -> Convert:
    def convert(value: Any, _param: Any, ctx: Any) -> Any:
        return coerce_cli_choice(value, choices=choices, case_sensitive=case_sensitive, ctx=ctx)

    return convert


def _parsed(parser: Callable[[Any], Any]) -> Convert:
    def convert(value: Any, _param: Any, _ctx: Any) -> Any:
        return parser(value)

    return convert


def _whole_number(info: ParameterInfo) -> Convert:
    def convert(value: Any, _param: Any, _ctx: Any) -> Any:
        if type(value) is int:
            number = value
        elif type(value) is str and _plain_integer(value):
            number = int(value)
        else:
            raise _NotPlain
        if (info.min is not None and number < info.min) or (
            info.max is not None and number > info.max
        ):
            raise _NotPlain  # Typer words the range error
        return number

    return convert


def _plain_integer(text: str) -> bool:
    digits = text[1:] if text.startswith("-") else text
    return 0 < len(digits) <= _MAX_DIGITS and digits.isascii() and digits.isdigit()


def _path(path_type: type[Path], info: ParameterInfo) -> Convert:
    def convert(value: Any, param: Any, ctx: Any) -> Any:
        if type(value) is str and value and "\x00" not in value:
            value = path_type(value)  # what Pydantic makes of a plain string
        if not isinstance(value, path_type):
            raise _NotPlain
        return coerce_cli_path(value, info, path_type=path_type, param=param, ctx=ctx)

    return convert


def _leaf(annotation: Any, info: ParameterInfo) -> Convert | None:
    if info.parser is not None:
        return _parsed(info.parser)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return _choice(list(annotation), info.case_sensitive)
    if annotation is str:
        return _text
    if annotation is bool:
        return _flag
    if annotation is int and not info.clamp:
        return _whole_number(info)
    if (
        isinstance(annotation, type)
        and issubclass(annotation, Path)
        and routes_to_path(annotation, info)
        and info.path_type is None  # else Typer converts to str or bytes
    ):
        return _path(annotation, info)
    return None


def _each(item: Convert) -> Convert:
    def convert(value: Any, param: Any, ctx: Any) -> Any:
        if not isinstance(value, (list, tuple)):
            value = [value]
        return [item(one, param, ctx) for one in value]

    return convert


def lean_converter(descriptor: TypeDescriptor) -> Convert | None:
    """The plain-case conversion for a parameter, or None when Typer alone should do it."""
    if descriptor.file_annotation is not None:
        return None
    annotation: Any = descriptor.annotation
    info = descriptor.parameter_info
    if get_origin(annotation) is list:
        (element,) = get_args(annotation)
        item = _leaf(element, info)
        return _each(item) if item is not None else None
    if get_origin(annotation) is not None:
        return None
    return _leaf(annotation, info)


def _lean(param: Any) -> None:
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or getattr(param, "_runtime_param", False) is not None:
        return  # not Typer's parameter, or its coercion is already built
    convert = lean_converter(descriptor)
    if convert is not None:
        param._runtime_param = LeanRuntimeParam(
            parameter_info=descriptor.parameter_info,
            annotation=descriptor.annotation,
            descriptor=descriptor,
            convert=convert,
        )


def lean_coercion(command: Any) -> Any:
    """``command`` and its subcommands with lean coercion on every parameter Typer would
    build a coercion for, the ``--help`` option included (made when a command first runs);
    returns ``command``."""
    for param in command.params:
        _lean(param)
    make_help_option = getattr(command, "get_help_option", None)
    if make_help_option is not None:

        def get_help_option(ctx: Any) -> Any:
            option = make_help_option(ctx)
            if option is not None:
                _lean(option)
            return option

        command.get_help_option = get_help_option
    for sub in getattr(command, "commands", {}).values():
        lean_coercion(sub)
    return command
