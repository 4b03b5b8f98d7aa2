"""PyPI distribution files -> per-file hashes, upload times and yanks (pure).

The JSON API (project ``releases``, release ``urls``) and the PEP 691 simple page list
the same files in two shapes; both are merged by file name. A simple-page file is
assigned to a version by the JSON API when it knows the file, else by its name (wheel and
sdist naming rules, compared as PEP 440 versions); a file no listed version claims is
left out. A file is yanked when any record says so: un-yanking is rare, and a stale
"not yanked" must not hide a yank.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)

from ossmeta.ecosystems import PYPI
from ossmeta.normalizers.package_fields import Reader
from ossmeta.versions import try_version_key


@dataclass
class DistFile:
    """What the records say about one file, merged."""

    version: str
    hashes: set[str] = field(default_factory=set)
    url: str | None = None
    uploaded: list[datetime] = field(default_factory=list)
    yanked: bool = False
    reason: str | None = None


Files = dict[str, DistFile]


def _file_version(filename: str, listed: dict[Any, str]) -> str | None:
    try:
        if filename.endswith(".whl"):
            parsed = parse_wheel_filename(filename)[1]
        else:
            parsed = parse_sdist_filename(filename)[1]
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None  # eggs, installers, odd names
    return listed.get(try_version_key(PYPI, str(parsed)))


def _record(found: DistFile, when: datetime | None, yanked: bool, reason: str | None) -> None:
    if when is not None:
        found.uploaded.append(when)
    if yanked:
        found.yanked = True
        found.reason = found.reason or reason


def add_api_file(r: Reader, files: Files, raw: object, version: str, where: str) -> None:
    """A JSON API file entry (``digests``, ``upload_time_iso_8601``, ``yanked_reason``)."""
    entry = r.mapping(raw, where)
    name = r.text(entry.get("filename"), f"{where}.filename") or r.fail(f"{where}: no filename")
    found = files.setdefault(name, DistFile(version))
    for algorithm, digest in r.mapping(entry.get("digests"), f"{where}.digests").items():
        found.hashes.add(r.hex_digest(algorithm, digest, f"{where}.digests"))
    found.url = found.url or r.text(entry.get("url"), f"{where}.url")
    when = entry.get("upload_time_iso_8601") or entry.get("upload_time")
    _record(
        found,
        r.timestamp(when, f"{where}.upload_time"),
        r.flag(entry.get("yanked"), f"{where}.yanked"),
        r.text(entry.get("yanked_reason"), f"{where}.yanked_reason"),
    )


def add_simple_file(r: Reader, files: Files, raw: object, listed: dict[Any, str]) -> None:
    """A PEP 691 file entry (``hashes``, ``upload-time``, ``yanked``: bool or reason);
    ``listed`` maps PEP 440 keys to the listed version strings."""
    entry = r.mapping(raw, "files[]")
    name = r.text(entry.get("filename"), "files[].filename") or r.fail("a file has no filename")
    version = files[name].version if name in files else _file_version(name, listed)
    if version is None:
        return
    found = files.setdefault(name, DistFile(version))
    for algorithm, digest in r.mapping(entry.get("hashes"), f"{name}.hashes").items():
        found.hashes.add(r.hex_digest(algorithm, digest, f"{name}.hashes"))
    url = r.text(entry.get("url"), f"{name}.url")
    if found.url is None and url and "://" in url:  # a relative URL needs the page's address
        found.url = url.partition("#")[0]
    yanked = entry.get("yanked")
    reason = yanked.strip() or None if isinstance(yanked, str) else None
    is_yanked = isinstance(yanked, str) or r.flag(yanked, f"{name}.yanked")
    _record(found, r.timestamp(entry.get("upload-time"), f"{name}.upload-time"), is_yanked, reason)
