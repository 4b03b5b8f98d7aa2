"""PEP 751 lock files (``pylock.toml``, ``pylock.<name>.toml``; ``lock-version = "1.0"``),
as ``pip lock`` and ``uv export --format pylock.toml`` write them.

Each ``[[packages]]`` entry has a name, an optional version, an optional ``marker`` and
one source: ``index``-served ``sdist``/``wheels``, an ``archive``, a ``vcs`` checkout or a
``directory``. Directories (and archives or checkouts on the local disk) are the project's
own code and are skipped, each with a note; a VCS or archive package without a version
is unresolved, with the URL (and commit) as requirement. Hashes come from every sdist,
wheel and archive. The format records no direct/transitive distinction, so ``direct``
stays None.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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


def sniff(head: str) -> bool:
    return "lock-version" in head and "[[packages]]" in head


def _artifact_hashes(file: InputFile, artifact: object, line: int | None) -> list[str]:
    entry = expect_dict(file, artifact, "an sdist, wheel or archive", line)
    hashes = expect_dict(file, entry.get("hashes", {}), "hashes", line)
    return [f"{algo}:{expect_str(file, value, 'hash', line)}" for algo, value in hashes.items()]


def _hashes(file: InputFile, package: dict[str, Any], line: int | None) -> tuple[str, ...]:
    out: list[str] = []
    for key in ("sdist", "archive"):
        if key in package:
            out += _artifact_hashes(file, package[key], line)
    for wheel in expect_list(file, package.get("wheels", []), "wheels", line):
        out += _artifact_hashes(file, wheel, line)
    return tuple(out)


def _unpinned(file: InputFile, package: dict[str, Any], line: int | None) -> str | None:
    """Requirement text for a package without a version; None when it is local."""
    if "vcs" in package:
        vcs = expect_dict(file, package["vcs"], "vcs", line)
        kind = expect_str(file, vcs.get("type", "git"), "vcs type", line)
        url = optional_str(file, vcs.get("url"), "vcs url", line)
        if url is None:
            return None  # a checkout on the local disk (vcs.path)
        commit = optional_str(file, vcs.get("commit-id"), "vcs commit-id", line)
        return f"{kind}+{url}@{commit}" if commit else f"{kind}+{url}"
    if "archive" in package:
        archive = expect_dict(file, package["archive"], "archive", line)
        return optional_str(file, archive.get("url"), "archive url", line)
    return "*"


def _local(name: str, package: dict[str, Any], kind: str) -> str:
    """Why a package on the local disk is skipped, naming its path when it gives one."""
    source = package.get(kind)
    path = source.get("path") if isinstance(source, dict) else None
    shown = f" ({path})" if isinstance(path, str) else ""
    what = {"vcs": "a local checkout", "archive": "a local archive"}.get(kind, "a local directory")
    return f"skipped {name}{shown}: {what}, the project's own code"


def parse(file: InputFile) -> Iterator[DeclaredPackage | Skipped]:
    text = file.read_text()
    data = load_toml(file, text)
    if "lock-version" not in data:
        file.fail("no lock-version: not a PEP 751 lock file")
    expect_str(file, data["lock-version"], "lock-version")
    packages = expect_list(file, data.get("packages", []), "packages")
    lines = header_lines(text, "[[packages]]")
    for index, item in enumerate(packages):
        line = lines[index] if len(lines) == len(packages) else None
        package = expect_dict(file, item, "a package", line)
        name = expect_str(file, package.get("name"), "package name", line)
        where = file.at(line=line) if line else file.at(pointer=json_pointer("packages", index))
        if "directory" in package:
            yield Skipped(where, _local(name, package, "directory"))
            continue
        version = optional_str(file, package.get("version"), "package version", line)
        requirement = None
        if version is None:
            requirement = _unpinned(file, package, line)
            if requirement is None:
                kind = "vcs" if "vcs" in package else "archive"
                yield Skipped(where, _local(name, package, kind))
                continue
        yield DeclaredPackage(
            PYPI,
            name,
            version,
            where,
            requirement=requirement,
            markers=optional_str(file, package.get("marker"), "marker", line),
            hashes=_hashes(file, package, line),
        )
