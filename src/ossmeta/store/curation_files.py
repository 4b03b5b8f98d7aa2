"""Curations as YAML files, one per package, so they can be reviewed in git.

Files live at ``<type>/<namespace segments>/<name>.yaml`` under the export directory. Every
path segment is encoded (characters other than ``A-Z a-z 0-9 . _ -`` as ``%XX``, a leading
dot as ``%2E``, a directory segment ending in ``.yaml`` with its dot encoded, over-long
segments shortened with a hash), so that no purl can name a path outside the directory, a
hidden file, or a file where a directory must be. Curations are written in a stable order,
and database ids are not written (they differ between stores): a curation's identity is
(purl, versions, field, value, author, created_at). Importing a curation the store has
already changes nothing; importing the review of one the store holds as proposed records
that review; any other difference is a conflict and the whole import fails.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection, insert, update

from ossmeta.errors import UsageError
from ossmeta.normalizers.curation import (
    APPROVED,
    PROPOSED,
    STATUSES,
    Curation,
)
from ossmeta.purls import parse_purl
from ossmeta.store.curations import (
    _Bad,
    _checked,
    _required,
    list_curations,
)
from ossmeta.store.schema import curations

__all__ = ["ImportStats", "export_yaml", "import_yaml", "package_file"]

_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
_MAX_SEGMENT = 120
_MAX_FILE = 8 * 1024 * 1024
_REQUIRED = ("field", "value", "reason", "author", "evidence", "status", "created_at")
_OPTIONAL = ("versions", "reviewer", "review_note", "reviewed_at")
#: Order of curations in a file: by field and selector, then oldest first.
_ORDER: tuple[str, ...] = ("field", "versions", "created_at", "value", "author", "reason")
_ORDER += ("evidence", "status", "reviewer", "review_note", "reviewed_at")
_HEADER = "# ossmeta curations of one package: edit by proposing, reviewing and exporting.\n"


def _segment(text: str, *, directory: bool) -> str:
    encoded = "".join(c if c in _SAFE else "".join(f"%{b:02X}" for b in c.encode()) for c in text)
    if not encoded:
        return "%"  # never produced otherwise: an encoded "%" is "%25"
    if encoded.startswith("."):
        encoded = "%2E" + encoded[1:]
    if directory and encoded.endswith(".yaml"):
        encoded = encoded[: -len(".yaml")] + "%2Eyaml"
    if len(encoded) > _MAX_SEGMENT:  # "~" is always encoded, so this cannot meet a plain name
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        encoded = f"{encoded[: _MAX_SEGMENT - 17]}~{digest}"
    return encoded


def package_file(purl: str) -> Path:
    """The relative path of a package's curation file (safe for any purl)."""
    parsed = parse_purl(purl)
    parts = [_segment(parsed.type, directory=True)]
    parts += [_segment(s, directory=True) for s in (parsed.namespace or "").split("/") if s]
    return Path(*parts, _segment(parsed.name, directory=False) + ".yaml")


def _time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _entry(c: Curation) -> dict[str, str]:
    values: dict[str, str | None] = {
        "field": c.field,
        "versions": c.versions,
        "value": c.value,
        "reason": c.reason,
        "author": c.author,
        "evidence": c.evidence,
        "status": c.status,
        "created_at": _time(c.created_at),
        "reviewer": c.reviewer,
        "review_note": c.review_note,
        "reviewed_at": None if c.reviewed_at is None else _time(c.reviewed_at),
    }
    return {k: v for k, v in values.items() if v is not None}


class _Dumper(yaml.CSafeDumper):
    """Multi-line text (reasons, notes) as literal blocks, which diff line by line."""


