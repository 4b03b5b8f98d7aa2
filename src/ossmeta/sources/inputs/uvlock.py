"""uv.lock (``version = 1``, any ``revision``).

Every ``[[package]]`` names its ``source``: ``registry``, ``git`` and ``url`` packages are
components (a git package keeps the version uv recorded); ``editable``, ``virtual``,
``directory`` and ``path`` sources are local code - the project itself, workspace members,
path dependencies, local archives - and are skipped, each with a note.

The workspace roots are the ``[manifest] members`` (or, in a single-project lock, the
package whose source is ``"."``). Their ``dependencies`` are direct, their
``optional-dependencies`` direct with scope ``optional`` and their ``dev-dependencies``
direct with scope ``dev``. The lock records the whole graph, so a transitive package
reachable only through dev (or optional) dependencies gets that scope too.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from packaging.utils import canonicalize_name

from ossmeta.ecosystems import PYPI
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import (
    InputFile,
    expect_dict,
    expect_list,
    expect_str,
    header_lines,
    json_pointer,
    load_toml,
    optional_str,
)
from ossmeta.sources.inputs.skipped import Skipped

_LOCAL = ("editable", "virtual", "directory", "path")
Edge = tuple[str, tuple[str, ...]]  # canonical name, extras asked for


def sniff(head: str) -> bool:
    return "[[package]]" in head and "source = { registry = " in head and "version = " in head


def _edges(file: InputFile, items: object, line: int | None) -> list[Edge]:
    out: list[Edge] = []
    for item in expect_list(file, items, "dependencies", line):
        entry = expect_dict(file, item, "a dependency", line)
        name = canonicalize_name(expect_str(file, entry.get("name"), "dependency name", line))
        extras = expect_list(file, entry.get("extra", []), "extra", line)
        out.append((name, tuple(expect_str(file, e, "extra", line) for e in extras)))
    return out


def _group_edges(file: InputFile, table: object, line: int | None) -> list[Edge]:
    groups = expect_dict(file, table if table is not None else {}, "dependency groups", line)
    return [edge for items in groups.values() for edge in _edges(file, items, line)]


class _Graph:
    """name -> plain edges and edges per extra, merged over every version of a name
    (a fork can lock two versions; which one applies is a marker question)."""

    def __init__(self) -> None:
        self.plain: dict[str, list[Edge]] = {}
        self.extra: dict[tuple[str, str], list[Edge]] = {}

    def add(self, file: InputFile, name: str, package: dict[str, Any], line: int | None) -> None:
        self.plain.setdefault(name, []).extend(_edges(file, package.get("dependencies", []), line))
        optional = package.get("optional-dependencies") or {}
        for extra, items in expect_dict(file, optional, "optional-dependencies", line).items():
            self.extra.setdefault((name, extra), []).extend(_edges(file, items, line))

    def reach(self, start: Iterable[Edge]) -> set[str]:
        seen: set[tuple[str, str | None]] = set()
        queue = deque(start)
        while queue:
            name, extras = queue.popleft()
            for key in ((name, None), *((name, e) for e in extras)):
                if key in seen:
                    continue
                seen.add(key)
                extra = key[1]
                queue.extend(
                    self.plain.get(name, []) if extra is None else self.extra.get((name, extra), [])
                )
        return {name for name, _ in seen}


def parse(file: InputFile) -> Iterator[DeclaredPackage | Skipped]:
    text = file.read_text()
    data = load_toml(file, text)
    packages = expect_list(file, data.get("package", []), "package")
    lines = header_lines(text, "[[package]]")
    manifest = expect_dict(file, data.get("manifest", {}), "manifest")
    members = {
        canonicalize_name(expect_str(file, m, "manifest member"))
        for m in expect_list(file, manifest.get("members", []), "manifest members")
    }
    graph = _Graph()
    main: list[Edge] = []
    optional: list[Edge] = []
    dev: list[Edge] = []
    kept: list[tuple[int, int | None, dict[str, Any], str]] = []
    roots = 0
    for index, item in enumerate(packages):
        line = lines[index] if len(lines) == len(packages) else None
        package = expect_dict(file, item, "a package", line)
        name = expect_str(file, package.get("name"), "package name", line)
        key = canonicalize_name(name)
        source = expect_dict(file, package.get("source", {}), "package source", line)
        graph.add(file, key, package, line)
        local = next((kind for kind in _LOCAL if kind in source), None)
        if local is None:
            kept.append((index, line, package, name))
            continue
        where = file.at(line=line) if line else file.at(pointer=json_pointer("package", index))
        path = source[local]
        shown = f" ({local} {path})" if isinstance(path, str) else f" ({local})"
        yield Skipped(where, f"skipped {name}{shown}: the project's own code")
        if key in members or (not members and source.get(local) == "."):
            roots += 1
            main.extend(_edges(file, package.get("dependencies", []), line))
            optional.extend(_group_edges(file, package.get("optional-dependencies"), line))
            dev.extend(_group_edges(file, package.get("dev-dependencies"), line))
    direct = {name for name, _ in (*main, *optional, *dev)}
    in_main, in_optional, in_dev = graph.reach(main), graph.reach(optional), graph.reach(dev)
    for index, line, package, name in kept:
        key = canonicalize_name(name)
        version = optional_str(file, package.get("version"), "package version", line)
        source = package.get("source", {})
        # a git or url package with a dynamic version: uv records no version
        requirement = None if version else str(source.get("git") or source.get("url") or "*")
        scope = None
        if key not in in_main:
            scope = "optional" if key in in_optional else "dev" if key in in_dev else None
        yield DeclaredPackage(
            PYPI,
            name,
            version,
            file.at(line=line) if line else file.at(pointer=json_pointer("package", index)),
            requirement=requirement,
            direct=key in direct if roots else None,
            scope=scope,
            hashes=_hashes(file, package, line),
        )


def _hashes(file: InputFile, package: dict[str, Any], line: int | None) -> tuple[str, ...]:
    artifacts = [package["sdist"]] if "sdist" in package else []
    artifacts += expect_list(file, package.get("wheels", []), "wheels", line)
    out = []
    for artifact in artifacts:
        entry = expect_dict(file, artifact, "an sdist or wheel", line)
        if "hash" in entry:
            out.append(expect_str(file, entry["hash"], "hash", line))
    return tuple(out)
