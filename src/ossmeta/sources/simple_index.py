"""The upstream of a Python index: any PEP 691 simple repository, asked for JSON (PEP 700's
upload times exist only there), revalidated with ``If-None-Match``.

Pages and metadata come back as bytes (the normalizer reads them); files are streamed so a
large wheel never sits in memory. Anything that keeps an answer from arriving (refused
connection, timeout, a 5xx) is ``UpstreamUnavailable``: the index then serves what it kept."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from ossmeta import __version__
from ossmeta.errors import UnavailableError

__all__ = ["JSON_PAGE", "PageFetch", "SimpleIndexClient", "UpstreamUnavailable"]

JSON_PAGE = "application/vnd.pypi.simple.v1+json"


class UpstreamUnavailable(UnavailableError):
    """The upstream could not answer (down, unreachable, timing out, a 5xx)."""


@dataclass(frozen=True, slots=True)
class PageFetch:
    status: str  # "fresh" | "not-modified" | "missing"
    body: bytes
    etag: str | None
    serial: str | None  # PyPI's X-PyPI-Last-Serial, when sent


class SimpleIndexClient:
    """One upstream, by its simple root (``…/simple/``)."""

    def __init__(
        self, root: str, *, timeout: float = 10.0, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.root = root if root.endswith("/") else root + "/"
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            transport=transport,
            headers={"User-Agent": f"ossmeta/{__version__}"},
            follow_redirects=True,
        )

    def close(self) -> None:
        self._client.close()

    def page_url(self, project: str) -> str:
        return urljoin(self.root, f"{project}/")

    def _get(self, url: str, headers: dict[str, str]) -> httpx.Response:
        try:
            response = self._client.get(url, headers=headers)
        except httpx.HTTPError as exc:
            raise UpstreamUnavailable(f"{url}: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500:
            raise UpstreamUnavailable(f"{url}: upstream answered {response.status_code}")
        return response

    def project_page(self, project: str, etag: str | None) -> PageFetch:
        """The JSON page of a normalized ``project``; ``not-modified`` when ``etag`` still
        holds, ``missing`` when upstream has no such project."""
        headers = {"Accept": JSON_PAGE}
        if etag:
            headers["If-None-Match"] = etag
        url = self.page_url(project)
        response = self._get(url, headers)
        serial = response.headers.get("x-pypi-last-serial")
        if response.status_code == 304:
            return PageFetch("not-modified", b"", etag, serial)
        if response.status_code in (404, 410):
            return PageFetch("missing", b"", None, serial)
        if response.status_code != 200:
            raise UpstreamUnavailable(f"{url}: upstream answered {response.status_code}")
        kind = response.headers.get("content-type", "").split(";")[0].strip()
        if kind != JSON_PAGE:
            raise UpstreamUnavailable(f"{url}: upstream answered {kind or 'no type'}, not JSON")
        return PageFetch("fresh", response.content, response.headers.get("etag"), serial)

    def small(self, url: str) -> bytes | None:
        """A small document (``.metadata``, ``/pypi/<name>/json``); None when absent."""
        response = self._get(url, {})
        if response.status_code != 200:
            return None
        return response.content

    def project_json(self, project: str) -> bytes | None:
        """``/pypi/<project>/json`` beside the simple root, where the upstream serves it."""
        return self.small(urljoin(self.root, f"../pypi/{project}/json"))

    def release_json(self, project: str, version: str) -> bytes | None:
        """``/pypi/<project>/<version>/json``, where the upstream serves it."""
        return self.small(urljoin(self.root, f"../pypi/{project}/{version}/json"))

    @contextmanager
    def stream(self, url: str) -> Iterator[Iterator[bytes]]:
        """The bytes of the file at ``url``, in chunks."""
        try:
            with self._client.stream("GET", url) as response:
                if response.status_code != 200:
                    raise UpstreamUnavailable(f"{url}: upstream answered {response.status_code}")
                yield response.iter_bytes(1 << 16)
        except httpx.HTTPError as exc:
            raise UpstreamUnavailable(f"{url}: {type(exc).__name__}: {exc}") from exc
