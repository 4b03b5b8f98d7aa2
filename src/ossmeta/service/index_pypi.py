"""The Python indexes ossmeta serves: each project's page kept, built, and rebuilt only when
something it was built from changed.

An entry is kept per (index, project) with what it was built from: the policy marker, the
upstream page (by digest) and the uploaded files. A request reads the marker (one query);
the upstream is revalidated (``If-None-Match``) at most once per ``upstream_ttl`` seconds;
an entry whose decisions expire (``valid_until``) is rebuilt. When the upstream cannot be
reached, the page kept in the store is used: cached pages keep being served, decided anew."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from ossmeta.analyses.policy.model import Decider, allow_everything
from ossmeta.errors import NotFoundError
from ossmeta.normalizers.simple_pages import SimpleFile, parse_project_page
from ossmeta.service.index_decider import decider_for, policy_marker
from ossmeta.service.index_pypi_hardened import hardened_files
from ossmeta.service.index_pypi_licenses import read_licenses
from ossmeta.service.index_pypi_view import ProjectView, build_view
from ossmeta.sources.simple_index import SimpleIndexClient, UpstreamUnavailable
from ossmeta.store.blobs import BlobStore
from ossmeta.store.engine import Store
from ossmeta.store.index_cache import (
    KeptPage,
    keep_page,
    kept_licenses,
    kept_page,
    kept_projects,
    stored_files,
    uploaded_projects,
)
from ossmeta.store.indexes import IndexDefinition, load_index
from ossmeta.store.tenancy import global_transaction

__all__ = ["PythonIndexes"]

log = logging.getLogger("ossmeta.index")

DeciderFactory = Callable[[Store, IndexDefinition, datetime], Decider]
MarkerFactory = Callable[[Store, IndexDefinition, str], str]


@dataclass(frozen=True, slots=True)
class _Entry:
    view: ProjectView
    marker: str
    source: tuple[object, ...]  # the upstream page's digest and the uploaded files
    checked: float  # monotonic time of the last upstream revalidation


def _expired(view: ProjectView, now: datetime) -> bool:
    return view.valid_until is not None and now >= view.valid_until


class PythonIndexes:
    """Every Python index of ``store``, sharing one bounded cache of built pages."""

    def __init__(
        self,
        store: Store,
        blobs: BlobStore | None = None,
        *,
        upstream_ttl: float = 30.0,
        max_entries: int = 2048,
        client_factory: Callable[[str], SimpleIndexClient] = SimpleIndexClient,
        decider: DeciderFactory = decider_for,
        marker: MarkerFactory = policy_marker,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.blobs = blobs or BlobStore()
        self.upstream_ttl = upstream_ttl
        self.max_entries = max_entries
        self.decider = decider
        self.marker = marker
        self.clock = clock
        self._client_factory = client_factory
        self._clients: dict[str, SimpleIndexClient] = {}
        self._definitions: dict[str, IndexDefinition] = {}
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ lookups

    def definition(self, name: str) -> IndexDefinition:
        """The Python index ``name``; NotFoundError when there is none."""
        held = self._definitions.get(name)
        if held is not None:
            return held
        with global_transaction(self.store) as tx:
            found = load_index(tx, name)
        if found is None or found.ecosystem != "pypi":
            raise NotFoundError(f"no Python index named {name!r}")
        self._definitions[name] = found  # indexes are added, never changed
        return found

    def client(self, definition: IndexDefinition) -> SimpleIndexClient:
        with self._lock:
            client = self._clients.get(definition.upstream)
            if client is None:
                client = self._client_factory(definition.upstream)
                self._clients[definition.upstream] = client
            return client

    def close(self) -> None:
        for client in self._clients.values():
            client.close()

    def forget(self, index: str, project: str) -> None:
        """Drop the kept page (after an upload), so the next request rebuilds it."""
        with self._lock:
            self._entries.pop((index, project), None)

    def projects(self, index: str) -> list[str]:
        """The projects this index has served or was given (a proxy cannot list its
        upstream's whole catalogue cheaply)."""
        self.definition(index)
        with global_transaction(self.store) as tx:
            return sorted(set(kept_projects(tx, index)) | set(uploaded_projects(tx, index)))

    # ------------------------------------------------------------------ pages

    def project(self, index: str, project: str) -> ProjectView | None:
        """The project as the index serves it now; None when neither upstream nor an
        upload has it. UpstreamUnavailable when upstream is down and nothing was kept."""
        definition = self.definition(index)
        now = self.clock()
        marker = self.marker(self.store, definition, project)
        key = (index, project)
        with self._lock:
            held = self._entries.get(key)
            if held is not None:
                self._entries.move_to_end(key)
        recent = held is not None and time.monotonic() - held.checked < self.upstream_ttl
        if held is not None and recent and held.marker == marker and not _expired(held.view, now):
            return held.view
        page = self._upstream_page(definition, project, refresh=not recent)
        with global_transaction(self.store) as tx:
            uploads = stored_files(tx, index, project, origin="upload")
            licenses = kept_licenses(tx, index, project)
        # The foundation's hardened rebuilds are listed beside the upstream's own files.
        uploads += hardened_files(self.store, self.blobs, project)
        digest = None if page is None else hashlib.sha256(page.body).hexdigest()
        source = (digest, tuple((u.filename, u.sha256) for u in uploads))
        checked = time.monotonic() if not recent or held is None else held.checked
        if (
            held is not None
            and held.source == source
            and held.marker == marker
            and not _expired(held.view, now)
        ):
            self._put(key, _Entry(held.view, marker, source, checked))
            return held.view
        if page is None and not uploads:
            self.forget(index, project)
            return None
        files: tuple[SimpleFile, ...] = ()
        if page is not None:
            where = self.client(definition).page_url(project)
            files = parse_project_page(page.body, where, where).files
        decide = self.decider(self.store, definition, now)
        if decide is not allow_everything:  # only a policy may rule on licences
            licenses = read_licenses(self, definition, project, files, licenses, now)
        # An uploaded release's licence is the one its uploader declared.
        licenses = {**licenses, **{u.version: u.license for u in uploads if u.license}}
        view = build_view(project, files, uploads, licenses, decide)
        self._put(key, _Entry(view, marker, source, checked))
        return view

    def _upstream_page(
        self, definition: IndexDefinition, project: str, *, refresh: bool
    ) -> KeptPage | None:
        with global_transaction(self.store) as tx:
            kept = kept_page(tx, definition.name, project)
        if not refresh:
            return kept
        try:
            fetched = self.client(definition).project_page(
                project, None if kept is None else kept.etag
            )
        except UpstreamUnavailable as exc:
            if kept is None:
                with global_transaction(self.store) as tx:
                    has_uploads = bool(stored_files(tx, definition.name, project, "upload"))
                if has_uploads:
                    return None
                raise
            log.warning("index %s: serving the kept page of %s: %s", definition.name, project, exc)
            return kept
        if fetched.status == "not-modified" and kept is not None:
            return kept
        page = None
        if fetched.status == "fresh":
            page = KeptPage(fetched.body, fetched.etag, fetched.serial, self.clock())
        # An upstream deletion removes the project here too: it is not served from the kept copy.
        with global_transaction(self.store) as tx:
            keep_page(tx, definition.name, project, page)
        return page

    def _put(self, key: tuple[str, str], entry: _Entry) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
