"""``pnpm-lock.yaml``, lockfileVersion 5.x, 6.0 and 9.0.

``packages`` holds one entry per resolved package, keyed ``/name/1.2.3_peer@1.0.0``
(5.x; a package from another registry is keyed by that registry's host too,
``host/name/1.2.3`` or ``/host/@scope/name/1.2.3``, and carries no ``name:``),
``/name@1.2.3(peer@1.0.0)`` (6.0) or ``name@1.2.3`` (9.0; peer variants moved to
``snapshots``, which add no versions). Direct dependencies are those an importer (a
workspace project, or the top level of a single-project 5.x/6.0 file) lists; the
section that lists them gives the scope. ``link:`` and ``file:`` entries are the
project's own code and are skipped, each with a note saying so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ossmeta.ecosystems import NPM
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile, expect_dict, load_yaml, type_name
from ossmeta.sources.inputs.jscommon import (
    SECTIONS,
    better_scope,
    flag_scope,
    is_version,
    mapping,
    spec_kind,
    split_hashes,
    split_ident,
)
from ossmeta.sources.inputs.skipped import Skipped

_SNIFF = re.compile(r"^lockfileVersion: '?\d", re.MULTILINE)
_MISSING = object()
_KEY = re.compile(r"  ([^\s#].*?):(?:\s.*)?$")


def sniff(head: str) -> bool:
    return _SNIFF.search(head) is not None and (
        "\npackages:" in head or "\nimporters:" in head or "\nspecifiers:" in head
    )


def parse(file: InputFile) -> Iterator[DeclaredPackage | Skipped]:
    text = file.read_text()
    data = expect_dict(file, load_yaml(file, text), "pnpm-lock.yaml", 1)
    raw = data.get("lockfileVersion")
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        file.fail(f"lockfileVersion must be a version, not {type_name(raw)}", 1)
    major = str(raw).split(".", 1)[0]
    if not major.isdigit():
        file.fail(f"unsupported lockfileVersion {str(raw)[:20]!r}", 1)
    v5 = int(major) <= 5
    direct = _direct(file, data, v5)
    lines = _package_lines(text)
    packages = mapping(file, data.get("packages"), "packages")
    for key, entry in packages.items():
        key = str(key)
        line = lines.get(key)
        entry = mapping(file, entry, f"package {key[:60]!r}", line)
        package = _package(file, key, entry, v5, line)
        if package is None:
            yield Skipped(file.at(line=line), f"skipped {key}: the project's own code")
            continue
        name, version, requirement = package
        split = _split_key(key, v5)
        key_ref = split[1] if split is not None else None  # importers may name the source
        is_direct: bool | None = None
        scope = flag_scope(entry)
        if direct is not None:
            hit = direct.get((name, version or requirement or ""), _MISSING)
            if hit is _MISSING and key_ref is not None:
                hit = direct.get((name, key_ref), _MISSING)
            is_direct = hit is not _MISSING
            # 5.x/6.0 flag dev packages; 9.0 and unflagged ones take the importer's section.
            if is_direct and scope is None and "dev" not in entry:
                scope = hit if isinstance(hit, str) else None
        resolution = entry.get("resolution")
        integrity = resolution.get("integrity") if isinstance(resolution, dict) else None
        yield DeclaredPackage(
            ecosystem=NPM,
            name=name,
            version=version,
            requirement=requirement,
            location=file.at(line=line),
            direct=is_direct,
            scope=scope,
            hashes=split_hashes(integrity),
        )


def _split_key(key: str, v5: bool) -> tuple[str, str] | None:
    """(name, version-or-ref) of a package key, peer suffixes dropped."""
    if v5:
        return _split_v5_key(key.removeprefix("/"))
    key = key.removeprefix("/")
    ident = split_ident(key)
    if ident is None:
        return None
    name, ref = ident
    return name, ref.split("(", 1)[0]


def _split_v5_key(key: str) -> tuple[str, str] | None:
    """``[host/]name/1.2.3_peer``: the version is the first segment (after the first)
    that starts with an exact version; the name is the segment before it, two when
    scoped. Whatever comes before the name is a registry host, in whatever form."""
    segments = key.split("/")
    for index in range(1, len(segments)):
        version = segments[index].split("_", 1)[0]
        if not is_version(version):
            continue
        name = segments[index - 1]
        if index >= 2 and segments[index - 2].startswith("@"):
            name = f"{segments[index - 2]}/{name}"
        elif not name or name.startswith("@"):
            return None  # a scope without a name
        return name, version
    return None


def _package(
    file: InputFile, key: str, entry: dict[str, Any], v5: bool, line: int | None
) -> tuple[str, str | None, str | None] | None:
    """(name, version, requirement); None for the project's own code."""
    if spec_kind(key) == "local":  # 5.x/6.0 write local folders as file:/link: keys
        return None
    name = entry.get("name")
    version = entry.get("version")
    # 5.x keys tarball and git sources host/path, naming the package in the entry
    named_source = v5 and not key.startswith("/") and isinstance(name, str)
    split = None if named_source else _split_key(key, v5)
    if split is None:
        # A 5.x/6.0 key for a tarball or git source (host/path); the entry names it.
        if not isinstance(name, str):
            file.fail(f"package {key[:60]!r} has no name", line)
        ref = key
    else:
        name, ref = split
    kind = spec_kind(ref)
    if kind == "local":
        return None
    if kind == "version":
        return name, ref, None
    resolution = entry.get("resolution")
    git = isinstance(resolution, dict) and ("commit" in resolution or "repo" in resolution)
    if not git and kind != "git" and isinstance(version, str):
        return name, version, None  # a tarball; the lockfile records its own version
    return name, None, ref


