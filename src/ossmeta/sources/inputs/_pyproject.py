"""What a lockfile's sibling ``pyproject.toml`` (or ``Pipfile``) declares: the direct
dependencies and their scope. Lockfiles such as poetry.lock and pdm.lock do not record
which packages the project asked for; the manifest next to them does.

A missing or unreadable manifest gives None (``direct`` stays unknown) rather than an
error: the lockfile being scanned is still fine.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ossmeta.errors import SourceError
from ossmeta.sources.files import InputFile, load_toml

MAIN = "main"

#: Canonical name -> None (main dependency), "optional" or "dev".
Declared = dict[str, str | None]


def _table(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _pep508_names(items: object) -> Iterable[str]:
    for item in items if isinstance(items, list) else ():
        if isinstance(item, str):
            try:
                yield canonicalize_name(Requirement(item).name)
            except InvalidRequirement:
                continue


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


def pyproject_declared(file: InputFile) -> Declared | None:
    """Direct dependencies from ``[project]``, ``[dependency-groups]``, ``[tool.poetry]``,
    ``[tool.pdm]`` and ``[tool.uv]`` of the sibling pyproject.toml."""
    data = _load(file, "pyproject.toml")
    if data is None:
        return None
    declared: Declared = {}
    project = _table(data.get("project"))
    _add(declared, _pep508_names(project.get("dependencies")), None)
    for items in _table(project.get("optional-dependencies")).values():
        _add(declared, _pep508_names(items), "optional")
    for items in _table(data.get("dependency-groups")).values():
        _add(declared, _pep508_names(items), "dev")
    tool = _table(data.get("tool"))
    for items in _table(_table(tool.get("pdm")).get("dev-dependencies")).values():
        _add(declared, _pep508_names(items), "dev")
    _add(declared, _pep508_names(_table(tool.get("uv")).get("dev-dependencies")), "dev")
    poetry = _table(tool.get("poetry"))
    for name, spec in _table(poetry.get("dependencies")).items():
        if name != "python":
            optional = isinstance(spec, dict) and spec.get("optional") is True
            _add(declared, [canonicalize_name(name)], "optional" if optional else None)
    _add(declared, map(canonicalize_name, _table(poetry.get("dev-dependencies"))), "dev")
    for group, body in _table(poetry.get("group")).items():
        names = map(canonicalize_name, _table(_table(body).get("dependencies")))
        _add(declared, names, None if group == MAIN else "dev")
    return declared


def pipfile_declared(file: InputFile) -> Declared | None:
    """Direct dependencies from the sibling Pipfile (``[packages]``, ``[dev-packages]``)."""
    data = _load(file, "Pipfile")
    if data is None:
        return None
    declared: Declared = {}
    _add(declared, map(canonicalize_name, _table(data.get("packages"))), None)
    _add(declared, map(canonicalize_name, _table(data.get("dev-packages"))), "dev")
    return declared
