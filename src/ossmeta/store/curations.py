"""Curations in the store: proposing, reviewing, listing, the effective (curated) package,
the YAML files curations are exchanged and versioned in, and ``why`` a field has its value.

Curations live in their own table and are never derived, so a re-sync or ``ossmeta
normalize`` (which rebuild the ``package*`` tables) leaves them alone; they are applied on
read (``effective_package``). Every function takes the caller's connection: the caller's
transaction makes an import all-or-nothing.

YAML files: one per package, at ``<type>/<namespace segments>/<name>.yaml`` under the export
directory. Every path segment is encoded (characters other than ``A-Z a-z 0-9 . _ -`` as
``%XX``, a leading dot as ``%2E``, a directory segment ending in ``.yaml`` with its dot
encoded, over-long segments shortened with a hash), so that no purl can name a path outside
the directory, a hidden file, or a file where a directory must be. Curations are written in
a stable order, and database ids are not written (they differ between stores): a curation's
identity is (purl, versions, field, value, author, created_at). Importing a curation the
store has already changes nothing; importing the review of one the store holds as proposed
records that review; any other difference is a conflict and the whole import fails.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection, insert, select, update

from ossmeta.errors import OssmetaError, UsageError
from ossmeta.model import PackageRecord
from ossmeta.normalizers.curation import (
    APPROVED,
    PROPOSED,
    REJECTED,
    STATUSES,
    Curation,
    Step,
    apply_curations,
    canonical_package_purl,
    check_text,
    check_url,
    explain,
    field_rule,
    validate,
    validate_selector,
)
from ossmeta.normalizers.licenses import normalize_license
from ossmeta.normalizers.repos import canonical_repo_url
from ossmeta.purls import parse_purl
from ossmeta.store.packages import load_package
from ossmeta.store.schema import curations, current_records, raw_records

__all__ = [
    "ImportStats",
    "SourceRecord",
    "Why",
    "effective_package",
    "export_yaml",
    "get",
    "import_yaml",
    "list_curations",
    "package_file",
    "propose",
    "review",
    "why",
]


def _utc(value: datetime | None) -> datetime | None:
    """Datetimes come back naive from SQLite; every stored time is UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _of(row: Any) -> Curation:
    created = _utc(row.created_at)
    assert created is not None  # the column is NOT NULL
    return Curation(
        id=row.id,
        purl=row.purl,
        versions=row.versions,
        field=row.field,
        value=row.value,
        reason=row.reason,
        author=row.author,
        evidence=row.evidence,
        status=row.status,
        reviewer=row.reviewer,
        review_note=row.review_note,
        created_at=created,
        reviewed_at=_utc(row.reviewed_at),
    )


