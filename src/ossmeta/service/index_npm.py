"""An npm index: upstream's packuments, gated by the index's policy, and tarballs verified
against upstream's integrity before they are served.

Served documents are built once per (upstream packument, decision inputs) and kept in a
bounded LRU with their strong ETags; a decision's ``valid_until`` forces a rebuild when it
passes. Upstream is revalidated with its ETag (at most every ``revalidate_after`` seconds);
when it cannot be reached, what the store holds keeps being served, and a denied version
stays denied, since decisions are made on the cached packument the same way."""

from __future__ import annotations

import gzip
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import orjson

from ossmeta.analyses.policy.model import Decider
from ossmeta.errors import ForbiddenError, NotFoundError, UnavailableError
from ossmeta.service.index_decider import decider_for, policy_marker
from ossmeta.service.index_npm_document import (
    Built,
    abbreviated,
    build,
    releases,
    tarball_filename,
)
from ossmeta.service.index_npm_hardened import (
    hardened_marker,
    hardened_rows,
    hardened_versions,
    merged,
)
from ossmeta.sources.npm_registry import Gone, NotModified, UpstreamRegistry
from ossmeta.store.blobs import BlobMismatch, BlobStore, sri_hex
from ossmeta.store.engine import Store
from ossmeta.store.hardened import HardenedRow
from ossmeta.store.indexes import IndexDefinition, load_index
from ossmeta.store.npm_cache import (
    CachedTarball,
    load_packument,
    load_tarball,
    save_packument,
    save_tarball,
)
from ossmeta.store.tenancy import global_transaction

__all__ = ["NpmIndex", "PolicyDenied", "Served"]

log = logging.getLogger(__name__)

DeciderFactory = Callable[[Store, IndexDefinition, datetime], Decider]
Marker = Callable[[Store, IndexDefinition, str], str]


class PolicyDenied(ForbiddenError):
    """The policy denies this version: its tarball is refused with the reason."""


@dataclass(frozen=True)
class Served:
    body: bytes
    etag: str
    gzipped: bytes  # compressed once here, not by the middleware on every answer


def _served(document: dict[str, Any]) -> Served:
    body = orjson.dumps(document)
    tag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
    return Served(body, tag, gzip.compress(body, compresslevel=6, mtime=0))


@dataclass(frozen=True)
class _Entry:
    source: str  # SHA-256 of upstream's packument bytes
    marker: str
    checked: float  # monotonic time upstream and the marker were last looked at
    upstream: dict[str, Any]
    built: Built
    full: Served
    corgi: Served
    hardened: dict[str, Path]  # hardened version -> its tarball in the blob store
    hardened_key: str  # the hardened rows it was built with (``hardened_marker``)


def _size(entry: _Entry) -> int:
    return sum(len(s.body) + len(s.gzipped) for s in (entry.full, entry.corgi))


def _parse(name: str, body: bytes) -> dict[str, Any]:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise UnavailableError(f"{name}: upstream sent a packument that is not JSON") from None
    if not isinstance(document, dict):
        raise UnavailableError(f"{name}: upstream sent a packument that is not an object")
    return document


