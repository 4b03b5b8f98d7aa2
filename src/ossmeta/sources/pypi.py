"""PyPI: raw records from the JSON API, the PEP 691 JSON simple pages and PEP 658 core
metadata; the serial primitives of an incremental sync live in ``pypi_serial``.

The registry's base URL is always a parameter, never a default, so a mirror or a test
server is as good as the public index. Everything goes through the ``Fetcher`` of
``http.py`` (retries, pacing, conditional requests, size limit). A record is the document
as PyPI gave it, parsed but not interpreted; normalizing names, licences and
dependencies is the normalizers' job, and writing records (with the fetched-at time)
is the store's.

Record kinds: ``pypi-project`` (``/pypi/NAME/json``), ``pypi-release``
(``/pypi/NAME/VERSION/json``), ``pypi-simple`` (``/simple/NAME/``, PEP 691 JSON) and
``pypi-core-metadata`` (a file's ``.metadata``, PEP 658).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email.parser import Parser
from email.policy import compat32
from urllib.parse import quote, unquote, urldefrag, urljoin, urlsplit

import orjson
from packaging.utils import canonicalize_name

from ossmeta.errors import SourceError
from ossmeta.sources import registry_records
from ossmeta.sources.http import Fetched, Fetcher, FetchError
from ossmeta.sources.pypi_serial import (
    SIMPLE_JSON,
    base_of,
    changed_since,
    last_serial,
    serial_header,
)
from ossmeta.sources.registry_records import NotModified, canonical, not_modified, raw_record

__all__ = [
    "SIMPLE_JSON",
    "SOURCE_ID",
    "Fetch",
    "NotModified",
    "changed_since",
    "fetch_core_metadata",
    "fetch_project",
    "fetch_release",
    "fetch_simple",
    "file_url",
    "last_serial",
    "parse_core_metadata",
    "project_name",
    "project_url",
    "simple_url",
]

SOURCE_ID = "pypi"

# PEP 508 names: letters and digits, with ".", "_" and "-" inside.
_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Fetch(registry_records.Fetch):
    """A record with what the caller keeps for the next sync: the validators for a
    conditional request and PyPI's ``X-PyPI-Last-Serial`` header (None when absent)."""

    last_serial: int | None


def project_name(name: str) -> str:
    """The PEP 503 form of ``name``; a name PyPI cannot have is refused before any
    request, so it never turns into a strange URL."""
    if not _NAME.match(name.strip()):
        raise SourceError(f"not a valid PyPI project name: {name!r}")
    return canonicalize_name(name.strip())


def project_url(base_url: str, name: str) -> str:
    """The JSON API document of a project (the key conditional requests are stored by)."""
    return f"{base_of(base_url)}/pypi/{project_name(name)}/json"


def simple_url(base_url: str, name: str) -> str:
    """The PEP 691 simple page of a project."""
    return f"{base_of(base_url)}/simple/{project_name(name)}/"


def file_url(page_url: str, href: str) -> str:
    """The absolute URL of a file listed on a simple page: PEP 691 allows URLs relative to
    the page, and a ``#sha256=...`` fragment is not part of the file's address."""
    return urldefrag(urljoin(page_url, href)).url


