"""An npm index's upstream, as the index proxies it: the FULL packument of a (scoped) name,
revalidated with its ETag, and tarballs streamed for verification.

Not the collector (``ossmeta.sources.npm``, which keeps raw records for the center): the
index needs upstream's bytes as sent and the answer "gone" (404) as a fact, since a
deletion upstream must propagate."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote

import httpx

from ossmeta.errors import UnavailableError

__all__ = [
    "ACCEPT_FULL",
    "Gone",
    "NotModified",
    "Packument",
    "UpstreamRegistry",
    "packument_url",
]

# The full document: the abbreviated one has no ``time`` map, no licence, no deprecation text.
ACCEPT_FULL = "application/json"
MAX_PACKUMENT = 64 * 1024 * 1024


@dataclass(frozen=True)
class Packument:
    body: bytes
    etag: str | None


@dataclass(frozen=True)
class NotModified:
    """Upstream confirmed the held ETag."""


@dataclass(frozen=True)
class Gone:
    """Upstream answers 404: the package does not exist (or was unpublished)."""


def packument_url(upstream: str, name: str) -> str:
    """``@scope/name`` is sent as ``@scope%2fname``, as npm itself sends it."""
    return upstream.rstrip("/") + "/" + quote(name, safe="@")


class UpstreamRegistry:
    """One shared HTTP client (keep-alive) per index surface."""

    def __init__(self, timeout: float = 30.0) -> None:
        self.client = httpx.Client(timeout=timeout, follow_redirects=True)

    def close(self) -> None:
        self.client.close()

    def packument(
        self, upstream: str, name: str, etag: str | None = None
    ) -> Packument | NotModified | Gone:
        url = packument_url(upstream, name)
        headers = {"Accept": ACCEPT_FULL}
        if etag:
            headers["If-None-Match"] = etag
        try:
            answer = self.client.get(url, headers=headers)
        except httpx.HTTPError as error:
            raise UnavailableError(f"{url}: {type(error).__name__}: {error}") from None
        if answer.status_code == 304 and etag:
            return NotModified()
        if answer.status_code in (404, 410):
            return Gone()
        if answer.status_code != 200:
            raise UnavailableError(f"{url}: HTTP {answer.status_code}")
        if len(answer.content) > MAX_PACKUMENT:
            raise UnavailableError(f"{url}: larger than {MAX_PACKUMENT} bytes")
        return Packument(answer.content, answer.headers.get("etag"))

    @contextmanager
    def tarball(self, url: str) -> Iterator[Iterator[bytes]]:
        """The tarball's bytes as they arrive; UnavailableError when upstream fails."""
        try:
            with self.client.stream("GET", url) as answer:
                if answer.status_code != 200:
                    raise UnavailableError(f"{url}: HTTP {answer.status_code}")
                yield answer.iter_bytes()
        except httpx.HTTPError as error:
            raise UnavailableError(f"{url}: {type(error).__name__}: {error}") from None
