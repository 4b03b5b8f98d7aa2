"""The rendered package documents the API answers most, kept between requests.

Each entry is the document, its JSON body and its ETag, kept under the store's marker of the
package (``ossmeta.store.packages.PackageMarker``). A request still reads the marker (one
query); while it is the same, the entry is answered as it is, so a sync, a normalize run, an
approved curation or a new dependent shows on the next request. The cache is bounded in
entries and in bytes, least recently used first out, and shared by the server's threads."""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from ossmeta.service import public
from ossmeta.store import Store
from ossmeta.store.packages import PackageMarker
from ossmeta.surfaces.api.etags import render
from ossmeta.surfaces.api.settings import GZIP_MIN_SIZE

__all__ = ["PackageCache", "RenderedPackage"]


@dataclass(frozen=True, slots=True)
class RenderedPackage:
    marker: PackageMarker
    document: dict[str, Any]  # shared between requests: read, never changed
    body: bytes
    etag: str
    gzipped: bytes | None  # the body compressed, when long enough to be

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped or b"")


class PackageCache:
    """The kept documents of the packages in ``store``."""

    def __init__(self, store: Store, max_entries: int, max_bytes: int) -> None:
        self.store = store
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

    def get(self, purl: str) -> RenderedPackage | None:
        """The rendered package ``purl`` names, from the cache while the store's marker is
        the same, else read and rendered anew; None when the store does not hold it."""
        key = public.package_key(purl)
        with self._lock:
            held = self._entries.get(key)
        found = public.marked_package_view(self.store, key, None if held is None else held.marker)
        if found is None:
            self._drop(key)
            return None
        if found.view is None:
            assert held is not None  # the view is left out only for the held marker
            self._touch(key)
            return held
        document = found.view.document()
        body, tag = render(document)
        # Compressed once here rather than by the middleware on every answer (at the
        # middleware's level, so the bytes are the same).
        packed = (
            gzip.compress(body, compresslevel=9, mtime=0) if len(body) >= GZIP_MIN_SIZE else None
        )
        rendered = RenderedPackage(found.marker, document, body, tag, packed)
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
                self._bytes -= gone.size

    def _put(self, key: str, rendered: RenderedPackage) -> None:
        if rendered.size > self.max_bytes:
            self._drop(key)  # answered, not kept: it alone would empty the cache
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._entries[key] = rendered
            self._bytes += rendered.size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.size
