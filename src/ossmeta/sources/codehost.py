"""Code-host REST API collector, source layer: one repository's documents in GitHub's REST
shape (v3 JSON) from a base URL the caller gives (GitHub Enterprise style
``https://host/api/v3``; hosts that copy the shape, later).

It yields what the API answered, with where it came from, and interprets nothing: which
documents become which events is ``normalizers.codehost_events``; what to ask for and when
to stop is ``pipelines.codehost_collect``.

Paging. A list is asked for once, by its first URL (``per_page=100``); every further page
is the URL the answer's ``Link: <...>; rel="next"`` header names, never one made up here.
A next link must stay on the API's origin (the token goes with every request, so a link
elsewhere is refused rather than followed) and must not repeat a page already read.

Conditional requests. A document or a list's first page may be asked for with the
validators of an earlier answer; a 304 comes back as ``Unchanged`` (for a list: the whole
list is as it was, since any change reaches its first page when it is sorted newest first).

The token, when there is one, goes as ``Authorization: Bearer`` on every request; it is
never part of a URL, a message or a ``repr``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import orjson

from ossmeta.errors import SourceError, UsageError
from ossmeta.model import RawRecord
from ossmeta.sources.http import Fetched, Fetcher
from ossmeta.sources.registry_records import raw_record

__all__ = [
    "ACCEPT",
    "KIND_REPO",
    "PER_PAGE",
    "SOURCE_ID",
    "CodeHostApi",
    "Document",
    "Page",
    "RepoRef",
    "Unchanged",
    "next_link",
    "parse_repo",
]

SOURCE_ID = "codehost"
KIND_REPO = "codehost-repo"
ACCEPT = "application/vnd.github+json"
PER_PAGE = 100

# GitHub's owner and repository names: letters, digits, '-', '_' and '.'. Refusing the rest
# before any request keeps a name from turning into another path ("..", "a/b", "%2e").
_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_HOST = re.compile(r"^[A-Za-z0-9.-]+(:[0-9]+)?$")
# One link-value of a Link header: <target> followed by its ;-parameters.
_LINK = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]*)*)")
_REL = re.compile(r"""(?:^|;)\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))""", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class RepoRef:
    """A repository as ossmeta names it: ``host/owner/name`` (``github.com/octo/widget``)."""

    host: str
    owner: str
    name: str

    @property
    def key(self) -> str:
        return f"{self.host}/{self.owner}/{self.name}"


def parse_repo(text: str) -> RepoRef:
    """``host/owner/name``, also written as a web URL or with ``.git``; a usage error
    otherwise (``owner/name`` alone does not say which host the events belong to)."""
    given = text.strip()
    bare = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", given).rstrip("/").removesuffix(".git")
    parts = bare.split("/")
    if (
        len(parts) != 3
        or not _HOST.match(parts[0])
        or not all(_NAME.match(p) and p not in (".", "..") for p in parts[1:])
    ):
        raise UsageError(f"{given!r} is not a repository: write host/owner/name")
    return RepoRef(parts[0].lower(), parts[1], parts[2])


@dataclass(frozen=True, slots=True)
class Unchanged:
    """A 304: what the caller holds for ``url`` is current; ``date`` is the server's."""

    url: str
    etag: str | None
    last_modified: str | None
    date: str | None


@dataclass(frozen=True, slots=True)
class Document:
    """One JSON object as the API gave it, with the validators for asking again."""

    url: str
    payload: dict[str, Any]
    etag: str | None
    last_modified: str | None
    date: str | None

    def record(self, kind: str, external_id: str) -> RawRecord:
        """The document as a raw record (provenance: the URL and the content hash)."""
        return raw_record(SOURCE_ID, kind, external_id, None, self.payload, self.url)


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list: its items as given, in the API's order."""

    url: str
    items: tuple[Any, ...]
    etag: str | None
    last_modified: str | None
    date: str | None
    next_url: str | None
    number: int  # 1 for the first page


def next_link(header: str | None) -> str | None:
    """The target of the ``rel="next"`` link in a ``Link`` header (RFC 8288), if any."""
    if not header:
        return None
    for match in _LINK.finditer(header):
        for rel in _REL.finditer(match.group(2)):
            names = (rel.group(1) or rel.group(2) or "").lower().split()
            if "next" in names:
                return match.group(1).strip()
    return None