class NpmIndex:
    """The npm indexes of one store (each request names its index)."""

    def __init__(
        self,
        store: Store,
        *,
        blobs: BlobStore | None = None,
        upstream: UpstreamRegistry | None = None,
        decider: DeciderFactory = decider_for,
        marker: Marker = policy_marker,
        revalidate_after: float = 0.0,
        max_entries: int = 512,
        max_bytes: int = 128 * 1024 * 1024,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.blobs = blobs or BlobStore()
        self.upstream = upstream or UpstreamRegistry()
        self.decider = decider
        self.marker = marker
        self.revalidate_after = revalidate_after
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.clock = clock
        self._entries: OrderedDict[tuple[str, str, str], _Entry] = OrderedDict()
        self._bytes = 0
        self._definitions: dict[str, tuple[float, IndexDefinition]] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ documents

    def definition(self, index: str) -> IndexDefinition:
        """The npm index named ``index``, kept as long as upstream documents are (indexes
        are added, not changed)."""
        now = time.monotonic()
        with self._lock:
            kept = self._definitions.get(index)
        if kept is not None and now - kept[0] < self.revalidate_after:
            return kept[1]
        with global_transaction(self.store) as tx:
            found = load_index(tx, index)
        if found is None or found.ecosystem != "npm":
            raise NotFoundError(f"no npm index named {index!r}")
        with self._lock:
            self._definitions[index] = (now, found)
        return found

    def packument(self, index: str, name: str, tarball_base: str, *, corgi: bool) -> Served:
        """The served packument of ``name`` (abbreviated when ``corgi``)."""
        entry = self._entry(self.definition(index), name, tarball_base)
        return entry.corgi if corgi else entry.full

    def _fetch(self, definition: IndexDefinition, name: str) -> bytes:
        """Upstream's packument bytes: revalidated, else the stored ones when upstream is
        unreachable; NotFoundError when upstream has (or had, last we knew) none."""
        with global_transaction(self.store) as tx:
            held = load_packument(tx, definition.name, name)
        try:
            got = self.upstream.packument(
                definition.upstream, name, held.etag if held and held.body else None
            )
        except UnavailableError as error:
            if held is None:
                raise
            if held.body is None:  # deleted upstream, last we knew
                raise NotFoundError(
                    f"{name}: not in the upstream of index {definition.name!r}"
                ) from None
            log.warning("npm index %s: serving the stored %s (%s)", definition.name, name, error)
            return held.body
        now = self.clock()
        if isinstance(got, NotModified):
            assert held is not None and held.body is not None  # only asked with its ETag
            return held.body  # nothing to write: concurrent readers never wait on a write
        if isinstance(got, Gone):
            body: bytes | None = None
            etag: str | None = None
        else:
            body, etag = got.body, got.etag
        with global_transaction(self.store) as tx:
            save_packument(tx, definition.name, name, body, etag, now)
        if body is None:
            raise NotFoundError(f"{name}: not in the upstream of index {definition.name!r}")
        return body

    def _entry(self, definition: IndexDefinition, name: str, base: str) -> _Entry:
        """The kept entry while upstream's document, the decision inputs and every
        decision's validity are unchanged; else one built anew. Upstream is asked again
        only after ``revalidate_after`` seconds; the decision inputs on every request, so
        that a policy change reaches npm at once. Hardened releases are looked up with
        upstream's document (adding one is seen within ``revalidate_after`` seconds)."""
        key = (definition.name, name, base)
        with self._lock:
            held = self._entries.get(key)
        now_mono = time.monotonic()
        now = self.clock()
        marker = self.marker(self.store, definition, name)
        recent = held is not None and now_mono - held.checked < self.revalidate_after
        rows: list[HardenedRow] | None = None
        if recent and held is not None:
            source, document, checked = held.source, held.upstream, held.checked
            found = held.hardened_key
        else:
            body = self._fetch(definition, name)
            source, document, checked = hashlib.sha256(body).hexdigest(), None, now_mono
            rows = hardened_rows(self.store, name)
            found = hardened_marker(rows)
        if (
            held is not None
            and held.source == source
            and held.marker == marker
            and held.hardened_key == found
            and (held.built.valid_until is None or now < held.built.valid_until)
        ):
            if checked == held.checked:
                return held
            entry = _Entry(
                source,
                marker,
                checked,
                held.upstream,
                held.built,
                held.full,
                held.corgi,
                held.hardened,
                held.hardened_key,
            )
        else:
            if document is None:
                document = _parse(name, body)
            if rows is None:
                rows = hardened_rows(self.store, name)
            entry = self._build(
                definition, name, base, document, source, marker, now, checked, rows
            )
        self._put(key, entry)
        return entry

    def _build(
        self,
        definition: IndexDefinition,
        name: str,
        base: str,
        document: dict[str, Any],
        source: str,
        marker: str,
        now: datetime,
        checked: float,
        rows: Sequence[HardenedRow],
    ) -> _Entry:
        # Hardened versions are decided by the policy like upstream's, in one call.
        hardened = hardened_versions(rows, self.blobs)
        listing = merged(document, hardened)
        listed = releases(name, listing)
        decisions = list(self.decider(self.store, definition, now)(listed))
        replaces = {h.version: h.upstream_version for h in hardened}
        built = build(name, listing, decisions, base, replaces)
        return _Entry(
            source,
            marker,
            checked,
            document,
            built,
            _served(built.full),
            _served(abbreviated(built.full)),
            {h.version: h.path for h in hardened if h.version not in document.get("versions", {})},
            hardened_marker(rows),
        )

    def _put(self, key: tuple[str, str, str], entry: _Entry) -> None:
        size = _size(entry)
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= _size(old)
            self._entries[key] = entry
            self._bytes += size
            while self._entries and (
                len(self._entries) > self.max_entries or self._bytes > self.max_bytes
            ):
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= _size(dropped)

    # ------------------------------------------------------------------ tarballs

    def tarball(self, index: str, name: str, filename: str, tarball_base: str) -> Path:
        """The verified tarball file; PolicyDenied for a denied version, NotFoundError for
        one not served, BlobMismatch when upstream's bytes differ from its integrity."""
        definition = self.definition(index)
        entry = self._entry(definition, name, tarball_base)
        served = entry.built.full["versions"]
        version = next((v for v in served if tarball_filename(name, v) == filename), None)
        if version is None:
            raise NotFoundError(f"{name}: no served version has the tarball {filename}")
        decision = entry.built.decisions[version]
        if decision.enforced == "deny":
            raise PolicyDenied(f"{name}@{version}: {decision.summary()}")
        if version in entry.hardened:  # the foundation's own build: no upstream to ask
            own = entry.hardened[version]
            if not own.is_file():
                raise UnavailableError(f"{name}@{version}: the hardened tarball is missing")
            return own
        dist = entry.upstream["versions"][version].get("dist") or {}
        listed = str(dist.get("integrity") or "")
        expected: dict[str, str] = {}
        parsed = sri_hex(listed) if listed else None
        if parsed is not None:
            expected[parsed[0]] = parsed[1]
        if isinstance(dist.get("shasum"), str):
            expected["sha1"] = dist["shasum"]
        if not expected:
            raise UnavailableError(f"{name}@{version}: upstream lists no integrity to check")
        recorded = listed or f"sha1:{expected['sha1']}"
        with global_transaction(self.store) as tx:
            cached = load_tarball(tx, definition.name, name, version)
        if cached is not None and cached.integrity == recorded:
            path = self.blobs.find(cached.sha256)
            if path is not None:
                return path
        url = urljoin(definition.upstream, str(dist.get("tarball") or ""))
        try:
            with self.upstream.tarball(url) as chunks:
                blob = self.blobs.put(chunks, expected, what=f"{name}@{version} ({url})")
        except BlobMismatch as error:
            log.warning("npm index %s: refused %s", definition.name, error)
            raise
        with global_transaction(self.store) as tx:
            save_tarball(
                tx,
                definition.name,
                name,
                version,
                CachedTarball(blob.sha256, recorded),
                self.clock(),
            )
        return blob.path
