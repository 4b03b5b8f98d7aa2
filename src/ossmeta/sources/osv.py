"""OSV records from files, directories (recursive) and zip dumps in the osv.dev layout.

Yields each record as given (a JSON object) with its provenance; interpretation is the
normalizer's job. A JSON file may hold one record or a list of records; YAML files hold one.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import orjson

from ossmeta.errors import OssmetaError, SourceError
from ossmeta.model import Provenance, RawRecord
from ossmeta.sources.archives import count_members, iter_members
from ossmeta.sources.files import InputFile, decode_text, load_json, load_yaml

SOURCE_ID = "osv"
RECORD_SUFFIXES = (".json", ".yaml", ".yml")


def _record_files(root: Path) -> list[Path]:
    found: list[Path] = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        found.extend(
            Path(directory) / name
            for name in sorted(files)
            if name.lower().endswith(RECORD_SUFFIXES) and not name.startswith(".")
        )
    return found


def expand(paths: list[str]) -> list[tuple[InputFile, bool]]:
    """Every record file or zip dump under the given paths, as (file, is_zip)."""
    out: list[tuple[InputFile, bool]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend((InputFile(p, str(p)), False) for p in _record_files(path))
        elif path.suffix.lower() == ".zip":
            out.append((InputFile(path, raw), True))
        elif path.exists():
            out.append((InputFile(path, raw), False))
        else:
            InputFile(path, raw).fail("no such file or directory")
    return out


def count_records(files: list[tuple[InputFile, bool]]) -> int:
    """Files to read (zip members counted one by one), for the progress bar."""
    return sum(count_members(f, RECORD_SUFFIXES) if is_zip else 1 for f, is_zip in files)


def canonical_hash(record: object, file: InputFile) -> tuple[str, str]:
    """(sha256 of the canonical JSON, the canonical JSON): the same record written as
    YAML or JSON, pretty or compact, hashes the same, so re-imports are no-ops."""
    try:
        data = orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError as error:
        file.fail(f"record is not plain JSON data: {error}")
    return hashlib.sha256(data).hexdigest(), data.decode("utf-8")


def _records_in(file: InputFile, data: bytes) -> list[object]:
    text = decode_text(data, file)
    if file.display.lower().endswith(".json"):
        loaded = load_json(file, text)
        return loaded if isinstance(loaded, list) else [loaded]
    return [load_yaml(file, text)]


def _raw(record: object, file: InputFile, data_license: str | None) -> RawRecord:
    if not isinstance(record, dict):
        file.fail("an OSV record must be a JSON object")
    record_id = record.get("id")
    if not isinstance(record_id, str) or not record_id.strip():
        file.fail("OSV record has no string 'id'")
    modified = record.get("modified")
    digest, text = canonical_hash(record, file)
    return RawRecord(
        kind="advisory",
        external_id=record_id,
        modified=modified if isinstance(modified, str) else None,
        payload=record,
        provenance=Provenance(SOURCE_ID, file.display, digest, data_license),
        canonical_json=text,
    )


def iter_records(
    files: list[tuple[InputFile, bool]],
    data_license: str | None = None,
    problems: list[OssmetaError] | None = None,
) -> Iterator[RawRecord]:
    """Yield every record of the given files; one item per file read (progress counts
    files, so a JSON list of records yields several records for one step).

    With ``problems`` given, a file that cannot be read or parsed is added to it and the
    next file is read, so one run names every bad file; without it the first one raises."""
    for file, is_zip in files:
        try:
            if is_zip:
                for name, data in iter_members(file, RECORD_SUFFIXES):
                    member = InputFile(file.path, f"{file.display}!{name}")
                    try:
                        parsed = [_raw(r, member, data_license) for r in _records_in(member, data)]
                    except SourceError as error:
                        if problems is None:
                            raise
                        problems.append(error)
                        continue
                    yield from parsed
            else:
                data = file.read_bytes()
                parsed = [_raw(r, file, data_license) for r in _records_in(file, data)]
                yield from parsed
        except SourceError as error:
            if problems is None:
                raise
            problems.append(error)


def records_from_json(
    loaded: object,
    display: str,
    data_license: str | None = None,
    problems: list[OssmetaError] | None = None,
) -> list[RawRecord]:
    """The records of already parsed JSON (one record, or a list of them), such as an API
    request body, checked and hashed exactly as a file's are; ``display`` names them in
    errors (``request body``; the n-th of a list is ``request body[n]``)."""
    items = loaded if isinstance(loaded, list) else [loaded]
    out: list[RawRecord] = []
    for index, record in enumerate(items):
        name = f"{display}[{index}]" if isinstance(loaded, list) else display
        try:
            out.append(_raw(record, InputFile(Path(name), name), data_license))
        except SourceError as error:
            if problems is None:
                raise
            problems.append(error)
    return out
