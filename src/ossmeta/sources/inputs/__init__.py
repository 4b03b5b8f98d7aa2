"""Lockfiles, manifests and SBOMs: which file is which format, and the parser for it.

Every parser module defines ``parse(file: InputFile) -> Iterable[DeclaredPackage | Skipped]``
and may define ``sniff(head: str) -> bool`` to recognise its format in a file with another
name. Parsers raise only ``SourceError`` (through ``InputFile.fail``) and yield a ``Skipped``
for whatever they read but leave out. The table below names a small loader per format that
imports its module on call, so starting the CLI does not import every parser.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from ossmeta.errors import SourceError
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile
from ossmeta.sources.inputs.skipped import Skipped

Parser = Callable[[InputFile], Iterable[DeclaredPackage | Skipped]]
Sniffer = Callable[[str], bool]


class Reader(NamedTuple):
    parse: Parser
    sniff: Sniffer | None = None


@dataclass(frozen=True, slots=True)
class InputFormat:
    id: str
    load: Callable[[], Reader]  # imports the parser module on call
    patterns: tuple[str, ...]  # file-name patterns (fnmatch, case-insensitive)

    def parser(self) -> Parser:
        return self.load().parse

    def sniffer(self) -> Sniffer | None:
        return self.load().sniff


@dataclass(frozen=True, slots=True)
class Parsed:
    packages: list[DeclaredPackage]
    skipped: list[Skipped]


# One loader per parser module: the import happens when the format is first used.


def _requirements() -> Reader:
    from ossmeta.sources.inputs import requirements

    return Reader(requirements.parse, requirements.sniff)


def _poetry() -> Reader:
    from ossmeta.sources.inputs import poetry

    return Reader(poetry.parse, poetry.sniff)


def _uvlock() -> Reader:
    from ossmeta.sources.inputs import uvlock

    return Reader(uvlock.parse, uvlock.sniff)


def _pipfile() -> Reader:
    from ossmeta.sources.inputs import pipfile

    return Reader(pipfile.parse, pipfile.sniff)


def _pylock() -> Reader:
    from ossmeta.sources.inputs import pylock

    return Reader(pylock.parse, pylock.sniff)


def _pdm() -> Reader:
    from ossmeta.sources.inputs import pdm

    return Reader(pdm.parse, pdm.sniff)


def _npm() -> Reader:
    from ossmeta.sources.inputs import npm

    return Reader(npm.parse, npm.sniff)


def _yarn() -> Reader:
    from ossmeta.sources.inputs import yarn

    return Reader(yarn.parse, yarn.sniff)


def _pnpm() -> Reader:
    from ossmeta.sources.inputs import pnpm

    return Reader(pnpm.parse, pnpm.sniff)


def _bun() -> Reader:
    from ossmeta.sources.inputs import bun

    return Reader(bun.parse, bun.sniff)


def _cargo() -> Reader:
    from ossmeta.sources.inputs import cargo

    return Reader(cargo.parse, cargo.sniff)


def _golang() -> Reader:
    from ossmeta.sources.inputs import golang

    return Reader(golang.parse, golang.sniff)


def _gemfile() -> Reader:
    from ossmeta.sources.inputs import gemfile

    return Reader(gemfile.parse, gemfile.sniff)


def _composer() -> Reader:
    from ossmeta.sources.inputs import composer

    return Reader(composer.parse, composer.sniff)


def _maven() -> Reader:
    from ossmeta.sources.inputs import maven

    return Reader(maven.parse, maven.sniff)


def _cyclonedx() -> Reader:
    from ossmeta.sources.inputs import cyclonedx

    return Reader(cyclonedx.parse, cyclonedx.sniff)


def _spdx() -> Reader:
    from ossmeta.sources.inputs import spdx

    return Reader(spdx.parse, spdx.sniff)


#: Known formats, most specific names first.
FORMATS: tuple[InputFormat, ...] = (
    InputFormat(
        "requirements.txt",
        _requirements,
        ("requirements*.txt", "*-requirements.txt", "*_requirements.txt", "requirements/*.txt"),
    ),
    InputFormat("poetry.lock", _poetry, ("poetry.lock",)),
    InputFormat("uv.lock", _uvlock, ("uv.lock",)),
    InputFormat("Pipfile.lock", _pipfile, ("Pipfile.lock",)),
    InputFormat("pylock.toml", _pylock, ("pylock.toml", "pylock.*.toml")),
    InputFormat("pdm.lock", _pdm, ("pdm.lock",)),
    InputFormat("package-lock.json", _npm, ("package-lock.json", "npm-shrinkwrap.json")),
    InputFormat("yarn.lock", _yarn, ("yarn.lock",)),
    InputFormat("pnpm-lock.yaml", _pnpm, ("pnpm-lock.yaml",)),
    InputFormat("bun.lock", _bun, ("bun.lock",)),
    InputFormat("Cargo.lock", _cargo, ("Cargo.lock",)),
    InputFormat("go.mod", _golang, ("go.mod",)),
    InputFormat("Gemfile.lock", _gemfile, ("Gemfile.lock", "gems.locked")),
    InputFormat("composer.lock", _composer, ("composer.lock",)),
    InputFormat("pom.xml", _maven, ("pom.xml", "*.pom")),
    InputFormat(
        "cyclonedx",
        _cyclonedx,
        ("bom.json", "*.cdx.json", "bom.xml", "*.cdx.xml", "*.bom.json", "*.bom.xml"),
    ),
    InputFormat("spdx", _spdx, ("*.spdx.json", "*.spdx", "*.spdx.tv")),
)

BY_ID = {fmt.id: fmt for fmt in FORMATS}

#: Directories a recursive search does not enter.
SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".ossmeta"}
)


def format_by_name(path: Path) -> InputFormat | None:
    """The format a file's name says it is, if any."""
    name = path.name.lower()
    tail = "/".join(path.parts[-2:]).lower()
    for fmt in FORMATS:
        for pattern in fmt.patterns:
            pattern = pattern.lower()
            if fnmatch.fnmatchcase(tail if "/" in pattern else name, pattern):
                return fmt
    return None


