"""A PEP 691 JSON project page (``application/vnd.pypi.simple.v1+json``) as frozen records,
and the licence a release declares in its core metadata (the ``.metadata`` file of PEP 658).

Only what the index serves on is kept: file name, URL (made absolute against the page),
hashes, size, the upstream's upload time, requires-python, the yank state and the
core-metadata hashes. A page that is not such a document is a ``NormalizeError``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from typing import Any
from urllib.parse import urljoin

import orjson
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)

from ossmeta.errors import NormalizeError

__all__ = [
    "SimpleFile",
    "SimplePage",
    "license_from_metadata",
    "normalize_project",
    "parse_project_page",
    "version_of",
]

_SEPARATORS = re.compile(r"[-_.]+")


def normalize_project(name: str) -> str:
    """PEP 503 normalization: what clients must request and the key everything uses."""
    return _SEPARATORS.sub("-", name).lower()


@dataclass(frozen=True, slots=True)
class SimpleFile:
    filename: str
    url: str  # absolute, on the upstream
    hashes: tuple[tuple[str, str], ...]  # (algorithm, hex), sorted
    size: int | None
    upload_time: datetime | None  # the upstream's, UTC
    requires_python: str | None
    yanked: str | None  # None: not yanked; "" yanked without a reason; else the reason
    core_metadata: tuple[tuple[str, str], ...] | None  # hashes of the .metadata file, if any

    @property
    def sha256(self) -> str | None:
        return dict(self.hashes).get("sha256")

    @property
    def metadata_sha256(self) -> str | None:
        return None if self.core_metadata is None else dict(self.core_metadata).get("sha256")


@dataclass(frozen=True, slots=True)
class SimplePage:
    name: str  # normalized
    files: tuple[SimpleFile, ...]
    versions: tuple[str, ...]  # the upstream's list (api-version 1.1), may hold fileless ones


def version_of(filename: str) -> str | None:
    """The version a wheel or sdist file name carries (as spelled), None for other files."""
    try:
        if filename.endswith(".whl"):
            return str(parse_wheel_filename(filename)[1])
        return str(parse_sdist_filename(filename)[1])
    except (InvalidWheelFilename, InvalidSdistFilename, ValueError):
        return None


def _hashes(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise NormalizeError(f"{where}: hashes must be an object of strings")
    return tuple(sorted((k.lower(), v.lower()) for k, v in value.items()))


def _time(value: Any, where: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise NormalizeError(f"{where}: upload-time must be a string")
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise NormalizeError(f"{where}: upload-time {value!r} is not ISO 8601") from exc
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


def _yanked(value: Any) -> str | None:
    if value is None or value is False:
        return None
    return value if isinstance(value, str) else ""


def _core_metadata(entry: dict[str, Any], where: str) -> tuple[tuple[str, str], ...] | None:
    # PEP 714's key first; old servers only send the PEP 658 one.
    value = entry.get("core-metadata", entry.get("dist-info-metadata"))
    if value is None or value is False:
        return None
    if value is True:
        return ()
    return _hashes(value, where)


def _file(entry: Any, base: str, where: str) -> SimpleFile:
    if not isinstance(entry, dict):
        raise NormalizeError(f"{where}: a file must be an object")
    filename, url = entry.get("filename"), entry.get("url")
    if not isinstance(filename, str) or not isinstance(url, str) or "/" in filename:
        raise NormalizeError(f"{where}: a file needs a plain filename and a url")
    size = entry.get("size")
    requires = entry.get("requires-python")
    return SimpleFile(
        filename=filename,
        url=urljoin(base, url).split("#", 1)[0],
        hashes=_hashes(entry.get("hashes", {}), f"{where} {filename}"),
        size=size if isinstance(size, int) and size >= 0 else None,
        upload_time=_time(entry.get("upload-time"), f"{where} {filename}"),
        requires_python=requires if isinstance(requires, str) and requires else None,
        yanked=_yanked(entry.get("yanked")),
        core_metadata=_core_metadata(entry, f"{where} {filename}"),
    )


def parse_project_page(body: bytes, base: str, where: str) -> SimplePage:
    """The PEP 691 JSON page ``body`` fetched from ``base`` (file URLs are joined to it)."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise NormalizeError(f"{where}: not JSON ({exc})") from exc
    if not isinstance(document, dict) or not isinstance(document.get("files"), list):
        raise NormalizeError(f"{where}: not a PEP 691 project page (no files list)")
    name = document.get("name")
    if not isinstance(name, str):
        raise NormalizeError(f"{where}: the page has no project name")
    files = tuple(_file(entry, base, where) for entry in document["files"])
    versions = document.get("versions")
    listed = tuple(v for v in versions if isinstance(v, str)) if isinstance(versions, list) else ()
    return SimplePage(normalize_project(name), files, listed)


def license_from_metadata(text: bytes) -> str | None:
    """The licence core metadata declares: License-Expression (PEP 639), else a one-line
    License field, else the OSI classifiers joined with OR (what the project offers)."""
    headers = BytesHeaderParser().parsebytes(text)
    expression = headers.get("License-Expression")
    if expression and expression.strip():
        return str(expression).strip()
    free = headers.get("License")
    if free and free.strip() and "\n" not in free.strip() and free.strip().upper() != "UNKNOWN":
        return str(free).strip()
    prefix = "License :: OSI Approved :: "
    classified = [
        str(value)[len(prefix) :].strip()
        for value in headers.get_all("Classifier") or []
        if str(value).startswith(prefix)
    ]
    return " OR ".join(classified) if classified else None
