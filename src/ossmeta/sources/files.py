"""Defensive reading of untrusted input files: size limits, decoding, and loaders for
JSON, TOML, YAML and XML that turn every failure into a one-line ``SourceError``
naming the file and, where the parser knows it, the line."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import orjson

from ossmeta.errors import SourceError
from ossmeta.model import Location

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

# YAML and the XML parser are imported by the loaders that use them: a scan of a
# requirements file or a lockfile in JSON or TOML needs neither.

DEFAULT_MAX_BYTES = 256 * 1024 * 1024


def max_input_bytes() -> int:
    """Largest input file we read; ``OSSMETA_MAX_INPUT_BYTES`` overrides it."""
    value = os.environ.get("OSSMETA_MAX_INPUT_BYTES")
    if value:
        try:
            return int(value)
        except ValueError:
            raise SourceError(f"OSSMETA_MAX_INPUT_BYTES is not a number: {value!r}") from None
    return DEFAULT_MAX_BYTES


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file on disk together with the name it is shown under in reports."""

    path: Path
    display: str

    @classmethod
    def of(cls, path: Path | str, display: str | None = None) -> InputFile:
        p = Path(path)
        return cls(p, display if display is not None else str(path))

    def fail(self, message: str, line: int | None = None) -> NoReturn:
        raise SourceError(message, path=self.display, line=line)

    def at(self, line: int | None = None, pointer: str | None = None) -> Location:
        return Location(self.display, line, pointer)

    def sibling(self, name: str) -> InputFile:
        """Another file next to this one (``go.sum`` beside ``go.mod``)."""
        parent = os.path.dirname(self.display)
        return InputFile(self.path.with_name(name), os.path.join(parent, name) if parent else name)

    def read_bytes(self) -> bytes:
        limit = max_input_bytes()
        try:
            with self.path.open("rb") as handle:
                # Ask for what the file says it holds (+1 to notice growth): asking for the
                # whole limit makes Python allocate that much for every small file.
                size = os.fstat(handle.fileno()).st_size
                if size > limit:
                    self.fail(f"larger than the {limit}-byte input limit")
                data = handle.read((size or limit) + 1)
        except FileNotFoundError:
            self.fail("no such file")
        except IsADirectoryError:
            self.fail("is a directory, not a file")
        except OSError as error:
            self.fail(f"cannot read: {error.strerror or error}")
        if len(data) > limit:
            self.fail(f"larger than the {limit}-byte input limit")
        return data

    def read_text(self) -> str:
        return decode_text(self.read_bytes(), self)


def decode_text(data: bytes, file: InputFile) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        file.fail("not valid UTF-8 text", line)
    if "\x00" in text:
        file.fail("contains NUL bytes; not a text file", text[: text.index("\x00")].count("\n") + 1)
    return text


def load_json(file: InputFile, text: str | None = None) -> Any:
    """Parse JSON with orjson (two to three times the standard parser's speed on the
    10,000-component SBOMs a scan reads); duplicate keys keep the last value, NaN and
    Infinity are refused, nesting deeper than 1,024 levels is refused."""
    if text is None:
        text = file.read_text()
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as error:
        file.fail(f"invalid JSON: {error.msg} (column {error.colno})", error.lineno)


_TOML_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


def load_toml(file: InputFile, text: str | None = None) -> dict[str, Any]:
    if text is None:
        text = file.read_text()
    import tomllib  # only TOML inputs need it (a requirements scan does not)

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = _TOML_LINE.search(message)
        line = int(found.group(1)) if found else None
        file.fail(f"invalid TOML: {_TOML_LINE.sub('', message).strip()}", line)
    except RecursionError:
        file.fail("invalid TOML: nested too deeply")


@cache
def _no_alias_loader() -> Any:
    import yaml

    class _NoAliasLoader(yaml.CSafeLoader):
        """Safe YAML loading that keeps timestamps as the strings they were written as (an
        OSV ``modified`` must round-trip exactly, and everything we load is JSON-shaped
        data); documents that use anchors or aliases are refused (see ``load_yaml``)."""

    _NoAliasLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
    }
    return _NoAliasLoader