class CodeHostApi:
    """GETs against one repository of a GitHub-shaped REST API through a ``Fetcher``.

    ``on_request`` is called once per answer (a progress bar's tick); ``requests`` and
    ``not_modified`` count the answers.
    """

    def __init__(
        self,
        fetcher: Fetcher,
        api_url: str,
        repo: RepoRef,
        *,
        token: str | None = None,
        on_request: Callable[[], None] | None = None,
    ) -> None:
        base = httpx.URL(api_url.strip().rstrip("/"))
        if base.scheme not in ("http", "https") or not base.host:
            raise UsageError(f"the API URL must be http(s): {api_url!r}")
        self.base = str(base)
        self.repo = repo
        self._origin = (base.scheme, base.host, base.port)
        self._fetcher = fetcher
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._on_request = on_request
        self.requests = 0
        self.not_modified = 0

    @property
    def concurrency(self) -> int:
        """How many requests the fetcher lets through at once."""
        return self._fetcher.settings.max_concurrency

    def __repr__(self) -> str:  # never the token
        return f"CodeHostApi({self.base!r}, {self.repo.key!r})"

    def url(self, path: str = "", **params: str | int) -> str:
        """``{api}/repos/{owner}/{name}{path}?{params}``; ``path`` starts with ``/``."""
        owner, name = quote(self.repo.owner, safe=""), quote(self.repo.name, safe="")
        query = f"?{urlencode(params)}" if params else ""
        return f"{self.base}/repos/{owner}/{name}{path}{query}"

    def list_url(self, path: str, **params: str | int) -> str:
        """A list's first URL: ``per_page=100`` after the given parameters."""
        return self.url(path, **params, per_page=PER_PAGE)

    async def _get(self, url: str, validators: tuple[str | None, str | None] | None) -> Fetched:
        etag, last_modified = validators or (None, None)
        fetched = await self._fetcher.get(
            url, etag=etag, last_modified=last_modified, accept=ACCEPT, headers=self._headers
        )
        self.requests += 1
        self.not_modified += fetched.not_modified
        if self._on_request is not None:
            self._on_request()
        return fetched

    async def document(
        self, url: str, validators: tuple[str | None, str | None] | None = None
    ) -> Document | Unchanged:
        """One JSON object; ``Unchanged`` on a 304 to a conditional request."""
        fetched = await self._get(url, validators)
        if fetched.not_modified:
            return _unchanged(url, fetched)
        payload = _json(fetched)
        if not isinstance(payload, dict):
            raise SourceError(f"expected a JSON object, got {_shape(payload)}", path=url)
        return Document(
            url, payload, fetched.etag, fetched.last_modified, fetched.headers.get("date")
        )

    async def pages(
        self, url: str, validators: tuple[str | None, str | None] | None = None
    ) -> AsyncGenerator[Page | Unchanged, None]:
        """A list, page by page, following ``rel="next"``; the first page is conditional
        on ``validators`` and a 304 yields one ``Unchanged`` and ends the list. The caller
        may stop early (break): no further page is fetched."""
        seen = {url}
        current: str | None = url
        number = 0
        while current is not None:
            number += 1
            fetched = await self._get(current, validators if number == 1 else None)
            if fetched.not_modified:
                yield _unchanged(current, fetched)
                return
            payload = _json(fetched)
            if not isinstance(payload, list):
                raise SourceError(f"expected a JSON array, got {_shape(payload)}", path=current)
            following = self._next(current, fetched.headers.get("link"))
            if following is not None:
                if following in seen:
                    raise SourceError(f"the next link repeats a page: {following}", path=current)
                seen.add(following)
            yield Page(
                current,
                tuple(payload),
                fetched.etag,
                fetched.last_modified,
                fetched.headers.get("date"),
                following,
                number,
            )
            current = following

    def _next(self, current: str, header: str | None) -> str | None:
        target = next_link(header)
        if target is None:
            return None
        try:
            resolved = httpx.URL(current).join(target)
        except httpx.InvalidURL:
            raise SourceError(f"unreadable next link {target!r}", path=current) from None
        if (resolved.scheme, resolved.host, resolved.port) != self._origin:
            # The token would go with the request: a link off the API's origin is refused.
            raise SourceError(f"the next link leaves the API's origin: {target}", path=current)
        return str(resolved)


def _unchanged(url: str, fetched: Fetched) -> Unchanged:
    return Unchanged(url, fetched.etag, fetched.last_modified, fetched.headers.get("date"))


def _json(fetched: Fetched) -> object:
    try:
        return orjson.loads(fetched.body)
    except orjson.JSONDecodeError as error:
        raise SourceError(f"invalid JSON: {error}", path=fetched.url) from None


def _shape(value: object) -> str:
    return "null" if value is None else type(value).__name__
