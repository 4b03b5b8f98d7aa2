"""bun's text lockfile ``bun.lock`` (lockfileVersion 0 and 1).

``packages`` maps an install path (``lodash``, ``@mono/util/minimist`` for a copy nested
under a workspace or package) to an array whose first item is ``name@version`` (or
``name@<source>``) followed, for registry packages, by the registry, a dependency
object and the integrity hash. ``workspaces`` lists every workspace with its declared
dependencies, which tells which packages are direct. Workspace, ``file:``, ``link:``
and root entries are the project's own code: each is skipped with a note saying so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ossmeta.ecosystems import NPM
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import (
    InputFile,
    expect_dict,
    expect_list,
    expect_str,
    json_pointer,
    load_json,
    type_name,
)
from ossmeta.sources.inputs.jscommon import declared, mapping, spec_kind, split_ident
from ossmeta.sources.inputs.skipped import Skipped

# bun writes JSON with trailing commas (JSONC). No maintained Python JSONC parser reads
# bun's dialect, so one regex pass drops each comma that only whitespace separates from a
# closing bracket, stepping over strings, and json.loads does the rest. The string
# branch is possessive and may run to the end unterminated, so no text is scanned twice
# (linear time even on hostile input).
_STRING_OR_TRAILING_COMMA = re.compile(r'("[^"\\]*+(?:\\.[^"\\]*+)*+"?)|,(?=\s*[\]}])', re.DOTALL)
_SNIFF = re.compile(r'\A\s*\{\s*"lockfileVersion"\s*:\s*\d+\s*,\s*"(?:workspaces|configVersion)"')


def sniff(head: str) -> bool:
    return _SNIFF.match(head) is not None


def _strip_trailing_commas(text: str) -> str:
    return _STRING_OR_TRAILING_COMMA.sub(r"\1", text)  # a comma match has no group 1


def parse(file: InputFile) -> Iterator[DeclaredPackage | Skipped]:
    text = _strip_trailing_commas(file.read_text())
    data = expect_dict(file, load_json(file, text), "bun.lock", 1)
    version = data.get("lockfileVersion")
    if not isinstance(version, int) or isinstance(version, bool):
        file.fail(f"lockfileVersion must be a number, not {type_name(version)}", 1)
    workspaces = mapping(file, data.get("workspaces"), "workspaces")
    # install prefix ("" for the root, else the workspace's package name) -> declared deps
    declares: dict[str, dict[str, tuple[str, str | None]]] = {}
    for path, workspace in workspaces.items():
        workspace = expect_dict(file, workspace, f"workspace {path[:60]!r}")
        name = workspace.get("name") if path else ""
        if isinstance(name, str):
            declares[name] = declared(workspace)
    packages = mapping(file, data.get("packages"), "packages")
    for key, entry in packages.items():
        pointer = json_pointer("packages", key)
        entry = expect_list(file, entry, f"package {pointer}")
        if not entry:
            file.fail(f"package {pointer} is an empty list")
        ident = expect_str(file, entry[0], f"package {pointer} identifier")
        split = split_ident(ident)
        if split is None:
            file.fail(f"package {pointer} has a malformed identifier {ident[:60]!r}")
        name, ref = split
        kind = spec_kind(ref)
        if kind == "local":
            why = f"skipped {name} ({ref}): the project's own code"
            yield Skipped(file.at(pointer=pointer), why)
            continue
        version, requirement = (ref, None) if kind == "version" else (None, ref)
        integrity = entry[3] if kind == "version" and len(entry) > 3 else None
        direct, scope = _direct(declares, packages, key) if declares else (None, None)
        yield DeclaredPackage(
            ecosystem=NPM,
            name=name,
            version=version,
            requirement=requirement,
            location=file.at(pointer=pointer),
            direct=direct,
            scope=scope,
            hashes=(integrity,) if isinstance(integrity, str) and integrity else (),
        )


def _names(key: str) -> list[str]:
    """``@mono/util/@s/b`` -> [``@mono/util``, ``@s/b``]: the package names of a path."""
    parts = key.split("/")
    names: list[str] = []
    index = 0
    while index < len(parts):
        if parts[index].startswith("@") and index + 1 < len(parts):
            names.append(parts[index] + "/" + parts[index + 1])
            index += 2
        else:
            names.append(parts[index])
            index += 1
    return names


def _direct(
    declares: dict[str, dict[str, tuple[str, str | None]]], packages: dict[str, Any], key: str
) -> tuple[bool, str | None]:
    names = _names(key)
    install, parent = names[-1], "/".join(names[:-1])
    if parent:
        found = declares.get(parent, {}).get(install)
        return (True, found[1]) if found is not None else (False, None)
    if install in declares.get("", {}):
        return True, declares[""][install][1]
    # A workspace's dependency sits at the top unless it needs its own nested copy.
    for workspace, deps in declares.items():
        if workspace and install in deps and f"{workspace}/{install}" not in packages:
            return True, deps[install][1]
    return False, None
