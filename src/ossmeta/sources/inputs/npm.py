"""npm's ``package-lock.json`` (lockfileVersion 1, 2 and 3) and ``npm-shrinkwrap.json``.

Versions 2 and 3 list every installed folder in ``packages``, keyed by its path
(``node_modules/a/node_modules/b``); version 1 nests ``dependencies`` trees instead (v2
carries both, and we read ``packages``; a v2 file with only ``dependencies`` is read from
that tree, as npm does). The root project (key ``""``), workspace and
``file:`` folders, and ``link: true`` entries are the project's own code: a link (or a
``file:`` entry of a v1 tree) is skipped with a note saying so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ossmeta.ecosystems import NPM
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile, expect_dict, json_pointer, load_json, type_name
from ossmeta.sources.inputs.jscommon import (
    declared,
    flag_scope,
    sibling_manifest,
    spec_kind,
    split_hashes,
    split_ident,
)
from ossmeta.sources.inputs.skipped import Skipped

_NM = "node_modules/"
_SNIFF = re.compile(r'\A\s*\{[^{}]*"lockfileVersion"\s*:\s*[123]\s*,\s*"requires"\s*:')


def sniff(head: str) -> bool:
    return _SNIFF.match(head) is not None


def parse(file: InputFile) -> Iterator[DeclaredPackage | Skipped]:
    data = expect_dict(file, load_json(file), "package-lock.json", 1)
    version = data.get("lockfileVersion", 1)
    if not isinstance(version, int) or isinstance(version, bool):
        file.fail(f"lockfileVersion must be a number, not {type_name(version)}")
    if "packages" in data:
        yield from _packages(file, expect_dict(file, data["packages"], "packages"))
    elif version >= 2 and "dependencies" not in data:
        file.fail(f"lockfileVersion {version} file has neither packages nor dependencies")
    else:
        # a v2 file that kept only the v1 tree is read from it, as npm reads it
        yield from _tree(file, data.get("dependencies", {}))


def _install_path(key: str) -> tuple[str, str]:
    """``a/node_modules/@s/b`` -> (``a``, ``@s/b``): the folder the copy sits under and
    the name it is installed as."""
    at = key.rfind(_NM)
    return key[:at].rstrip("/"), key[at + len(_NM) :]


def _packages(file: InputFile, packages: dict[str, Any]) -> Iterator[DeclaredPackage | Skipped]:
    # Folders that are not inside node_modules are the root, workspaces and file: deps:
    # whatever they declare is a direct dependency of the project.
    folders: dict[str, dict[str, tuple[str, str | None]]] = {}
    for key, entry in packages.items():
        if key == "" or (not key.startswith(_NM) and "/" + _NM not in key):
            pointer = json_pointer("packages", key)
            folders[key] = declared(expect_dict(file, entry, f"package {pointer}"))
    has_root = "" in folders
    for key, entry in packages.items():
        if key in folders:
            continue
        pointer = json_pointer("packages", key)
        entry = expect_dict(file, entry, f"package {pointer}")
        if entry.get("link") is True:
            target = entry.get("resolved")
            to = f" to {target}" if isinstance(target, str) else ""
            yield Skipped(file.at(pointer=pointer), f"skipped a link{to}: the project's own code")
            continue
        parent, install_name = _install_path(key)
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            name = install_name
        if not name:
            file.fail(f"package {pointer} has no name")
        direct: bool | None = None
        if has_root:
            direct = _is_direct(packages, folders, parent, install_name)
        version, requirement = _version(file, entry, pointer)
        yield DeclaredPackage(
            ecosystem=NPM,
            name=name,
            version=version,
            requirement=requirement,
            location=file.at(pointer=pointer),
            direct=direct,
            scope=flag_scope(entry),
            hashes=split_hashes(entry.get("integrity")),
        )


def _is_direct(
    packages: dict[str, Any],
    folders: dict[str, dict[str, tuple[str, str | None]]],
    parent: str,
    name: str,
) -> bool:
    if parent in folders:
        if name in folders[parent]:
            return True
        if parent != "":
            return False
        # npm hoists a workspace's dependencies to the top node_modules unless that
        # workspace needs its own copy under <workspace>/node_modules.
        return any(
            name in deps and f"{folder}/{_NM}{name}" not in packages
            for folder, deps in folders.items()
            if folder
        )
    return False


def _version(file: InputFile, entry: dict[str, Any], pointer: str) -> tuple[str | None, str | None]:
    version = entry.get("version")
    resolved = entry.get("resolved")
    if isinstance(resolved, str) and spec_kind(resolved) == "git":
        return None, resolved  # the version is whatever package.json says at that commit
    if version is None:
        return None, resolved if isinstance(resolved, str) else None
    if not isinstance(version, str):
        file.fail(f"package {pointer} version must be a string, not {type_name(version)}")
    return version, None


def _tree(file: InputFile, dependencies: object) -> Iterator[DeclaredPackage | Skipped]:
    """lockfileVersion 1: ``dependencies`` nest where npm installed a second copy."""
    manifest = sibling_manifest(file)
    top = manifest.deps if manifest is not None else None
    # An explicit stack: nesting depth is the input's to choose.
    stack: list[tuple[tuple[str, ...], object]] = [((), dependencies)]
    while stack:
        path, deps = stack.pop()
        where = json_pointer(*path, "dependencies") if path else "dependencies"
        for install_name, entry in expect_dict(file, deps, where).items():
            here = (*path, "dependencies", install_name)
            pointer = json_pointer(*here)
            entry = expect_dict(file, entry, f"dependency {pointer}")
            if "dependencies" in entry:
                stack.append((here, entry["dependencies"]))
            package = _v1_package(file, install_name, entry, pointer)
            if package is None:
                why = f"skipped {install_name} ({entry['version']}): the project's own code"
                yield Skipped(file.at(pointer=pointer), why)
                continue
            direct: bool | None = False
            if not path:
                direct = install_name in top if top is not None else None
                if direct is False and manifest is not None and manifest.has_workspaces:
                    direct = None
            yield DeclaredPackage(
                ecosystem=NPM,
                name=package[0],
                version=package[1],
                requirement=package[2],
                location=file.at(pointer=pointer),
                direct=direct,
                scope=flag_scope(entry),
                hashes=split_hashes(entry.get("integrity")),
            )


def _v1_package(
    file: InputFile, name: str, entry: dict[str, Any], pointer: str
) -> tuple[str, str | None, str | None] | None:
    """(name, version, requirement) of a v1 entry, or None for the project's own code."""
    version = entry.get("version")
    if not isinstance(version, str):
        file.fail(f"dependency {pointer} version must be a string, not {type_name(version)}")
    if version.startswith("npm:"):  # an alias: npm:lodash@4.17.10
        alias = split_ident(version[4:])
        if alias is None:
            file.fail(f"dependency {pointer} has a malformed alias {version!r}")
        name, version = alias
    kind = spec_kind(version)
    if kind == "local":
        return None
    if kind == "version":
        return name, version, None
    return name, None, version  # a tarball URL or git spec: no registry version
