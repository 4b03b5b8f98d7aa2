"""npm registry collector, source layer: full packuments and the replication changes feed.

Yields raw records exactly as the registry gave them, with provenance; it neither writes the
store nor interprets (licence shapes, repository URLs and scopes are the normalizers' job).
Both base URLs are always the caller's: the registry (``--registry-url`` or a mirror) and
the replication feed, which the public registry serves from a host of its own.

One deliberate change to what is kept: ``readme`` bodies (the package's and, in old
packuments, each version's) longer than ``README_LIMIT`` UTF-8 bytes are dropped. They
dominate packument size, are not metadata we use, and a cut-off readme would pass for the
upstream text; ``Fetch.dropped`` names every field dropped, so the omission is on record.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import quote

import orjson

from ossmeta.errors import SourceError
from ossmeta.sources import registry_records
from ossmeta.sources.http import Fetcher
from ossmeta.sources.registry_records import NotModified, canonical, not_modified, raw_record

__all__ = [
    "ACCEPT_FULL",
    "DEFAULT_CHANGES_LIMIT",
    "KIND_PACKUMENT",
    "README_LIMIT",
    "SOURCE_ID",
    "ChangesPage",
    "Fetch",
    "NotModified",
    "canonical",
    "changes_since",
    "changes_url",
    "fetch_packument",
    "iter_changes",
    "packument_url",
    "update_seq",
]

SOURCE_ID = "npm"
KIND_PACKUMENT = "npm-packument"
# The full document; "application/vnd.npm.install-v1+json" would give the abbreviated
# install format, which has no licence, repository, maintainers or readme.
ACCEPT_FULL = "application/json"
README_LIMIT = 32 * 1024  # bytes of UTF-8; see the module docstring
DEFAULT_CHANGES_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Fetch(registry_records.Fetch):
    """A packument fetched: the raw record and the validators for the next conditional GET.

    ``unpublished`` is true for the stub the registry keeps after a whole package is
    unpublished (``time.unpublished`` and no ``versions``): a valid record, not an error.
    ``dropped`` lists the readme fields left out for size (``readme``,
    ``versions["1.0.0"].readme``)."""

    unpublished: bool = False
    dropped: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ChangesPage:
    """One page of the replication changes feed.

    ``changed`` and ``deleted`` hold package names in the order of their first appearance
    on the page, each name once; a name's last event on the page decides which of the two
    it is in. Design documents (``_design/...``) are skipped. ``last_seq`` is the cursor for
    the next page, kept as an opaque string; ``rows`` counts the results as served (before
    skipping and de-duplication), which is what paging compares against the limit."""

    url: str
    since: str
    changed: tuple[str, ...]
    deleted: tuple[str, ...]
    last_seq: str
    rows: int


def packument_url(base_url: str, name: str) -> str:
    """The packument URL of ``name`` under ``base_url``.

    A scoped name keeps its ``@`` and has its slash encoded (``@scope%2fname``): that is
    the form the registry routes as one document, where a raw slash would be read as a path
    (``/@scope/name`` is answered as a version lookup by some registries)."""
    if not name or name != name.strip():
        raise SourceError(f"not an npm package name: {name!r}", path=base_url)
    base = base_url.rstrip("/")
    if name.startswith("@") and "/" in name:
        scope, _, rest = name[1:].partition("/")
        return f"{base}/@{quote(scope, safe='')}%2f{quote(rest, safe='')}"
    return f"{base}/{quote(name, safe='')}"


def _load_object(body: bytes, url: str, what: str) -> dict[str, object]:
    try:
        loaded = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise SourceError(f"malformed JSON in {what}: {error}", path=url) from None
    if not isinstance(loaded, dict):
        raise SourceError(f"{what} is not a JSON object", path=url)
    return loaded


def _oversized(value: object, limit: int) -> bool:
    return isinstance(value, str) and len(value.encode("utf-8")) > limit


def _drop_readmes(payload: dict[str, object], limit: int) -> tuple[str, ...]:
    """Remove readme bodies over ``limit`` bytes in place; return where they were."""
    dropped: list[str] = []
    if _oversized(payload.get("readme"), limit):
        del payload["readme"]
        dropped.append("readme")
    versions = payload.get("versions")
    if isinstance(versions, dict):
        for version, manifest in versions.items():
            if isinstance(manifest, dict) and _oversized(manifest.get("readme"), limit):
                del manifest["readme"]
                dropped.append(f"versions[{orjson.dumps(version).decode()}].readme")
    return tuple(dropped)


def _is_unpublished(payload: dict[str, object]) -> bool:
    time = payload.get("time")
    return isinstance(time, dict) and "unpublished" in time and not payload.get("versions")


async def fetch_packument(
    fetcher: Fetcher,
    base_url: str,
    name: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    readme_limit: int = README_LIMIT,
) -> Fetch | NotModified:
    """GET the full packument of ``name``; with ``etag`` / ``last_modified`` the request is
    conditional and an unchanged packument comes back as ``NotModified``.

    Raises ``SourceError`` for a body that is not a JSON object or a packument whose
    ``name`` is not ``name`` (a misrouted mirror must not file one package under another);
    the fetcher's ``FetchError`` subclasses (``NotFound`` for 404) propagate unchanged."""
    url = packument_url(base_url, name)
    fetched = await fetcher.get(url, etag=etag, last_modified=last_modified, accept=ACCEPT_FULL)
    if fetched.not_modified:
        return not_modified(fetched)
    payload = _load_object(fetched.body, fetched.url, "packument")
    given = payload.get("name")
    if given != name:
        raise SourceError(f"packument names {given!r}, not the requested {name!r}", path=url)
    dropped = _drop_readmes(payload, readme_limit)
    time = payload.get("time")
    modified = time.get("modified") if isinstance(time, dict) else None
    record = raw_record(
        SOURCE_ID,
        KIND_PACKUMENT,
        name,
        modified if isinstance(modified, str) else None,
        payload,
        fetched.url,
    )
    return Fetch(record, fetched.etag, fetched.last_modified, _is_unpublished(payload), dropped)