def load_yaml(file: InputFile, text: str | None = None) -> Any:
    """Parse one YAML document with the C safe loader.

    Aliases to collections are refused: a few bytes of them expand into an enormous tree
    ("billion laughs") as soon as anyone walks or re-serializes it, and no lockfile or
    advisory format we read uses them. The loader shares one object per anchor, so a
    linear walk that meets a collection twice has found an alias; only then is the text
    parsed again, as events, to name the line.
    """
    import yaml

    if text is None:
        text = file.read_text()
    try:
        document = yaml.load(text, Loader=_no_alias_loader())  # safe: a CSafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "malformed"
        file.fail(f"invalid YAML: {problem}", mark.line + 1 if mark else None)
    except yaml.YAMLError as error:
        file.fail(f"invalid YAML: {error}")
    except (RecursionError, ValueError, TypeError, OverflowError) as error:
        file.fail(f"invalid YAML: {error or type(error).__name__}")
    # An alias is written ``*name``: a text without a star has none, and the walk is skipped.
    if "*" in text and _shares_collections(document):
        line = None
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, yaml.AliasEvent):
                line = event.start_mark.line + 1 if event.start_mark is not None else None
                break
        file.fail("YAML anchors and aliases are not accepted", line)
    return document


def _shares_collections(document: Any) -> bool:
    seen: set[int] = set()
    stack = [document]
    while stack:
        node = stack.pop()
        children: Iterable[Any]
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        for child in children:
            if isinstance(child, (dict, list)):
                if id(child) in seen:
                    return True
                seen.add(id(child))
                stack.append(child)
    return False


def parse_xml(file: InputFile, data: bytes | None = None) -> Element:
    """Parse XML with defusedxml: DTDs, entities and external references are refused."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError as XmlParseError
    from defusedxml.ElementTree import fromstring as xml_fromstring

    if data is None:
        data = file.read_bytes()
    try:
        return xml_fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        file.fail(f"XML with a DTD or entities is not accepted ({type(error).__name__})")
    except XmlParseError as error:
        line = error.position[0] if getattr(error, "position", None) else None
        file.fail(f"invalid XML: {error.msg if hasattr(error, 'msg') else error}", line)
    except (ValueError, RecursionError, LookupError) as error:  # LookupError: unknown encoding
        file.fail(f"invalid XML: {error}")


def type_name(value: object) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "a boolean",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def expect_dict(
    file: InputFile, value: object, what: str, line: int | None = None
) -> dict[str, Any]:
    if not isinstance(value, dict):
        file.fail(f"{what} must be an object, not {type_name(value)}", line)
    return value


def expect_list(file: InputFile, value: object, what: str, line: int | None = None) -> list[Any]:
    if not isinstance(value, list):
        file.fail(f"{what} must be a list, not {type_name(value)}", line)
    return value


def expect_str(file: InputFile, value: object, what: str, line: int | None = None) -> str:
    if not isinstance(value, str):
        file.fail(f"{what} must be a string, not {type_name(value)}", line)
    return value


def optional_str(file: InputFile, value: object, what: str, line: int | None = None) -> str | None:
    if value is None:
        return None
    return expect_str(file, value, what, line)


def json_pointer(*parts: str | int) -> str:
    """``json_pointer("packages", "node_modules/a")`` -> ``$.packages["node_modules/a"]``."""
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", part):
            out += f".{part}"
        else:
            out += "[" + json.dumps(part) + "]"
    return out


def header_lines(text: str, header: str) -> list[int]:
    """1-based line numbers of every line that is exactly ``header`` (``[[package]]``),
    in order: TOML parsers drop positions, but the n-th table of an array is the n-th
    header, so this recovers the line of each entry."""
    return [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == header]
