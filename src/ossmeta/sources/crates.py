"""crates.io collector, source layer: the sparse index and the web API's crate document.

Yields raw records exactly as the registry gave them, with provenance; it neither writes the
store nor interprets (licences, repository URLs, dependency kinds and renames are the
normalizers' job). Both base URLs are always the caller's and have no defaults: the sparse
index (``--registry-url``, a mirror, a test server) and the web API, whose address a
registry publishes in the index's ``config.json`` (see ``config``).

Record kinds:

``crates-index``
    The index file of one crate: one JSON object per published version, in the file's
    order. The payload is ``{"name": <the crate's name as the index spells it>,
    "versions": [<every line's object, exactly as given>]}``. The index carries no
    timestamp, so ``modified`` is the record's content hash (the same sha256 as the
    provenance's): a version count would miss yanking and un-yanking, which rewrite a line
    in place without adding one, and those are the changes a metadata store most needs to
    see. It says *which* content this is, never that one record is newer than another;
    ordering comes from when the store fetched it.
``crates-crate``
    ``{api}/api/v1/crates/{name}``: ``crate`` (description, homepage, repository,
    documentation, downloads, dates, max_version...) and ``versions`` (licence, yanked,
    crate_size, published_by, rust_version...), plus ``keywords`` and ``categories``.
    ``modified`` is ``crate.updated_at`` as given.

crates.io treats names as equal when they differ only in case or in ``-`` against ``_``; a
document naming another crate than the one asked for (a misrouted mirror) is refused, and
``external_id`` is the name as the registry spells it, so ``Inflector`` asked for as
``inflector`` files under one key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

import orjson

from ossmeta.errors import SourceError
from ossmeta.sources.http import Fetched, Fetcher, HttpStatusError, NotFound
from ossmeta.sources.registry_records import Fetch, NotModified, canonical, not_modified, raw_record

__all__ = [
    "KIND_CRATE",
    "KIND_INDEX",
    "SOURCE_ID",
    "Fetch",
    "IndexConfig",
    "NotModified",
    "canonical",
    "config",
    "crate_url",
    "fetch_crate",
    "fetch_index",
    "index_path",
    "index_url",
]

SOURCE_ID = "crates"
KIND_INDEX = "crates-index"
KIND_CRATE = "crates-crate"

# Cargo and crates.io allow ASCII letters, digits, "-" and "_" in a crate name. Refusing
# anything else before a request keeps a name from turning into another path ("../x",
# "a/b", "%2e").
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")

# Cargo's sparse protocol reads 451 (Unavailable For Legal Reasons) as "no such crate" too,
# alongside the 404 and 410 the fetcher already raises as NotFound.
_GONE_STATUSES = frozenset({451})


@dataclass(frozen=True, slots=True)
class IndexConfig:
    """The index's ``config.json``: where crates download from (``dl``, possibly with
    ``{crate}``-style markers, kept as given), the web API's base URL (``api``; None when
    the registry has none) and whether every request needs credentials."""

    url: str
    dl: str
    api: str | None
    auth_required: bool
    payload: dict[str, object]


def _checked_name(name: str, where: str) -> str:
    if not _NAME.match(name):
        raise SourceError(f"not a crate name: {name!r}", path=where)
    return name


def index_path(name: str) -> str:
    """The sparse-index path of ``name``, lower-cased as Cargo requests it: ``1/{name}``,
    ``2/{name}``, ``3/{first char}/{name}``, else ``{chars 1-2}/{chars 3-4}/{name}``."""
    lower = _checked_name(name, "crate name").lower()
    if len(lower) <= 2:
        return f"{len(lower)}/{lower}"
    if len(lower) == 3:
        return f"3/{lower[0]}/{lower}"
    return f"{lower[:2]}/{lower[2:4]}/{lower}"


def index_url(index_base: str, name: str) -> str:
    """``{index_base}/{index_path(name)}``."""
    return f"{index_base.rstrip('/')}/{index_path(name)}"


def crate_url(api_base: str, name: str) -> str:
    """``{api_base}/api/v1/crates/{name}``; the name keeps its case, the API folds it."""
    checked = _checked_name(name, api_base)
    return f"{api_base.rstrip('/')}/api/v1/crates/{quote(checked, safe='')}"


def _same_crate(a: str, b: str) -> bool:
    """crates.io's own equality of names: case-insensitive, ``-`` and ``_`` alike."""
    return a.lower().replace("-", "_") == b.lower().replace("-", "_")


def _record(
    kind: str,
    external_id: str,
    modified: str | None,
    payload: dict[str, object],
    fetched: Fetched,
    hashed: tuple[str, str],
) -> Fetch:
    record = raw_record(SOURCE_ID, kind, external_id, modified, payload, fetched.url, hashed=hashed)
    return Fetch(record, fetched.etag, fetched.last_modified)


async def _get(
    fetcher: Fetcher,
    url: str,
    *,
    etag: str | None,
    last_modified: str | None,
    accept: str | None = None,
) -> Fetched:
    try:
        return await fetcher.get(url, etag=etag, last_modified=last_modified, accept=accept)
    except HttpStatusError as error:
        if error.status in _GONE_STATUSES:
            raise NotFound(
                error.message, url=error.url, status=error.status, attempts=error.attempts
            ) from None
        raise