def _text(dumper: _Dumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def _document(purl: str, items: Sequence[Curation]) -> str:
    ordered = sorted(items, key=lambda c: tuple(_entry(c).get(k) or "" for k in _ORDER))
    body = yaml.dump(
        {"purl": purl, "curations": [_entry(c) for c in ordered]},
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1_000_000,
    )
    return _HEADER + body


def export_yaml(connection: Connection, directory: Path) -> list[Path]:
    """Write one YAML file per package that has curations; the paths written, sorted."""
    by_package: dict[str, list[Curation]] = {}
    for c in list_curations(connection):
        by_package.setdefault(c.purl, []).append(c)
    root = directory.resolve()
    written: list[Path] = []
    for purl in sorted(by_package):
        target = directory / package_file(purl)
        if not target.resolve().is_relative_to(root):  # a symlink placed in the directory
            raise UsageError(f"{target}: leads outside {directory}; not written")
        target.parent.mkdir(parents=True, exist_ok=True)
        data = _document(purl, by_package[purl]).encode()
        if not target.exists() or target.read_bytes() != data:
            target.write_bytes(data)
        written.append(target)
    return sorted(written)


@dataclass(frozen=True, slots=True)
class ImportStats:
    files: int
    read: int
    added: int
    updated: int  # proposed in the store, reviewed in the file
    unchanged: int
    #: Packages (purls) with a curation approved by this import: what changed in effect.
    approved: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Read:
    row: dict[str, Any]
    path: str
    line: int | None

    @property
    def identity(self) -> tuple[Any, ...]:
        r = self.row
        return (r["purl"], r["versions"], r["field"], r["value"], r["author"], r["created_at"])


def _expand(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.suffix in (".yaml", ".yml")
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"{path}: no such file or directory")
    return found


def _load(path: Path) -> tuple[Any, Any]:
    """(data, node) of a YAML file; ``UsageError`` with the line when it does not parse."""
    try:
        if path.stat().st_size > _MAX_FILE:
            raise UsageError("larger than 8 MiB; not a curation file", path=str(path))
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError("not UTF-8 text", path=str(path)) from None
    except OSError as error:
        raise UsageError(error.strerror or "cannot be read", path=str(path)) from None
    loader = yaml.CSafeLoader(text)
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or str(error)
        raise UsageError(f"not valid YAML: {problem}", path=str(path), line=line) from None
    except yaml.YAMLError as error:
        raise UsageError(f"not valid YAML: {error}", path=str(path)) from None
    finally:
        loader.dispose()
    repeated = _repeated_key(node)
    if repeated is not None:
        where = _line(repeated)
        raise UsageError(f"key {repeated.value!r} given twice", path=str(path), line=where)
    return data, node


def _repeated_key(node: Any) -> Any:
    """The first key node that repeats a key of its mapping (YAML loaders keep the last one
    silently, which would hide an edit), or None."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: set[object] = set()
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        return key
                    seen.add(key.value)
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return None


def _child(node: Any, key: str | int) -> Any:
    """The node under a mapping key or sequence index (for line numbers), or None."""
    if isinstance(node, yaml.MappingNode):
        return next((v for k, v in node.value if k.value == key), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]
    return None


def _line(node: Any) -> int | None:
    return None if node is None else int(node.start_mark.line) + 1


def _when(value: object, key: str) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise _Bad(key, f"{key} {value!r} is not an ISO 8601 time") from None
    else:
        raise _Bad(key, f"{key} must be a time such as 2026-01-31T12:00:00Z")
    if parsed.tzinfo is None:
        raise _Bad(key, f"{key} {value!r} has no time zone (write Z for UTC)")
    return parsed.astimezone(UTC)


def _string(item: dict[str, Any], key: str, *, optional: bool = False) -> Any:
    value = item.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise _Bad(key, f"{key} must be a string (quote it)")
    return value


def _curation_row(purl: object, item: object) -> dict[str, Any]:
    """The columns of one curation of a file; ``_Bad``/``UsageError`` when it is wrong."""
    if not isinstance(item, dict):
        raise UsageError("each curation must be a mapping")
    for key in item:
        if key not in _REQUIRED and key not in _OPTIONAL:
            raise _Bad(str(key), f"unknown key {key!r}")
    missing = [k for k in _REQUIRED if k not in item]
    if missing:
        raise UsageError(f"curation without {missing[0]!r}")
    if not isinstance(purl, str):
        raise _Bad("purl", "purl must be a string")
    text = {k: _string(item, k) for k in ("field", "value", "reason", "author", "evidence")}
    versions = _string(item, "versions", optional=True)
    row = _checked(purl, versions=versions, **text)
    status = _string(item, "status")
    if status not in STATUSES:
        raise _Bad("status", f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    reviewer = _string(item, "reviewer", optional=True)
    note = _string(item, "review_note", optional=True)
    reviewed_at = item.get("reviewed_at")
    if status == PROPOSED and (reviewer or reviewed_at is not None or note):
        raise _Bad("status", "a proposed curation has no reviewer, review_note or reviewed_at")
    if status != PROPOSED and not (reviewer and reviewed_at is not None):
        raise _Bad("status", f"a curation {status} needs reviewer and reviewed_at")
    if reviewer is not None and reviewer.strip().casefold() == row["author"].casefold():
        raise _Bad("reviewer", f"reviewed by its author {row['author']}; a review needs another")
    if reviewer is not None:
        reviewer = _required("a reviewer", reviewer, one_line=True)
    return {
        **row,
        "status": status,
        "reviewer": reviewer,
        "review_note": note,
        "created_at": _when(item["created_at"], "created_at"),
        "reviewed_at": None if reviewed_at is None else _when(reviewed_at, "reviewed_at"),
    }


def _read_file(path: Path) -> list[_Read]:
    data, node = _load(path)
    where = str(path)
    if not isinstance(data, dict):
        raise UsageError("expected a mapping with purl and curations", path=where, line=1)
    for key in data:
        if key not in ("purl", "curations"):
            raise UsageError(f"unknown key {key!r}", path=where, line=_line(_child(node, key)))
    items = data.get("curations")
    if not isinstance(items, list):
        at = _child(node, "curations") or node
        raise UsageError("curations must be a list", path=where, line=_line(at))
    found: list[_Read] = []
    for n, item in enumerate(items):
        item_node = _child(_child(node, "curations"), n)
        try:
            row = _curation_row(data.get("purl"), item)
        except _Bad as error:
            at = _child(node, "purl") if error.key == "purl" else _child(item_node, error.key)
            line = _line(at) or _line(item_node)
            raise UsageError(error.message, path=where, line=line) from None
        except UsageError as error:
            raise UsageError(error.message, path=where, line=_line(item_node)) from None
        found.append(_Read(row, where, _line(item_node)))
    return found


_REVIEW = ("status", "reviewer", "review_note", "reviewed_at")
_CONTENT = ("reason", "evidence")


def _stored_row(c: Curation) -> dict[str, Any]:
    return {k: getattr(c, k) for k in ("purl", "versions", "field", "value", *_CONTENT)} | {
        "author": c.author,
        "created_at": c.created_at,
        **{k: getattr(c, k) for k in _REVIEW},
    }


def import_yaml(connection: Connection, paths: Sequence[Path]) -> ImportStats:
    """Import curation files (or directories of them): all or nothing, idempotent."""
    files = _expand(paths)
    if not files:  # an empty directory is a wrong path, not an import of nothing
        raise UsageError(f"no curation YAML files under {', '.join(map(str, paths))}")
    batch: dict[tuple[Any, ...], _Read] = {}
    read = 0
    for path in files:
        for entry in _read_file(path):
            read += 1
            seen = batch.setdefault(entry.identity, entry)
            if seen is not entry and seen.row != entry.row:
                raise UsageError(
                    f"conflicts with the same curation at {seen.path}:{seen.line}",
                    path=entry.path,
                    line=entry.line,
                )
    stored: dict[tuple[Any, ...], Curation] = {}
    for purl in sorted({key[0] for key in batch}):
        for c in list_curations(connection, purl):
            stored[(c.purl, c.versions, c.field, c.value, c.author, c.created_at)] = c
    added: list[dict[str, Any]] = []
    reviewed: list[tuple[int, dict[str, Any]]] = []
    approved: set[str] = set()
    for identity, entry in batch.items():
        have = stored.get(identity)
        if have is None:
            added.append(entry.row)
            continue
        if _stored_row(have) == entry.row:
            continue
        same_content = all(entry.row[k] == getattr(have, k) for k in _CONTENT)
        if have.status == PROPOSED and entry.row["status"] != PROPOSED and same_content:
            reviewed.append((have.id, {k: entry.row[k] for k in _REVIEW}))
            if entry.row["status"] == APPROVED:
                approved.add(entry.row["purl"])
            continue
        raise UsageError(
            f"conflicts with stored curation #{have.id} ({have.status})",
            path=entry.path,
            line=entry.line,
        )
    if added:
        connection.execute(insert(curations), added)
    for curation_id, values in reviewed:
        connection.execute(update(curations).where(curations.c.id == curation_id).values(values))
    unchanged = len(batch) - len(added) - len(reviewed)
    approved.update(row["purl"] for row in added if row["status"] == APPROVED)
    return ImportStats(
        len(files), read, len(added), len(reviewed), unchanged, tuple(sorted(approved))
    )


# --------------------------------------------------------------------------- why
