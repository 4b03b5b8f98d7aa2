"""Lockfiles, manifests and SBOMs: which file is which format, and the parser for it.

Every parser module defines ``parse(file: InputFile) -> Iterable[DeclaredPackage]`` and may
define ``sniff(head: str) -> bool`` to recognise its format in a file with another name.
Parsers raise only ``SourceError`` (through ``InputFile.fail``).
"""

from __future__ import annotations

import fnmatch
import importlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ossmeta.errors import SourceError
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile


@dataclass(frozen=True, slots=True)
class InputFormat:
    id: str
    module: str  # defines parse(file) and optionally sniff(head)
    patterns: tuple[str, ...]  # file-name patterns (fnmatch, case-insensitive)

    def parser(self) -> Callable[[InputFile], Iterable[DeclaredPackage]]:
        module = importlib.import_module(self.module)
        parse: Callable[[InputFile], Iterable[DeclaredPackage]] = module.parse
        return parse

    def sniffer(self) -> Callable[[str], bool] | None:
        sniff: Callable[[str], bool] | None = getattr(
            importlib.import_module(self.module), "sniff", None
        )
        return sniff


_P = "ossmeta.sources.inputs."

#: Known formats, most specific names first.
FORMATS: tuple[InputFormat, ...] = (
    InputFormat(
        "requirements.txt",
        _P + "requirements",
        ("requirements*.txt", "*-requirements.txt", "*_requirements.txt", "requirements/*.txt"),
    ),
    InputFormat("poetry.lock", _P + "poetry", ("poetry.lock",)),
    InputFormat("uv.lock", _P + "uvlock", ("uv.lock",)),
    InputFormat("Pipfile.lock", _P + "pipfile", ("Pipfile.lock",)),
    InputFormat("pylock.toml", _P + "pylock", ("pylock.toml", "pylock.*.toml")),
    InputFormat("pdm.lock", _P + "pdm", ("pdm.lock",)),
    InputFormat("package-lock.json", _P + "npm", ("package-lock.json", "npm-shrinkwrap.json")),
    InputFormat("yarn.lock", _P + "yarn", ("yarn.lock",)),
    InputFormat("pnpm-lock.yaml", _P + "pnpm", ("pnpm-lock.yaml",)),
    InputFormat("bun.lock", _P + "bun", ("bun.lock",)),
    InputFormat("Cargo.lock", _P + "cargo", ("Cargo.lock",)),
    InputFormat("go.mod", _P + "golang", ("go.mod",)),
    InputFormat("Gemfile.lock", _P + "gemfile", ("Gemfile.lock", "gems.locked")),
    InputFormat("composer.lock", _P + "composer", ("composer.lock",)),
    InputFormat("pom.xml", _P + "maven", ("pom.xml", "*.pom")),
    InputFormat(
        "cyclonedx",
        _P + "cyclonedx",
        ("bom.json", "*.cdx.json", "bom.xml", "*.cdx.xml", "*.bom.json", "*.bom.xml"),
    ),
    InputFormat("spdx", _P + "spdx", ("*.spdx.json", "*.spdx", "*.spdx.tv")),
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


def parse_file(file: InputFile, fmt: InputFormat | None = None) -> list[DeclaredPackage]:
    """Parse one input file into the packages it declares."""
    fmt = fmt or detect(file)
    try:
        return list(fmt.parser()(file))
    except SourceError:
        raise
    except RecursionError:
        file.fail("input is nested too deeply")