def changes_url(replicate_url: str, since: str | int, limit: int) -> str:
    """``{replicate}/_changes?since=<seq>&limit=<n>``; the sequence is encoded, since older
    CouchDB sequences are strings with characters a query string cannot carry raw."""
    return f"{replicate_url.rstrip('/')}/_changes?since={quote(str(since), safe='')}&limit={limit}"


def _seq(value: object, url: str) -> str:
    # bool is an int subclass; true is no sequence number.
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return str(value)
    raise SourceError(
        f"changes feed sequence is neither a number nor a string: {value!r}", path=url
    )


def _page(body: bytes, url: str, since: str) -> ChangesPage:
    feed = _load_object(body, url, "changes feed")
    results = feed.get("results")
    if not isinstance(results, list):
        raise SourceError("changes feed has no 'results' list", path=url)
    last_event: dict[str, bool] = {}  # name -> deleted?, in order of first appearance
    last_row_seq: str | None = None
    for row in results:
        if not isinstance(row, dict) or not isinstance(row.get("id"), str):
            raise SourceError(f"changes feed row without a string 'id': {row!r:.200}", path=url)
        if "seq" in row:
            last_row_seq = _seq(row["seq"], url)
        doc_id: str = row["id"]
        if doc_id.startswith("_design/"):
            continue  # CouchDB's own view and validation documents, not packages
        last_event[doc_id] = row.get("deleted") is True
    if "last_seq" in feed:
        last_seq = _seq(feed["last_seq"], url)
    else:
        # Every CouchDB version sends last_seq; a proxy that strips it still leaves the
        # rows' own sequences, and with no rows the cursor stays where it was.
        last_seq = last_row_seq if last_row_seq is not None else since
    return ChangesPage(
        url=url,
        since=since,
        changed=tuple(name for name, deleted in last_event.items() if not deleted),
        deleted=tuple(name for name, deleted in last_event.items() if deleted),
        last_seq=last_seq,
        rows=len(results),
    )


async def changes_since(
    fetcher: Fetcher, replicate_url: str, since: str | int, *, limit: int = DEFAULT_CHANGES_LIMIT
) -> ChangesPage:
    """One page of changes after sequence ``since`` (0: from the beginning). Sequences are
    integers on the current feed and strings on older CouchDB feeds; both are accepted
    and the cursor comes back as an opaque string to hand to the next call."""
    if limit < 1:
        # CouchDB reads limit=0 as 1; asking for it is a caller's mistake, not a page size.
        raise ValueError("limit must be at least 1")
    cursor = _seq(since, replicate_url)
    url = changes_url(replicate_url, cursor, limit)
    fetched = await fetcher.get(url, accept="application/json")
    return _page(fetched.body, fetched.url, cursor)


async def iter_changes(
    fetcher: Fetcher, replicate_url: str, since: str | int, *, limit: int = DEFAULT_CHANGES_LIMIT
) -> AsyncIterator[ChangesPage]:
    """Every page after ``since``, in order, until a page comes back empty (not yielded)
    or shorter than ``limit`` (yielded, then stop). A caller stores ``page.last_seq`` after
    handling each page, so an interrupted sync resumes at the first unhandled page.

    A name may appear on several pages (changed, then deleted later); pages must be
    applied in order. A full page whose ``last_seq`` equals its ``since`` is a feed that
    does not advance, a ``SourceError`` rather than an endless loop."""
    cursor = _seq(since, replicate_url)
    while True:
        page = await changes_since(fetcher, replicate_url, cursor, limit=limit)
        if page.rows == 0:
            return
        yield page
        if page.rows < limit:
            return
        if page.last_seq == cursor:
            raise SourceError(f"changes feed does not advance past {cursor!r}", path=page.url)
        cursor = page.last_seq


async def update_seq(fetcher: Fetcher, replicate_url: str) -> str:
    """The feed's current sequence (CouchDB's ``update_seq`` on the database root): where
    a sync that has no cursor yet starts, so that it follows changes from now on."""
    url = replicate_url.rstrip("/") + "/"
    fetched = await fetcher.get(url, accept="application/json")
    root = _load_object(fetched.body, fetched.url, "changes feed root")
    if "update_seq" not in root:
        raise SourceError("changes feed root has no 'update_seq'", path=fetched.url)
    return _seq(root["update_seq"], fetched.url)
