"""The exhibition hall's file: which projects the foundation features, in TOML.

The file is ``OSSMETA_HOME/hall.toml`` when it exists, else the packaged ``hall.toml`` beside
this module (the demo's projects)::

    [[project]]
    name = "widget"                       # shown on the card
    repository = "github.com/acme/widget" # its metrics: activity, OpenRank
    package = "pkg:pypi/widget"           # optional: its health score

A project names a repository, a package or both; without a repository the package's own
repository is used. A wrong file is one ``SourceError`` line naming the file and the line."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ossmeta.errors import InputError, SourceError
from ossmeta.purls import package_purl
from ossmeta.service.public import repository_key

__all__ = ["PACKAGED", "HallProject", "hall_path", "load_hall", "parse_hall"]

PACKAGED = Path(__file__).with_name("hall.toml")
#: More cards than this is not a hall but a catalogue (and every card costs a health score).
MAX_PROJECTS = 50
_KEYS = {"name", "repository", "package"}
_LINE = re.compile(r"\(at line (\d+), column \d+\)")


@dataclass(frozen=True)
class HallProject:
    name: str
    repository: str | None  # host/owner/name as written; the page canonicalizes it
    package: str | None  # a package purl


def hall_path() -> Path:
    home = Path(os.environ.get("OSSMETA_HOME", ".ossmeta")) / "hall.toml"
    return home if home.exists() else PACKAGED


def _project_lines(text: str) -> list[int]:
    """The line of each ``[[project]]`` header, so an error names where its table starts."""
    return [
        number
        for number, line in enumerate(text.splitlines(), 1)
        if line.strip().replace(" ", "") == "[[project]]"
    ]


def _text(table: dict[str, object], key: str, where: tuple[str, str, int | None]) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        project, path, line = where
        raise SourceError(f"{project}: {key} must be a non-empty string", path=path, line=line)
    return value.strip()


def parse_hall(text: str, path: str) -> tuple[HallProject, ...]:
    """The projects of a hall's text; ``SourceError`` naming ``path`` and the line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = _LINE.search(str(error))
        message = _LINE.sub("", str(error)).strip()
        raise SourceError(message, path=path, line=int(found.group(1)) if found else None) from None
    extra = sorted(set(data) - {"project"})
    if extra:
        raise SourceError(f"unknown key {extra[0]!r} (a hall has [[project]] tables)", path=path)
    tables = data.get("project", [])
    if not isinstance(tables, list):
        raise SourceError("project must be an array of tables ([[project]])", path=path)
    if len(tables) > MAX_PROJECTS:
        raise SourceError(f"at most {MAX_PROJECTS} projects, not {len(tables)}", path=path)
    lines = _project_lines(text)
    projects: list[HallProject] = []
    for index, table in enumerate(tables):
        line = lines[index] if index < len(lines) else None
        where = f"project {index + 1}"
        if not isinstance(table, dict):
            raise SourceError(f"{where} must be a table ([[project]])", path=path, line=line)
        unknown = sorted(set(table) - _KEYS)
        if unknown:
            raise SourceError(f"{where}: unknown key {unknown[0]!r}", path=path, line=line)
        at = (where, path, line)
        name = _text(table, "name", at)
        repository = _text(table, "repository", at)
        package = _text(table, "package", at)
        if name is None:
            raise SourceError(f"{where}: a project needs a name", path=path, line=line)
        if repository is None and package is None:
            raise SourceError(
                f"{where}: name a repository, a package or both", path=path, line=line
            )
        try:
            if repository is not None:
                repository_key(repository)
            if package is not None:
                package_purl(package)
        except InputError as error:
            raise SourceError(f"{where}: {error}", path=path, line=line) from None
        projects.append(HallProject(name, repository, package))
    return tuple(projects)


def load_hall(path: Path | None = None) -> tuple[HallProject, ...]:
    """The projects of the hall's file (``hall_path()`` unless given)."""
    where = path or hall_path()
    try:
        text = where.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SourceError(f"cannot read the hall's file: {error}", path=str(where)) from None
    return parse_hall(text, str(where))
