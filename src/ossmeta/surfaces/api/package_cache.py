"""The rendered package documents the API answers most, kept between requests.

Each entry is the document, its JSON body and its ETag, kept under the store's marker of the
package (``ossmeta.store.packages.PackageMarker``). A request still reads the marker (one
query); while it is the same, the entry is answered as it is, so a sync, a normalize run, an
approved curation or a new dependent shows on the next request. The cache is bounded in
entries and in bytes, least recently used first out, and shared by the server's threads."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from ossmeta.service import public
from ossmeta.store import Store
from ossmeta.store.packages import PackageMarker
from ossmeta.surfaces.api.etags import render

__all__ = ["PackageCache", "RenderedPackage"]


@dataclass(frozen=True, slots=True)
class RenderedPackage:
    marker: PackageMarker
    document: dict[str, Any]  # shared between requests: read, never changed
    body: bytes
    etag: str


class PackageCache:
    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, RenderedPackage] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def get(self, store: Store, purl: str) -> RenderedPackage | None:
        """The rendered package ``purl`` names, from the cache while the store's marker is
        the same, else read and rendered anew; None when the store does not hold it."""
        key = public.package_key(purl)
        with self._lock:
            held = self._entries.get(key)
        found = public.marked_package_view(store, key, None if held is None else held.marker)
        if found is None:
            self._drop(key)
            return None
        if found.view is None:
            assert held is not None  # the view is left out only for the held marker
            self._touch(key)
            return held
        document = found.view.document()
        body, tag = render(document)
        rendered = RenderedPackage(found.marker, document, body, tag)
        self._put(key, rendered)
        return rendered

    def _touch(self, key: str) -> None:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)

    def _drop(self, key: str) -> None:
        with self._lock:
            gone = self._entries.pop(key, None)
            if gone is not None:
                self._bytes -= len(gone.body)

    def _put(self, key: str, rendered: RenderedPackage) -> None:
        if len(rendered.body) > self.max_bytes:
            self._drop(key)  # answered, not kept: it alone would empty the cache
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[key] = rendered
            self._bytes += len(rendered.body)
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body)