class _Bad(UsageError):
    """A ``UsageError`` that knows which key of a curation it is about (for file lines)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def _required(what: str, value: str, *, one_line: bool = False) -> str:
    text = value.strip()
    if not text:
        raise UsageError(f"a curation needs {what}")
    name = what.split(" ", 1)[-1]
    if one_line and not text.isprintable():
        raise UsageError(f"{name} {text!r} must be one line of text")
    return check_text(text, name)


def _checked(
    purl: str, field: str, value: str, versions: str | None, reason: str, author: str, evidence: str
) -> dict[str, Any]:
    """The columns of a valid curation, canonical; a ``_Bad`` naming the key that is wrong."""

    def check(key: str, step: Callable[[], Any]) -> Any:
        try:
            return step()
        except UsageError as error:
            raise _Bad(key, error.message) from None

    canonical, ecosystem = check("purl", lambda: canonical_package_purl(purl))
    rule = check("field", lambda: field_rule(field))
    if versions is not None and not rule.per_version:
        raise _Bad("versions", f"{field} is a package field; it takes no versions selector")
    return {
        "purl": canonical,
        "versions": None
        if versions is None
        else check("versions", lambda: validate_selector(versions, ecosystem)),
        "field": field,
        "value": check("value", lambda: validate(field, value, ecosystem)),
        "reason": check("reason", lambda: _required("a reason", reason)),
        "author": check("author", lambda: _required("an author", author, one_line=True)),
        "evidence": check("evidence", lambda: check_url(evidence.strip(), "evidence")),
    }


# --------------------------------------------------------------------------- propose / review


def propose(
    connection: Connection,
    purl: str,
    field: str,
    value: str,
    *,
    reason: str,
    author: str,
    evidence: str,
    versions: str | None = None,
    now: datetime | None = None,
) -> int:
    """Store a proposed curation (validated, canonical) and return its id."""
    row = _checked(purl, field, value, versions, reason, author, evidence)
    pending = connection.execute(
        select(curations.c.id).where(
            curations.c.purl == row["purl"],
            curations.c.field == row["field"],
            curations.c.value == row["value"],
            curations.c.status == PROPOSED,
            curations.c.versions.is_(None)
            if row["versions"] is None
            else curations.c.versions == row["versions"],
        )
    ).scalar()
    if pending is not None:
        raise UsageError(f"curation #{pending} already proposes this value; review it instead")
    created = now or datetime.now(UTC)
    new_id: int = connection.execute(
        insert(curations).returning(curations.c.id),
        {**row, "status": PROPOSED, "created_at": created},
    ).scalar_one()
    return new_id


def get(connection: Connection, curation_id: int) -> Curation | None:
    row = connection.execute(select(curations).where(curations.c.id == curation_id)).first()
    return None if row is None else _of(row)


def review(
    connection: Connection,
    curation_id: int,
    approve: bool,
    reviewer: str,
    note: str | None = None,
    now: datetime | None = None,
) -> Curation:
    """Approve or reject a proposed curation. Only proposed ones can be reviewed, and not by
    their author (a review is a second pair of eyes)."""
    found = get(connection, curation_id)
    if found is None:
        raise UsageError(f"no curation #{curation_id}")
    if found.status != PROPOSED:
        raise UsageError(
            f"curation #{curation_id} is already {found.status} by {found.reviewer}; "
            "only proposed curations can be reviewed"
        )
    who = _required("a reviewer", reviewer, one_line=True)
    if who.casefold() == found.author.casefold():
        raise UsageError(f"curation #{curation_id} cannot be reviewed by its author {who}")
    status = APPROVED if approve else REJECTED
    note = check_text(note.strip(), "review note") if note and note.strip() else None
    when = now or datetime.now(UTC)
    values = {"status": status, "reviewer": who, "review_note": note, "reviewed_at": when}
    done = connection.execute(
        update(curations)
        .where(curations.c.id == curation_id, curations.c.status == PROPOSED)
        .values(**values)
    )
    if done.rowcount != 1:  # reviewed by someone else in the meantime
        raise UsageError(f"curation #{curation_id} was reviewed meanwhile; nothing changed")
    return replace(found, status=status, reviewer=who, review_note=note, reviewed_at=when)


def list_curations(
    connection: Connection, purl: str | None = None, status: str | None = None
) -> tuple[Curation, ...]:
    """Curations by id, of one package and/or one status."""
    query = select(curations).order_by(curations.c.id)
    if purl is not None:
        query = query.where(curations.c.purl == _package(purl))
    if status is not None:
        if status not in STATUSES:
            raise UsageError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
        query = query.where(curations.c.status == status)
    return tuple(_of(row) for row in connection.execute(query))


def _package(purl: str) -> str:
    """The canonical spelling of a package purl; the text itself when it does not parse as
    one (a stored purl is looked up as written)."""
    try:
        return canonical_package_purl(purl)[0]
    except OssmetaError:
        return purl


def effective_package(connection: Connection, purl: str) -> PackageRecord | None:
    """The stored package with its approved curations applied, or None."""
    key = _package(purl)
    record = load_package(connection, key)
    if record is None:
        return None
    return apply_curations(record, list_curations(connection, key))


# --------------------------------------------------------------------------- YAML files

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
    return ImportStats(len(files), read, len(added), len(reviewed), unchanged)


# --------------------------------------------------------------------------- why


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """A current raw record the package was normalized from."""

    source: str
    kind: str
    external_id: str
    fetched_at: datetime
    raw_record_id: int
    locator: str
    content_hash: str


@dataclass(frozen=True, slots=True)
class Why:
    """How a field got its effective value: as declared -> normalized -> curations."""

    purl: str
    field: str
    version: str | None
    in_store: bool  # False: no normalized package (curations may still exist)
    records: tuple[SourceRecord, ...]
    raw: str | None  # the text as the registry declared it, where the store keeps it
    declared_in: str | None  # the registry field it came from ("pypi:classifiers")
    normalized: str | None
    confidence: str | None
    note: str | None  # why normalizing gave what it gave, when it says more than the value
    curations: tuple[Step, ...]
    effective: str | None
    effective_from: str  # "curation:<id>", "registry", or "nothing" (no package, no curation)


def _records(
    connection: Connection, purl: str, kinds: str, version: str | None
) -> tuple[SourceRecord, ...]:
    rows = connection.execute(
        select(
            current_records.c.source,
            current_records.c.kind,
            current_records.c.external_id,
            current_records.c.fetched_at,
            raw_records.c.id,
            raw_records.c.locator,
            raw_records.c.content_hash,
        )
        .join(raw_records, raw_records.c.id == current_records.c.raw_record_id)
        .where(current_records.c.package == purl)
        .order_by(current_records.c.source, current_records.c.kind, current_records.c.external_id)
    ).all()
    found = [SourceRecord(r[0], r[1], r[2], _utc(r[3]) or r[3], r[4], r[5], r[6]) for r in rows]
    # The kinds the package was made from; a version's own documents when it has some.
    made_from = [r for r in found if r.kind in kinds.split("+")] or found
    if version is not None:
        own = [r for r in made_from if r.external_id.endswith((f"@{version}", f":{version}"))]
        made_from = own or made_from
    return tuple(made_from)


def _declared(record: PackageRecord, field: str, version: str | None) -> tuple[Any, ...]:
    """(raw, declared_in, normalized, confidence, note) of the uncurated record."""
    if field == "license":
        source = record.license
        if version is not None:
            source = next(v.license for v in record.versions if v.version == version)
        if source is None:
            return None, None, None, None, "no licence declared"
        note = normalize_license(source.raw).note if source.raw else None
        return source.raw, source.source, source.spdx, source.confidence, note
    if field == "repository":
        raw, value = record.repository_raw, record.repository
        note = canonical_repo_url(raw).reason if raw and value is None else None
        return raw, None, value, None, note
    if field == "status":
        return None, None, record.status.value, None, None
    # homepage, description: the normalizer picks one of the declared texts and keeps it.
    return None, None, getattr(record, field), None, None


def why(connection: Connection, purl: str, field: str, version: str | None = None) -> Why:
    """The chain behind one field of a package (or of one version, for per-version fields)."""
    canonical, ecosystem = canonical_package_purl(purl)
    rule = field_rule(field)
    if version is not None and not rule.per_version:
        raise UsageError(f"{field} is a package field; it has no per-version value")
    record = load_package(connection, canonical)
    mine = list_curations(connection, canonical)
    if record is None and not mine:
        raise UsageError(f"no package {canonical} in the store and no curations of it")
    known = () if record is None else {v.version for v in record.versions}
    if record is not None and version is not None and version not in known:
        raise UsageError(f"{canonical} has no version {version!r} in the store")
    steps = explain(mine, field, ecosystem, version)
    chosen = next((s.curation for s in steps if s.applied), None)
    if record is None:
        raw = declared_in = normalized = confidence = note = None
        records: tuple[SourceRecord, ...] = ()
    else:
        raw, declared_in, normalized, confidence, note = _declared(record, field, version)
        records = _records(connection, canonical, record.source, version)
    if chosen is not None:
        effective, effective_from = chosen.value or None, f"curation:{chosen.id}"
    else:
        effective, effective_from = normalized, "registry" if record is not None else "nothing"
    return Why(
        purl=canonical,
        field=field,
        version=version,
        in_store=record is not None,
        records=records,
        raw=raw,
        declared_in=declared_in,
        normalized=normalized,
        confidence=confidence,
        note=note,
        curations=steps,
        effective=effective,
        effective_from=effective_from,
    )