def _index_lines(body: bytes, url: str, name: str) -> tuple[str | None, list[dict[str, object]]]:
    """The crate's name as the first line spells it (None for an empty file) and every
    non-blank line as the object it is, in order. Line numbers in errors count every
    physical line, so they match the file as served."""
    spelled: str | None = None
    versions: list[dict[str, object]] = []
    for number, raw in enumerate(body.split(b"\n"), start=1):
        if not raw.strip():
            continue  # the file ends with a newline; Cargo skips blank lines too
        try:
            line = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            # The decoder's own position counts within the line it was given ("line 1"),
            # which would contradict the file's line number; keep only the column.
            raise SourceError(
                f"index line {number} is not valid JSON at column {error.colno}: {error.msg}",
                path=url,
                line=number,
            ) from None
        if not isinstance(line, dict):
            raise SourceError(f"index line {number} is not a JSON object", path=url, line=number)
        given, vers = line.get("name"), line.get("vers")
        if not isinstance(given, str) or not isinstance(vers, str):
            raise SourceError(
                f"index line {number} has no string 'name' and 'vers'", path=url, line=number
            )
        if not _same_crate(given, name):
            raise SourceError(
                f"index line {number} names {given!r}, not the requested {name!r}",
                path=url,
                line=number,
            )
        spelled = spelled or given
        versions.append(line)
    return spelled, versions


async def fetch_index(
    fetcher: Fetcher,
    index_base: str,
    name: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetch | NotModified:
    """GET the sparse-index file of ``name`` as a ``crates-index`` record (see the module
    docstring); with ``etag`` / ``last_modified`` the request is conditional and an
    unchanged file comes back as ``NotModified``.

    A 404, 410 or 451 and an empty file raise ``NotFound`` (a registry may leave an empty
    file behind for a deleted crate). A line that is not a JSON object with string
    ``name`` and ``vers``, or that names another crate, raises a ``SourceError`` naming the
    URL and the line; other ``FetchError``s propagate unchanged."""
    url = index_url(index_base, name)
    fetched = await _get(fetcher, url, etag=etag, last_modified=last_modified)
    if fetched.not_modified:
        return not_modified(fetched)
    given, versions = _index_lines(fetched.body, fetched.url, name)
    if given is None:
        raise NotFound(
            "empty index file", url=fetched.url, status=fetched.status, attempts=fetched.attempts
        )
    payload: dict[str, object] = {"name": given, "versions": versions}
    hashed = canonical(payload)
    return _record(KIND_INDEX, given, hashed[0], payload, fetched, hashed)


def _load_object(fetched: Fetched, what: str) -> dict[str, object]:
    try:
        loaded = orjson.loads(fetched.body)
    except orjson.JSONDecodeError as error:
        raise SourceError(f"malformed JSON in {what}: {error}", path=fetched.url) from None
    if not isinstance(loaded, dict):
        raise SourceError(f"{what} is not a JSON object", path=fetched.url)
    return loaded


def _api_errors(document: dict[str, object]) -> str | None:
    """The ``detail`` texts of a crates.io ``{"errors": [...]}`` body, joined, if any."""
    errors = document.get("errors")
    if not isinstance(errors, list) or not errors:
        return None
    details = [str(e.get("detail", e)) if isinstance(e, dict) else str(e) for e in errors]
    return "; ".join(details)


async def fetch_crate(
    fetcher: Fetcher,
    api_base: str,
    name: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetch | NotModified:
    """GET the web API's document of ``name`` as a ``crates-crate`` record; ``modified``
    is ``crate.updated_at`` (None if absent or not a string).

    crates.io refuses requests without a ``User-Agent``; the shared client always sends
    one. A body that is not a JSON object, that carries an ``errors`` list instead of a
    ``crate``, whose ``crate.name`` is another crate, or whose ``versions`` is not a list
    raises a ``SourceError``; ``FetchError``s (``NotFound`` for 404) propagate."""
    url = crate_url(api_base, name)
    fetched = await _get(
        fetcher, url, etag=etag, last_modified=last_modified, accept="application/json"
    )
    if fetched.not_modified:
        return not_modified(fetched)
    payload = _load_object(fetched, "crate document")
    crate = payload.get("crate")
    if not isinstance(crate, dict):
        problem = _api_errors(payload)
        detail = f"API error: {problem}" if problem else "crate document has no 'crate' object"
        raise SourceError(detail, path=fetched.url)
    given = crate.get("name")
    if not isinstance(given, str) or not _same_crate(given, name):
        raise SourceError(
            f"crate document names {given!r}, not the requested {name!r}", path=fetched.url
        )
    if not isinstance(payload.get("versions"), list):
        raise SourceError("crate document has no 'versions' list", path=fetched.url)
    updated = crate.get("updated_at")
    modified = updated if isinstance(updated, str) else None
    return _record(KIND_CRATE, given, modified, payload, fetched, canonical(payload))


async def config(fetcher: Fetcher, index_base: str) -> IndexConfig:
    """The index's ``config.json``, for discovery: ``api`` is the base to hand to
    ``fetch_crate``. ``dl`` is required by Cargo, so a file without it is refused."""
    url = f"{index_base.rstrip('/')}/config.json"
    fetched = await fetcher.get(url, accept="application/json")
    payload = _load_object(fetched, "index config")
    dl = payload.get("dl")
    if not isinstance(dl, str) or not dl:
        raise SourceError("index config has no 'dl' string", path=fetched.url)
    api = payload.get("api")
    if api is not None and not isinstance(api, str):
        raise SourceError("index config 'api' is not a string", path=fetched.url)
    auth = payload.get("auth-required", False)
    if not isinstance(auth, bool):
        raise SourceError("index config 'auth-required' is not a boolean", path=fetched.url)
    return IndexConfig(fetched.url, dl, api or None, auth, payload)
