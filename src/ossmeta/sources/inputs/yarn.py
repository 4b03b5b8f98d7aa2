"""``yarn.lock``: Yarn classic (v1, its own indented format) and Yarn Berry (v2+, YAML
with ``__metadata``).

Classic lists one block per resolved version under a header naming every requested
``name@range`` (or a bare ``name``, requested without a range); it has no dev/optional
flags, so ``direct`` and ``scope`` come from the sibling ``package.json`` when there is
one. Berry records each workspace with its dependencies, which tells which packages are
direct; ``workspace:``, ``link:``, ``portal:`` and ``file:`` entries are the project's own
code and are skipped, each with a note saying so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from ossmeta.ecosystems import NPM
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile, expect_dict, load_yaml, type_name
from ossmeta.sources.inputs.jscommon import (
    Manifest,
    better_scope,
    real_name,
    sibling_manifest,
    spec_kind,
    split_ident,
)
from ossmeta.sources.inputs.skipped import Skipped

_BERRY = re.compile(r"^__metadata:", re.MULTILINE)
#: A classic header may name a package without a range (``balanced-match:``).
_BARE_NAME = re.compile(r"(?:@[^@/\s]+/)?[^@/\s]+")


def sniff(head: str) -> bool:
    return "# yarn lockfile v1" in head or (
        _BERRY.search(head) is not None and "resolution:" in head and "linkType:" in head
    )


def parse(file: InputFile) -> Iterator[DeclaredPackage | Skipped]:
    text = file.read_text()
    if _BERRY.search(text):
        yield from _berry(file, text)
    else:
        yield from _classic(file, text)


# --------------------------------------------------------------------------- classic

# Why a hand-written parser: classic yarn.lock is neither YAML nor JSON (``key "value"``
# pairs, comma-joined headers), and the Python ports of Yarn's parser are unmaintained.
# The format is line-based with two-space indents, so a small line scanner reads it in
# one pass and keeps the line of every header.


def _unquote(file: InputFile, text: str, line: int) -> str:
    if text.startswith('"'):
        try:
            value = json.loads(text)  # Yarn quotes with JSON.stringify
        except ValueError:
            file.fail(f"malformed quoted string {text[:40]!r}", line)
        if not isinstance(value, str):
            file.fail(f"malformed quoted string {text[:40]!r}", line)
        return value
    return text


def _blocks(file: InputFile, text: str) -> Iterator[tuple[int, list[str], dict[str, str]]]:
    """(header line, requested descriptors, top-level fields) for each block."""
    header: tuple[int, list[str]] | None = None
    fields: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not line or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            if header is not None:
                yield header[0], header[1], fields
            if not line.endswith(":"):
                file.fail("expected a 'name@range:' header line", number)
            keys = [_unquote(file, k.strip(), number) for k in line[:-1].split(", ")]
            header, fields = (number, keys), {}
            continue
        if header is None:
            file.fail("indented line before the first entry", number)
        if line.startswith("    ") or not line.startswith("  "):
            continue  # nested dependency lists: not needed, and their shape is free
        key, _, value = line.strip().partition(" ")
        if not key.endswith(":"):
            fields[_unquote(file, key, number)] = _unquote(file, value.strip(), number)
    if header is not None:
        yield header[0], header[1], fields


def _classic(file: InputFile, text: str) -> Iterator[DeclaredPackage | Skipped]:
    manifest = sibling_manifest(file)
    wanted: dict[str, str | None] = {}
    if manifest is not None:
        wanted = {f"{name}@{spec}": scope for name, (spec, scope) in manifest.deps.items()}
    for line, keys, fields in _blocks(file, text):
        keys = [_with_range(key) for key in keys]
        ident = split_ident(keys[0])
        if ident is None:
            file.fail(f"malformed entry name {keys[0]!r}", line)
        name, spec = real_name(*ident), ident[1]
        kind = spec_kind(spec[4:] if spec.startswith("npm:") else spec)
        if kind == "local":
            yield Skipped(file.at(line=line), f"skipped {keys[0]}: the project's own code")
            continue
        version: str | None = fields.get("version")
        if version is None:
            file.fail(f"entry {keys[0]!r} has no version", line)
        requirement = None
        if kind == "git" or spec_kind(fields.get("resolved", "")) == "git":
            version, requirement = None, spec
        hits = [wanted[k] for k in keys if k in wanted]
        integrity = fields.get("integrity")
        yield DeclaredPackage(
            ecosystem=NPM,
            name=name,
            version=version,
            requirement=requirement,
            location=file.at(line=line),
            direct=_direct(manifest, bool(hits)),
            scope=_best(hits) if hits else None,
            hashes=(integrity,) if integrity else (),
        )


def _with_range(key: str) -> str:
    """``balanced-match`` -> ``balanced-match@``: a header without a range is a request
    with an empty one, which is how it is written in package.json too."""
    return f"{key}@" if _BARE_NAME.fullmatch(key) else key


def _direct(manifest: Manifest | None, hit: bool) -> bool | None:
    if manifest is None:
        return None
    if hit:
        return True
    # Workspace package.json files declare direct dependencies we have not read.
    return None if manifest.has_workspaces else False


def _best(scopes: list[str | None]) -> str | None:
    """The widest of the scopes a package is declared with (production beats dev)."""
    best = scopes[0]
    for scope in scopes[1:]:
        best = better_scope(best, scope)
    return best


# --------------------------------------------------------------------------- berry

_KEY_LINE = re.compile(r'^(?:"((?:[^"\\]|\\.)*)"|([^\s"#][^:]*?)):\s*$')


def _key_lines(text: str) -> dict[str, int]:
    """Line of each top-level key: YAML loaders drop positions, and Berry writes every
    entry as a column-0 ``"key":`` line, so a scan of those lines recovers them."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if line[:1] not in ("", " ", "\t", "#"):
            found = _KEY_LINE.match(line)
            if found:
                key = found.group(1) if found.group(1) is not None else found.group(2)
                lines.setdefault(key.replace('\\"', '"'), number)
    return lines


