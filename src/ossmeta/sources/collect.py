"""Step 1 of a scan: turn the paths a user named into declared packages.

A file is parsed by the format its name (or content) says; a directory is searched for
known files (``recursive`` descends, skipping VCS folders, node_modules and virtualenvs)
and may carry an ``ossmeta.toml`` ignore file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ossmeta.errors import UsageError
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile
from ossmeta.sources.ignorefile import FILE_NAME as IGNORE_FILE_NAME
from ossmeta.sources.inputs import find_inputs, parse_file
from ossmeta.sources.inputs.pyenv import parse_environment


@dataclass(frozen=True, slots=True)
class Collected:
    packages: tuple[DeclaredPackage, ...]
    inputs: tuple[str, ...]  # the files read, as shown in reports
    ignore_files: tuple[InputFile, ...]  # ossmeta.toml found in scanned directories
    notes: tuple[str, ...] = ()  # what the parsers skipped, and why ("file:3: ...")


def _shown(path: Path, given: str, root: Path) -> str:
    if path == root:
        return given
    return str(Path(given) / path.relative_to(root))


def collect(
    paths: list[str], recursive: bool = False, python_envs: list[str] | None = None
) -> Collected:
    packages: list[DeclaredPackage] = []
    inputs: list[str] = []
    ignore_files: list[InputFile] = []
    notes: list[str] = []

    def read(file: InputFile) -> None:
        parsed = parse_file(file)
        packages.extend(parsed.packages)
        notes.extend(str(skip) for skip in parsed.skipped)
        inputs.append(file.display)

    for given in paths:
        root = Path(given)
        if root.is_dir():
            found = list(find_inputs(root, recursive))
            ignore = root / IGNORE_FILE_NAME
            if ignore.is_file():
                ignore_files.append(InputFile(ignore, _shown(ignore, given, root)))
            if not found:
                hint = "" if recursive else " (--recursive searches subdirectories)"
                raise UsageError(f"{given}: no lockfile, manifest or SBOM that ossmeta reads{hint}")
            for path in found:
                read(InputFile(path, _shown(path, given, root)))
        elif root.is_file():
            read(InputFile(root, given))
        else:
            raise UsageError(f"{given}: no such file or directory")
    for env in python_envs or []:
        for item in parse_environment(Path(env), env):
            if isinstance(item, DeclaredPackage):
                packages.append(item)
            else:
                notes.append(str(item))
        inputs.append(env)
    return Collected(tuple(packages), tuple(inputs), tuple(ignore_files), tuple(notes))
