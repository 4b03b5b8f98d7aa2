"""composer.lock (Composer 1 and 2).

``packages`` and ``packages-dev`` (scope ``dev``) list every installed package with its
``name`` and ``version`` as Composer writes it (``v5.4.2``, ``1.2.3``); the normalizer deals
with the ``v``. Branch versions (``dev-main``, ``2.x-dev``) are not releases: they are
reported unresolved, the requirement naming the branch and the commit it was locked at
(``dev-main#4c1b5e9...``, which is how a Composer constraint pins a commit). A non-empty
``dist.shasum`` is a SHA-1 of the archive and becomes a hash. ``content-hash`` hashes
composer.json, not a package, so it is not used. Packages installed from a ``path``
repository are the project's own code and are skipped, each with a note.

Direct dependencies come from a sibling composer.json (``require`` / ``require-dev``;
platform requirements such as ``php`` and ``ext-json`` are not packages); without one,
``direct`` is None.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ossmeta.ecosystems import PACKAGIST
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
from ossmeta.sources.inputs.skipped import Skipped


def sniff(head: str) -> bool:
    return '"content-hash"' in head and '"packages"' in head and "getcomposer.org" in head


def _is_platform(name: str) -> bool:
    return "/" not in name  # php, ext-*, lib-*, composer-plugin-api, hhvm, ...


def _direct_names(file: InputFile) -> set[str] | None:
    manifest = file.sibling("composer.json")
    if not manifest.path.is_file():
        return None
    data = expect_dict(manifest, load_json(manifest), "composer.json")
    names: set[str] = set()
    for key in ("require", "require-dev"):
        # `or {}`: an empty list stands for an empty object in PHP-written JSON.
        table = data.get(key) or {}
        names.update(n.lower() for n in expect_dict(manifest, table, key) if not _is_platform(n))
    return names


def _dist(file: InputFile, entry: dict[str, Any], where: str) -> dict[str, Any]:
    dist = entry.get("dist")
    return {} if dist is None else expect_dict(file, dist, f"{where}.dist")


def parse(file: InputFile) -> Iterator[DeclaredPackage | Skipped]:
    data = expect_dict(file, load_json(file), "composer.lock")
    if "packages" not in data and "packages-dev" not in data:
        file.fail("no packages or packages-dev list; not a composer.lock")
    direct = _direct_names(file)
    for key, scope in (("packages", None), ("packages-dev", "dev")):
        listed = data.get(key)
        if listed is None:  # Composer 1 wrote "packages-dev": null
            continue
        for index, raw in enumerate(expect_list(file, listed, key)):
            pointer = json_pointer(key, index)
            entry = expect_dict(file, raw, pointer)
            name = expect_str(file, entry.get("name"), f"{pointer}.name")
            version = expect_str(file, entry.get("version"), f"{pointer}.version")
            dist = _dist(file, entry, pointer)
            if dist.get("type") == "path":
                url = dist.get("url")
                shown = f" ({url})" if isinstance(url, str) else ""
                why = f"skipped {name}{shown}: a path repository, the project's own code"
                yield Skipped(file.at(pointer=pointer), why)
                continue
            shasum = optional_str(file, dist.get("shasum"), f"{pointer}.dist.shasum")
            requirement = None
            if version.startswith("dev-") or version.endswith("-dev"):
                source = entry.get("source")
                reference = source.get("reference") if isinstance(source, dict) else None
                requirement = f"{version}#{reference}" if isinstance(reference, str) else version
            yield DeclaredPackage(
                ecosystem=PACKAGIST,
                name=name,
                version=None if requirement else version,
                location=file.at(pointer=pointer),
                requirement=requirement,
                direct=None if direct is None else name.lower() in direct,
                scope=scope,
                hashes=(f"sha1:{shasum}",) if shasum else (),
            )