async def fetch_project(
    fetcher: Fetcher,
    base_url: str,
    name: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetch | NotModified:
    """The JSON API project document (info, releases, urls, vulnerabilities,
    last_serial) as a ``pypi-project`` record keyed by the PEP 503 name."""
    key = project_name(name)
    url = project_url(base_url, key)
    return await _json_api(fetcher, url, "pypi-project", key, etag, last_modified)


async def fetch_release(
    fetcher: Fetcher,
    base_url: str,
    name: str,
    version: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetch | NotModified:
    """The JSON API document of one version (its own ``info``: requires_dist, license,
    license_expression, classifiers, project_urls, author and maintainer; its files in
    ``urls``) as a ``pypi-release`` record keyed ``name@version`` (version as given)."""
    key = project_name(name)
    if not version.strip() or "/" in version:
        raise SourceError(f"not a usable version for {key}: {version!r}")
    url = f"{base_of(base_url)}/pypi/{key}/{quote(version, safe='')}/json"
    return await _json_api(fetcher, url, "pypi-release", f"{key}@{version}", etag, last_modified)


async def _json_api(
    fetcher: Fetcher,
    url: str,
    kind: str,
    external_id: str,
    etag: str | None,
    last_modified: str | None,
) -> Fetch | NotModified:
    """One JSON API document (project or release): both carry ``info`` and ``last_serial``."""
    got = await fetcher.get(url, etag=etag, last_modified=last_modified, accept="application/json")
    if got.not_modified:
        return not_modified(got)
    document = _json_document(got)
    _require_object(document, "info", got)
    modified = _serial_text(document.get("last_serial"), got)
    return _fetch(got, kind, external_id, modified, document)


async def fetch_simple(
    fetcher: Fetcher,
    base_url: str,
    name: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetch | NotModified:
    """The PEP 691 JSON simple page of a project (files with hashes, requires-python,
    yanked, upload-time, size, core-metadata; PEP 700 versions) as a ``pypi-simple``
    record. A response in any other content type (the HTML page of an index that ignored
    the ``Accept`` header) is refused with a ``FetchError``: guessing at HTML is not
    this source's job."""
    key = project_name(name)
    url = simple_url(base_url, key)
    got = await fetcher.get(url, etag=etag, last_modified=last_modified, accept=SIMPLE_JSON)
    if got.not_modified:
        return not_modified(got)
    content_type = got.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type != SIMPLE_JSON:
        raise FetchError(
            f"expected {SIMPLE_JSON}, got {content_type or 'no content type'}",
            url=got.url,
            status=got.status,
            attempts=got.attempts,
        )
    document = _json_document(got)
    meta = _require_object(document, "meta", got)
    version = meta.get("api-version")
    # PEP 691: a client must refuse a major version it does not know; minor ones only add.
    if not isinstance(version, str) or version.split(".", 1)[0] != "1":
        raise SourceError(f"unsupported simple API version {version!r}", path=got.url)
    if not isinstance(document.get("files"), list):
        raise SourceError("simple page has no 'files' list", path=got.url)
    modified = _serial_text(meta.get("_last-serial"), got)
    return _fetch(got, "pypi-simple", key, modified, document)


async def fetch_core_metadata(
    fetcher: Fetcher,
    url: str,
    *,
    expected_sha256: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetch | NotModified:
    """The PEP 658 core metadata of the distribution file at ``url`` (absolute; see
    ``file_url``), fetched from ``url + ".metadata"`` and parsed into a dict of header
    lists: a ``pypi-core-metadata`` record keyed by the file name.

    ``expected_sha256`` is the ``core-metadata`` hash of the simple page; a body that
    does not match it is refused, since the index vouches for those bytes."""
    target = urldefrag(url).url + ".metadata"
    got = await fetcher.get(target, etag=etag, last_modified=last_modified)
    if got.not_modified:
        return not_modified(got)
    if expected_sha256 is not None:
        actual = hashlib.sha256(got.body).hexdigest()
        if actual != expected_sha256.lower():
            raise SourceError(
                f"core metadata sha256 {actual} does not match the index's {expected_sha256}",
                path=got.url,
            )
    fields = parse_core_metadata(got.body, got.url)
    filename = unquote(urlsplit(urldefrag(url).url).path.rsplit("/", 1)[-1])
    return _fetch(got, "pypi-core-metadata", filename, None, dict(fields))


def parse_core_metadata(data: bytes, url: str) -> dict[str, list[str]]:
    """Core metadata (RFC 822 style headers) as ``{field: [values in order]}``: fields
    such as Requires-Dist, Classifier and Project-URL repeat, so every value is a list.
    Values are kept as written (markers and extras included). Since Metadata 2.1 the
    description may be the message body; it is kept as ``Description`` then."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SourceError(f"core metadata is not UTF-8: {error}", path=url) from None
    # compat32 keeps header values exactly as written, without RFC 2047 decoding.
    message = Parser(policy=compat32).parsestr(text)
    if message.defects:
        # A line that is not a header ends the header block early, silently moving the
        # rest into the body; for metadata that means a broken file, not a description.
        defect = type(message.defects[0]).__name__
        raise SourceError(f"malformed core metadata ({defect})", path=url)
    fields: dict[str, list[str]] = {}
    for field, value in message.items():
        fields.setdefault(field, []).append(str(value))
    if "Metadata-Version" not in fields or "Name" not in fields:
        raise SourceError("core metadata without Metadata-Version and Name", path=url)
    body = message.get_payload()
    if isinstance(body, str) and body.strip() and "Description" not in fields:
        fields["Description"] = [body]
    return fields


# --------------------------------------------------------------------------- helpers


def _json_document(got: Fetched) -> dict[str, object]:
    try:
        document = orjson.loads(got.body)
    except orjson.JSONDecodeError as error:
        raise SourceError(f"invalid JSON: {error}", path=got.url) from None
    if not isinstance(document, dict):
        raise SourceError("expected a JSON object", path=got.url)
    return document


def _require_object(document: dict[str, object], key: str, got: Fetched) -> dict[str, object]:
    value = document.get(key)
    if not isinstance(value, dict):
        raise SourceError(f"document has no {key!r} object", path=got.url)
    return value


def _serial_text(value: object, got: Fetched) -> str | None:
    """The record's ``modified``: the serial in the document, else the response header.
    PyPI bumps a project's serial on every change, so it orders versions of a record."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    header = serial_header(got)
    return None if header is None else str(header)


def _fetch(
    got: Fetched, kind: str, external_id: str, modified: str | None, payload: dict[str, object]
) -> Fetch:
    # Hash the canonical JSON, not the bytes: the same document re-served with other
    # whitespace or key order must not look like a change.
    try:
        hashed = canonical(payload)
    except orjson.JSONEncodeError as error:
        raise SourceError(f"document is not plain JSON data: {error}", path=got.url) from None
    record = raw_record(SOURCE_ID, kind, external_id, modified, payload, got.url, hashed=hashed)
    return Fetch(record, got.etag, got.last_modified, serial_header(got))