def _berry(file: InputFile, text: str) -> Iterator[DeclaredPackage | Skipped]:
    data = expect_dict(file, load_yaml(file, text), "yarn.lock", 1)
    expect_dict(file, data.get("__metadata"), "__metadata")
    lines = _key_lines(text)
    entries: list[tuple[str, dict[str, Any], int | None]] = []
    direct: set[str] = set()
    for key, entry in data.items():
        if key == "__metadata":
            continue
        line = lines.get(str(key))
        entry = expect_dict(file, entry, f"entry {str(key)[:60]!r}", line)
        resolution = entry.get("resolution")
        if not isinstance(resolution, str):
            file.fail(f"entry resolution must be a string, not {type_name(resolution)}", line)
        if "@workspace:" in resolution:
            deps = entry.get("dependencies")
            if isinstance(deps, dict):
                direct.update(f"{k}@{v}" for k, v in deps.items())
        entries.append((str(key), entry, line))
    # Berry writes a package.json range ``^1.2`` as the descriptor ``name@npm:^1.2``.
    wanted: dict[str, str | None] = {}
    manifest = sibling_manifest(file)
    for name, (spec, scope) in manifest.deps.items() if manifest is not None else ():
        wanted[f"{name}@{spec}"] = wanted[f"{name}@npm:{spec}"] = scope
    for key, entry, line in entries:
        package = None
        if entry.get("linkType") != "soft":
            package = _resolved(file, entry["resolution"], entry.get("version"), line)
        if package is None:
            shown = entry["resolution"].split("::", 1)[0]  # without the locator parameters
            why = f"skipped {shown}: the project's own code"
            yield Skipped(file.at(line=line), why)
            continue
        descriptors = [d.strip() for d in key.split(",")]
        is_direct: bool | None = any(d in direct for d in descriptors) if direct else None
        scopes = [wanted[d] for d in descriptors if d in wanted]
        scope = _best(scopes) if is_direct and scopes else None
        checksum = entry.get("checksum")
        yield DeclaredPackage(
            ecosystem=NPM,
            name=package[0],
            version=package[1],
            requirement=package[2],
            location=file.at(line=line),
            direct=is_direct,
            scope=scope,
            hashes=(checksum,) if isinstance(checksum, str) else (),
        )


def _resolved(
    file: InputFile, resolution: str, version: object, line: int | None
) -> tuple[str, str | None, str | None] | None:
    """(name, version, requirement) from a Berry ``resolution``; None for local code."""
    ident = split_ident(resolution)
    if ident is None:
        file.fail(f"malformed resolution {resolution!r}", line)
    name, ref = ident
    if ref.startswith("patch:"):
        # patch:lodash@npm%3A4.17.21#./fix.patch::... -> the npm package it patches
        inner = split_ident(unquote(ref[6:].split("#", 1)[0]))
        if inner is None:
            file.fail(f"malformed patch resolution {resolution!r}", line)
        ref = inner[1]
    if ref.startswith("npm:"):
        exact = ref[4:]
        if spec_kind(exact) == "version":
            return name, exact, None
        return name, version if isinstance(version, str) else None, exact
    kind = spec_kind(ref)
    if kind == "local":
        return None
    if kind == "url" and isinstance(version, str):
        return name, version, None  # a tarball; the lockfile records its own version
    return name, None, ref
