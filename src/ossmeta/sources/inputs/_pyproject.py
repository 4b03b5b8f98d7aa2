"""What a lockfile's sibling ``pyproject.toml`` (or ``Pipfile``) declares: the direct
dependencies and their scope. Lockfiles such as poetry.lock and pdm.lock do not record
which packages the project asked for; the manifest next to them does.

A missing or unreadable manifest gives None (``direct`` stays unknown) rather than an
error: the lockfile being scanned is still fine. A PEP 508 entry that is not a valid
requirement is left out of the direct names, and said in a note at its place in the
manifest (the packages it would have marked direct are then reported as not direct).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ossmeta.errors import SourceError
from ossmeta.sources.files import InputFile, json_pointer, load_toml
from ossmeta.sources.inputs.skipped import Skipped

MAIN = "main"

#: Canonical name -> None (main dependency), "optional" or "dev".
Declared = dict[str, str | None]


def _table(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class _Names:
    """Reads PEP 508 lists of one manifest, keeping a note for each entry it cannot read."""

    def __init__(self, manifest: InputFile) -> None:
        self.manifest = manifest
        self.skipped: list[Skipped] = []

    def __call__(self, items: object, *where: str) -> Iterable[str]:
        for index, item in enumerate(items if isinstance(items, list) else ()):
            at = self.manifest.at(pointer=json_pointer(*where, index))
            if not isinstance(item, str):
                why = "not a requirement string, so it marks no package as direct"
                self.skipped.append(Skipped(at, f"skipped {repr(item)[:200]}: {why}"))
                continue
            try:
                yield canonicalize_name(Requirement(item).name)
            except InvalidRequirement:
                self.skipped.append(Skipped(at, f"skipped {item[:200]!r}: {_UNREAD}"))


_UNREAD = "not a valid requirement, so it marks no package as direct"


def _load(file: InputFile, name: str) -> dict[str, Any] | None:
    sibling = file.sibling(name)
    if not sibling.path.is_file():
        return None
    try:
        return load_toml(sibling)
    except SourceError:
        return None


def _add(declared: Declared, names: Iterable[str], scope: str | None) -> None:
    # main beats optional beats dev: a package needed at run time is not "dev"
    rank = {None: 0, "optional": 1, "dev": 2}
    for name in names:
        if name not in declared or rank[scope] < rank[declared[name]]:
            declared[name] = scope


def pyproject_declared(file: InputFile) -> tuple[Declared | None, list[Skipped]]:
    """Direct dependencies from ``[project]``, ``[dependency-groups]``, ``[tool.poetry]``,
    ``[tool.pdm]`` and ``[tool.uv]`` of the sibling pyproject.toml, and the entries that
    could not be read."""
    data = _load(file, "pyproject.toml")
    if data is None:
        return None, []
    names = _Names(file.sibling("pyproject.toml"))
    declared: Declared = {}
    project = _table(data.get("project"))
    _add(declared, names(project.get("dependencies"), "project", "dependencies"), None)
    for extra, items in _table(project.get("optional-dependencies")).items():
        _add(declared, names(items, "project", "optional-dependencies", extra), "optional")
    for group, items in _table(data.get("dependency-groups")).items():
        _add(declared, names(items, "dependency-groups", group), "dev")
    tool = _table(data.get("tool"))
    for group, items in _table(_table(tool.get("pdm")).get("dev-dependencies")).items():
        _add(declared, names(items, "tool", "pdm", "dev-dependencies", group), "dev")
    uv_dev = _table(tool.get("uv")).get("dev-dependencies")
    _add(declared, names(uv_dev, "tool", "uv", "dev-dependencies"), "dev")
    poetry = _table(tool.get("poetry"))
    for name, spec in _table(poetry.get("dependencies")).items():
        if name != "python":
            optional = isinstance(spec, dict) and spec.get("optional") is True
            _add(declared, [canonicalize_name(name)], "optional" if optional else None)
    _add(declared, map(canonicalize_name, _table(poetry.get("dev-dependencies"))), "dev")
    for group, body in _table(poetry.get("group")).items():
        listed = map(canonicalize_name, _table(_table(body).get("dependencies")))
        _add(declared, listed, None if group == MAIN else "dev")
    return declared, names.skipped


def pipfile_declared(file: InputFile) -> Declared | None:
    """Direct dependencies from the sibling Pipfile (``[packages]``, ``[dev-packages]``)."""
    data = _load(file, "Pipfile")
    if data is None:
        return None
    declared: Declared = {}
    _add(declared, map(canonicalize_name, _table(data.get("packages"))), None)
    _add(declared, map(canonicalize_name, _table(data.get("dev-packages"))), "dev")
    return declared