def _direct(
    file: InputFile, data: dict[str, Any], v5: bool
) -> dict[tuple[str, str], str | None] | None:
    """(name, version) of every direct dependency -> its scope; None when the file has
    no importer to say."""
    importers = data.get("importers")
    if importers is None:
        if not any(section in data for section, _ in SECTIONS):
            return None
        importers = {".": data}
    out: dict[tuple[str, str], str | None] = {}
    for path, importer in expect_dict(file, importers, "importers").items():
        importer = mapping(file, importer, f"importer {str(path)[:60]!r}")
        for section, scope in SECTIONS:
            deps = mapping(file, importer.get(section), f"importer {section}")
            for dep, value in deps.items():
                if isinstance(value, dict):  # 6.0 and later: {specifier, version}
                    value = value.get("version")
                if not isinstance(value, str | int | float) or isinstance(value, bool):
                    file.fail(f"importer dependency {str(dep)[:60]!r} has no version")
                ident = _importer_ref(str(dep), str(value), v5)
                if ident is not None:
                    out[ident] = better_scope(out.get(ident, "none"), scope)
    return out


def _importer_ref(dep: str, value: str, v5: bool) -> tuple[str, str] | None:
    """The package an importer's ``version`` points at: ``4.17.15``, ``17.0.2(react@17)``,
    ``17.0.2_react@17`` (5.x), an alias ``/lodash/4.17.10``, ``/lodash@4.17.10``,
    ``lodash@4.17.10``, a 5.x ``host/lodash/4.17.10``; ``link:`` and ``file:`` are local."""
    if spec_kind(value) == "local":
        return None
    if value.startswith("/") or (not v5 and "@" in value[1:].split("(", 1)[0]):
        return _split_key(value, v5)
    if v5 and "/" in value:  # host/name/1.2.3 from another registry, or a source's path
        return _split_key(value, v5) or (dep, value)
    return dep, re.split(r"[(_]", value, maxsplit=1)[0]


def _package_lines(text: str) -> dict[str, int]:
    """Line of each key under ``packages:``: YAML loaders drop positions, and pnpm writes
    each package as a two-space-indented ``key:`` line, so a scan recovers them."""
    lines: dict[str, int] = {}
    inside = False
    for number, line in enumerate(text.splitlines(), 1):
        if line[:1] not in ("", " ", "#"):
            inside = line.rstrip() == "packages:"
        elif inside and (found := _KEY.match(line)):
            key = found.group(1)
            if len(key) > 1 and key[0] == key[-1] and key[0] in "'\"":
                key = key[1:-1].replace("''", "'") if key[0] == "'" else key[1:-1]
            lines.setdefault(key, number)
    return lines
