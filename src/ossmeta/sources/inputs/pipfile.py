"""Pipfile.lock (pipenv; ``_meta.pipfile-spec`` 6).

``default`` holds the run-time packages and ``develop`` the dev packages (scope ``dev``).
``"version": "==1.2.3"`` is a pin; any other specifier stays an unresolved requirement.
Entries without a version: ``git``/``hg``/``svn``/``bzr`` checkouts and remote ``file``
URLs are unresolved with the URL as requirement; local ``path`` entries (editable or not)
are the project's own code and are skipped, each with a note. Packages of other pipenv
categories (top-level keys beside ``default`` and ``develop``, from custom Pipfile
sections) are not read: each is said in a note. Direct dependencies are known only from a
sibling ``Pipfile``. JSON has no lines we keep, so locations are JSON paths.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from packaging.utils import canonicalize_name

from ossmeta.ecosystems import PYPI
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import (
    InputFile,
    expect_dict,
    expect_list,
    expect_str,
    json_pointer,
    load_json,
    optional_str,
)
from ossmeta.sources.inputs._pyproject import pipfile_declared
from ossmeta.sources.inputs.skipped import Skipped

_SECTIONS = (("default", None), ("develop", "dev"))
_VCS = ("git", "hg", "svn", "bzr")


def sniff(head: str) -> bool:
    return '"_meta"' in head and '"pipfile-spec"' in head


def _pin(spec: str) -> str | None:
    for operator in ("===", "=="):
        if spec.startswith(operator):
            version = spec[len(operator) :].strip()
            if version and "*" not in version and "," not in version:
                return version
            return None
    return None


def _unversioned(entry: dict[str, Any], where: str, file: InputFile) -> str | None:
    """The requirement text of an entry without a version, or None for a local path."""
    for vcs in _VCS:
        if vcs in entry:
            url = expect_str(file, entry[vcs], f"{where}.{vcs}")
            ref = optional_str(file, entry.get("ref"), f"{where}.ref")
            return f"{vcs}+{url}@{ref}" if ref else f"{vcs}+{url}"
    remote = entry.get("file")
    if isinstance(remote, str) and "://" in remote and not remote.startswith("file:"):
        return remote
    if "path" in entry or "file" in entry:
        return None
    return "*"


def _other_categories(file: InputFile, data: dict[str, Any]) -> Iterator[Skipped]:
    for key, value in data.items():
        if key in ("_meta", "default", "develop"):
            continue
        why = f"the pipenv category {key[:60]!r}, which this reader does not read"
        if not isinstance(value, dict):
            yield Skipped(file.at(pointer=json_pointer(key)), f"skipped {why}")
            continue
        for name in value:
            yield Skipped(file.at(pointer=json_pointer(key, name)), f"skipped {name}: in {why}")


def parse(file: InputFile) -> Iterator[DeclaredPackage | Skipped]:
    data = expect_dict(file, load_json(file), "Pipfile.lock")
    declared = pipfile_declared(file)
    yield from _other_categories(file, data)
    for section, scope in _SECTIONS:
        packages = expect_dict(file, data.get(section, {}), section)
        for name, value in packages.items():
            where = json_pointer(section, name)
            entry = expect_dict(file, value, where)
            spec = optional_str(file, entry.get("version"), f"{where}.version")
            version = _pin(spec) if spec else None
            requirement = spec if spec and version is None else None
            if spec is None:
                requirement = _unversioned(entry, where, file)
                if requirement is None:
                    path = entry.get("path", entry.get("file"))
                    shown = f" ({path})" if isinstance(path, str) else ""
                    why = f"skipped {name}{shown}: a local path, the project's own code"
                    yield Skipped(file.at(pointer=where), why)
                    continue
            hashes = expect_list(file, entry.get("hashes", []), f"{where}.hashes")
            key = canonicalize_name(name)
            yield DeclaredPackage(
                PYPI,
                name,
                version,
                file.at(pointer=where),
                requirement=requirement,
                direct=None if declared is None else key in declared,
                scope=scope,
                markers=optional_str(file, entry.get("markers"), f"{where}.markers"),
                hashes=tuple(expect_str(file, h, f"{where}.hashes") for h in hashes),
            )