def detect(file: InputFile) -> InputFormat:
    """The format of a file given by the user: by name, else by content."""
    fmt = format_by_name(file.path)
    if fmt is not None:
        return fmt
    head = file.read_bytes()[:65536].decode("utf-8", "replace")
    for candidate in FORMATS:
        sniff = candidate.sniffer()
        if sniff is not None and sniff(head):
            return candidate
    file.fail("unknown input format (not a lockfile, manifest or SBOM that ossmeta reads)")


def find_inputs(root: Path, recursive: bool) -> Iterator[Path]:
    """Known input files in a directory, in a stable order."""
    if recursive:
        for directory, subdirs, files in os.walk(root):
            subdirs[:] = sorted(d for d in subdirs if d not in SKIPPED_DIRS)
            for name in sorted(files):
                candidate = Path(directory) / name
                if format_by_name(candidate) is not None:
                    yield candidate
    else:
        for candidate in sorted(root.iterdir()):
            if candidate.is_file() and format_by_name(candidate) is not None:
                yield candidate


#: Files at most this large are checked for being empty before their parser runs.
_EMPTY_CHECK_BYTES = 4096

EMPTY_FILE = "empty file: no packages"


def parse_file(file: InputFile, fmt: InputFormat | None = None) -> Parsed:
    """Parse one input file into the packages it declares and what it skipped.

    An empty (or whitespace-only) file is a valid file of any format with no packages,
    decided here once for every format, and said in a note rather than in silence."""
    fmt = fmt or detect(file)
    if _is_empty(file):
        return Parsed([], [Skipped(file.at(), EMPTY_FILE)])
    packages: list[DeclaredPackage] = []
    skipped: list[Skipped] = []
    try:
        for item in fmt.parser()(file):
            if isinstance(item, Skipped):
                skipped.append(item)
            else:
                packages.append(item)
    except SourceError:
        raise
    except RecursionError:
        file.fail("input is nested too deeply")
    return Parsed(packages, skipped)


def _is_empty(file: InputFile) -> bool:
    try:
        if file.path.stat().st_size > _EMPTY_CHECK_BYTES:
            return False
    except (OSError, ValueError):
        return False  # the parser's read says what is wrong with the file
    # Bytes, not text: an XML file in another encoding is its parser's to decode.
    return not file.read_bytes().removeprefix(b"\xef\xbb\xbf").strip()
