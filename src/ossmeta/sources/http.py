"""The one HTTP client of ossmeta: every registry collector fetches through it.

``make_client`` is the single transport seam (production uses httpx's default transport,
tests pass their own); ``Fetcher`` adds what collectors need on top: retries with
exponential backoff and full jitter, ``Retry-After``, conditional requests, a per-host rate
limit, rate-limit waits (a spent quota's reset time), bounded concurrency and a response
size limit. ``fetch_all`` is its synchronous face.

Errors (all one line, ``URL: message``)::

    UnavailableError         (exit 4: the upstream or the network failed, not the input)
    └── FetchError           the URL could not be fetched
        ├── NotFound         404 or 410: the thing is not there (also a SourceError: exit 2)
        ├── AccessDenied     401 or 403
        ├── HttpStatusError  any other status or failure that retrying will not change
        ├── TooLarge         the body is over the size limit
        ├── Stalled          the body stopped coming (a Content-Length the server did not keep)
        ├── RateLimited      the server asked for a wait longer than the cap allows
        └── RetriesExhausted the last retry failed too, or the request deadline passed

Rate limits as GitHub-style hosts signal them: a 403 or 429 whose ``X-RateLimit-Remaining``
is 0 waits until ``X-RateLimit-Reset`` (bounded by ``rate_limit_max_wait``; beyond it,
``RateLimited`` at once, since retrying earlier is sure to be refused again); a 403, 429 or
503 with ``Retry-After`` (seconds or a date) waits that long if it is at most
``retry_after_cap``, and is ``RateLimited`` at once otherwise (sitting silently for a day is
worse than failing). A 403 with neither stays ``AccessDenied``.

Every wait goes through the injected ``Clock`` and is announced first, through the
``on_wait`` hook (the CLI prints it), with its length and reason. Attempts and backoff of
one request are bounded by ``request_deadline``; a body that stops coming fails after one
``read_timeout`` (``Stalled``), not retried: a server that promised more than it sends does
it again on the next attempt (six read timeouts plus backoff once made 193 s of silence).

Redirects are followed inside one attempt by httpx, so the rate limit counts an attempt,
not each hop of it.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType, TracebackType

import httpx

from ossmeta import __version__
from ossmeta.errors import SourceError, UnavailableError
from ossmeta.sources.http_pacing import (
    Clock,
    HostLimiter,
    RealClock,
    Wait,
    WaitHook,
    backoff_delay,
    parse_rate_limit_reset,
    parse_retry_after,
)

# Name and version only: the project has no public address to point to yet, and an invented
# one would send a registry's operators nowhere. A deployment adds its own contact through
# HttpSettings.user_agent.
USER_AGENT = f"ossmeta/{__version__}"
DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024

# Response headers a collector may need later (validators, caching, PyPI's serial, paging);
# keeping a fixed subset keeps Fetched small and its content predictable.
KEPT_HEADERS = frozenset(
    {"content-type", "content-length", "content-encoding", "date", "etag", "last-modified"}
    | {"cache-control", "expires", "age", "link", "x-pypi-last-serial"}
)


@dataclass(frozen=True, slots=True)
class HttpSettings:
    """How the client talks to registries. Times are seconds; the rate is requests per
    second per host (None: unlimited); ``max_retries`` counts retries after the first try."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    write_timeout: float = 30.0
    pool_timeout: float = 60.0
    # A read timeout is per chunk, so a server dripping bytes could hold a request for
    # ever; this bounds one attempt as a whole.
    attempt_timeout: float = 300.0
    max_retries: int = 5
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    # The longest Retry-After honoured; a server asking for more fails the request at once.
    retry_after_cap: float = 300.0
    # One request's attempts and backoff together (not waits the server asked for, which
    # have their own caps): the bound on how long a failing request can take.
    request_deadline: float = 600.0
    # The longest wait for a spent quota to reset (GitHub's window is an hour).
    rate_limit_max_wait: float = 3600.0
    rate_per_host: float | None = 10.0
    rate_burst: int = 1
    max_concurrency: int = 8
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_redirects: int = 10
    user_agent: str = USER_AGENT
    # Proxies and CA bundles from the environment (HTTPS_PROXY, SSL_CERT_FILE): wanted
    # behind a corporate proxy, unwanted in loopback tests.
    trust_env: bool = True

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must not be negative")
        if self.max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        if self.rate_per_host is not None and self.rate_per_host <= 0:
            raise ValueError("rate_per_host must be positive or None")
        if self.rate_burst < 1:
            raise ValueError("rate_burst must be at least 1")
        if self.max_body_bytes < 0:
            raise ValueError("max_body_bytes must not be negative")
        if self.rate_limit_max_wait < 0:
            raise ValueError("rate_limit_max_wait must not be negative")
        if self.retry_after_cap < 0:
            raise ValueError("retry_after_cap must not be negative")
        if self.request_deadline <= 0:
            raise ValueError("request_deadline must be positive")


def make_client(
    settings: HttpSettings | None = None, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The one way ossmeta builds an HTTP client: HTTP/1.1, redirects followed, timeouts
    and a connection pool sized to the concurrency bound. ``transport`` is the test seam
    (``httpx.MockTransport``, an ASGI app); None means real sockets."""
    s = settings or HttpSettings()
    return httpx.AsyncClient(
        transport=transport,
        http1=True,
        http2=False,
        follow_redirects=True,
        max_redirects=s.max_redirects,
        timeout=httpx.Timeout(
            connect=s.connect_timeout,
            read=s.read_timeout,
            write=s.write_timeout,
            pool=s.pool_timeout,
        ),
        limits=httpx.Limits(
            max_connections=s.max_concurrency, max_keepalive_connections=s.max_concurrency
        ),
        headers={"User-Agent": s.user_agent},
        trust_env=s.trust_env,
    )


@dataclass(frozen=True, slots=True)
class Fetched:
    """One successful GET (or POST). ``url`` is the final URL after redirects; on a 304
    ``not_modified`` is true, ``body`` is empty and the validators are the current ones."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    etag: str | None
    last_modified: str | None
    not_modified: bool
    elapsed: float
    attempts: int


class FetchError(UnavailableError):
    """A URL could not be fetched: the upstream or the network failed (exit 4); renders as
    ``URL: message``."""

    def __init__(
        self, message: str, *, url: str, status: int | None = None, attempts: int = 1
    ) -> None:
        super().__init__(message, path=url)
        self.url = url
        self.status = status
        self.attempts = attempts


class NotFound(FetchError, SourceError):
    """404 or 410: the package or file does not exist (or no longer does). Also a
    ``SourceError``: the user named something that is not there (exit 2)."""


class AccessDenied(FetchError):
    """401 or 403."""


class HttpStatusError(FetchError):
    """A status that retrying will not change (400, 405, 501, an unfollowed 3xx...)."""


class TooLarge(FetchError):
    """The body is larger than ``max_body_bytes``."""


class Stalled(FetchError):
    """The body stopped coming for a whole read timeout (the server declared more bytes
    than it sent, or hung mid-body)."""


class RetriesExhausted(FetchError):
    """Every attempt failed with a transient error, or the request deadline passed;
    names the last failure."""


class RateLimited(FetchError):
    """The server asked for a wait longer than allowed: a spent quota resetting after
    ``rate_limit_max_wait``, or a ``Retry-After`` over ``retry_after_cap``."""


class _Transient(Exception):
    """An attempt failed in a way another attempt may not (internal to ``Fetcher``).
    ``wait`` is what the server asked for (already checked against its cap) and ``asked``
    what it was (``429 Retry-After``)."""

    def __init__(
        self,
        reason: str,
        status: int | None = None,
        wait: float | None = None,
        asked: str = "",
    ):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.wait = wait
        self.asked = asked


# 501 and 505 say the server cannot do this at all; every other 5xx may pass.
_PERMANENT_5XX = frozenset({501, 505})
_HONOURS_RETRY_AFTER = frozenset({429, 503})


class Fetcher:
    """GETs (and the odd POST) with retries, pacing and limits over one ``httpx.AsyncClient``.

    Use as ``async with Fetcher(settings) as fetcher: await fetcher.get(url)``. A client
    passed in stays the caller's to close; otherwise the fetcher makes one (through
    ``make_client``, with ``transport`` if given) and closes it. ``clock`` and ``rng``
    are for tests of backoff and rate limits; ``on_wait`` hears of every wait before it.
    """

    def __init__(
        self,
        settings: HttpSettings | None = None,
        *,
        client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        on_wait: WaitHook | None = None,
    ) -> None:
        if client is not None and transport is not None:
            raise ValueError("pass a client or a transport, not both")
        self.settings = settings or HttpSettings()
        self._owns_client = client is None
        self._client = client if client is not None else make_client(self.settings, transport)
        self._clock: Clock = clock or RealClock()
        self._rng = rng or random.Random()
        self._on_wait = on_wait
        self._limiter = HostLimiter(
            self.settings.rate_per_host, self.settings.rate_burst, self._clock
        )
        self._slots = asyncio.Semaphore(self.settings.max_concurrency)

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Fetched:
        """GET ``url``; with ``etag`` / ``last_modified`` the request is conditional and a
        304 comes back as ``not_modified=True``. ``headers`` are sent as given (an
        ``Authorization``: httpx drops it on a redirect to another origin). Raises a
        ``FetchError`` subclass."""
        sent = dict(headers or {})
        if etag is not None:
            sent["If-None-Match"] = etag
        if last_modified is not None:
            sent["If-Modified-Since"] = last_modified
        if accept is not None:
            sent["Accept"] = accept
        return await self._request("GET", url, sent, None, etag, last_modified)

    async def post(
        self, url: str, body: bytes, *, content_type: str, accept: str | None = None
    ) -> Fetched:
        """POST ``body`` to ``url`` with the same retries, pacing and limits as a GET.

        Only for requests that are safe to repeat (a read-only XML-RPC call such as
        PyPI's ``changelog_since_serial``): a retry after a timeout may deliver the body
        twice. Raises a ``FetchError`` subclass."""
        headers = {"Content-Type": content_type}
        if accept is not None:
            headers["Accept"] = accept
        return await self._request("POST", url, headers, body, None, None)

    async def _request(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        content: bytes | None,
        etag: str | None,
        last_modified: str | None,
    ) -> Fetched:
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as error:
            raise HttpStatusError(f"invalid URL: {error}", url=url, attempts=0) from None
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise HttpStatusError("not an http(s) URL", url=url, attempts=0)
        host = f"{parsed.host}:{parsed.port}" if parsed.port else parsed.host

        started = self._clock.now()
        asked_for = 0.0  # seconds waited because the server asked: outside the deadline
        attempts = 0
        while True:
            attempts += 1
            spent = self._clock.now() - started - asked_for
            budget = self.settings.request_deadline - spent
            try:
                response = await self._attempt(
                    method, url, host, headers, content, attempts, budget
                )
            except _Transient as failure:
                spent = self._clock.now() - started - asked_for
                if failure.wait is not None:
                    delay, why = failure.wait, f"host asked ({failure.asked})"
                else:
                    delay = backoff_delay(
                        attempts, self.settings.backoff_base, self.settings.backoff_cap, self._rng
                    )
                    why = f"retry {attempts} of {self.settings.max_retries} after {failure.reason}"
                over = failure.wait is None and spent + delay > self.settings.request_deadline
                if attempts > self.settings.max_retries or over:
                    within = f" in {spent:.0f} s (deadline {self.settings.request_deadline:.0f} s)"
                    raise RetriesExhausted(
                        f"gave up after {attempts} attempts{within if over else ''}: "
                        f"{failure.reason}",
                        url=url,
                        status=failure.status,
                        attempts=attempts,
                    ) from None
                if failure.wait is not None:
                    self._limiter.hold(host, delay)
                    asked_for += delay
                if self._on_wait is not None and delay >= 1.0:
                    self._on_wait(Wait(delay, host, why))
                await self._clock.sleep(delay)
                continue
            final_url, status, kept, body = response
            not_modified = status == 304
            return Fetched(
                url=final_url,
                status=status,
                headers=MappingProxyType(kept),
                body=body,
                # A 304 need not repeat the validators; then the ones we sent still hold.
                etag=kept.get("etag", etag if not_modified else None),
                last_modified=kept.get("last-modified", last_modified if not_modified else None),
                not_modified=not_modified,
                elapsed=self._clock.now() - started,
                attempts=attempts,
            )

    async def _attempt(
        self,
        method: str,
        url: str,
        host: str,
        headers: dict[str, str],
        content: bytes | None,
        attempts: int,
        budget: float,
    ) -> tuple[str, int, dict[str, str], bytes]:
        # The slot is taken before the rate limiter so requests leave paced: waiting for a
        # slot after the limiter would let queued requests go out in a burst.
        async with self._slots:
            await self._limiter.acquire(host)
            try:
                limit = max(min(self.settings.attempt_timeout, budget), 0.0)
                async with asyncio.timeout(limit):
                    async with self._client.stream(
                        method, url, headers=headers, content=content
                    ) as response:
                        return await self._read(url, response, attempts)
            except (httpx.TimeoutException, TimeoutError) as error:
                raise _Transient(_describe(error) or "attempt timed out") from None
            except (httpx.NetworkError, httpx.RemoteProtocolError) as error:
                raise _Transient(_describe(error)) from None
            except httpx.HTTPError as error:
                # Too many redirects, a bad encoding, an unsupported scheme: not transient.
                raise HttpStatusError(_describe(error), url=url, attempts=attempts) from None

    async def _read(
        self, url: str, response: httpx.Response, attempts: int
    ) -> tuple[str, int, dict[str, str], bytes]:
        status = response.status_code
        label = f"HTTP {status} {response.reason_phrase}".rstrip()
        if status in (403, 429):
            self._rate_limited(url, response, label, attempts)
        if status == 429 or (status >= 500 and status not in _PERMANENT_5XX):
            wait = None
            if status in _HONOURS_RETRY_AFTER:
                wait = self._retry_after(url, response, label, attempts)
            raise _Transient(label, status, wait, f"{status} Retry-After")
        if status in (404, 410):
            raise NotFound(label, url=url, status=status, attempts=attempts)
        if status in (401, 403):
            raise AccessDenied(label, url=url, status=status, attempts=attempts)
        if not (200 <= status < 300 or status == 304):
            raise HttpStatusError(label, url=url, status=status, attempts=attempts)

        kept = {name: value for name, value in response.headers.items() if name in KEPT_HEADERS}
        final_url = str(response.url)
        if status == 304:
            return final_url, status, kept, b""
        limit = self.settings.max_body_bytes
        too_large = f"body larger than the {limit}-byte response limit"
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise TooLarge(too_large, url=url, status=status, attempts=attempts)
        # Counted after decompression: a small gzip body can expand to many gigabytes.
        body = bytearray()
        try:
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > limit:
                    raise TooLarge(too_large, url=url, status=status, attempts=attempts)
        except httpx.ReadTimeout:
            promised = f" of the {declared} declared" if declared.isdigit() else ""
            raise Stalled(
                f"the body stopped after {len(body)}{promised} bytes: nothing came for "
                f"{self.settings.read_timeout:g} s",
                url=url,
                status=status,
                attempts=attempts,
            ) from None
        return final_url, status, kept, bytes(body)

    def _retry_after(
        self, url: str, response: httpx.Response, label: str, attempts: int
    ) -> float | None:
        """The wait a ``Retry-After`` asks for, if within ``retry_after_cap``."""
        wait = parse_retry_after(response.headers.get("retry-after"), response.headers.get("date"))
        cap = self.settings.retry_after_cap
        if wait is not None and wait > cap:
            raise RateLimited(
                f"{label}: upstream asked to wait {wait:.0f} s (more than the cap {cap:.0f} s); "
                "try again later",
                url=url,
                status=response.status_code,
                attempts=attempts,
            )
        return wait

    def _rate_limited(self, url: str, response: httpx.Response, label: str, attempts: int) -> None:
        """Raise the wait a 403 or 429 asks for when it is a rate limit; return otherwise."""
        headers = response.headers
        status = response.status_code
        reset_in = parse_rate_limit_reset(
            headers.get("x-ratelimit-remaining"),
            headers.get("x-ratelimit-reset"),
            headers.get("date"),
        )
        if reset_in is not None:
            longest = self.settings.rate_limit_max_wait
            if reset_in > longest:
                raise RateLimited(
                    f"{label}: the rate limit is spent for {reset_in:.0f} s more, longer "
                    f"than the longest wait allowed ({longest:.0f} s); try again later",
                    url=url,
                    status=status,
                    attempts=attempts,
                )
            # At least a second: a reset already past means the clocks disagree a little.
            raise _Transient(
                f"{label} (rate limit spent)",
                status,
                max(reset_in, 1.0),
                f"{status} X-RateLimit-Reset",
            )
        if status == 403:
            wait = self._retry_after(url, response, label, attempts)
            if wait is not None:  # a secondary rate limit; a 429's is handled as before
                raise _Transient(f"{label} (secondary rate limit)", status, wait, "403 Retry-After")


def _describe(error: BaseException) -> str:
    text = " ".join(str(error).split())
    name = type(error).__name__
    return f"{name}: {text}" if text else name


def fetch_all(
    urls: Iterable[str],
    settings: HttpSettings | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    *,
    clock: Clock | None = None,
) -> list[Fetched | FetchError]:
    """Fetch every URL with bounded concurrency, for callers that are not async (it runs
    its own event loop, so it cannot be called from inside one). Results come in the
    order of ``urls``; a URL that failed gives its ``FetchError`` in its place."""
    return asyncio.run(_fetch_all(list(urls), settings or HttpSettings(), transport, clock))


async def _fetch_all(
    urls: list[str],
    settings: HttpSettings,
    transport: httpx.AsyncBaseTransport | None,
    clock: Clock | None,
) -> list[Fetched | FetchError]:
    results: list[Fetched | FetchError | None] = [None] * len(urls)
    # A few workers share one iterator instead of one task per URL: a sync of 100,000
    # packages should not hold 100,000 coroutines at once.
    pending = iter(enumerate(urls))

    async def worker(fetcher: Fetcher) -> None:
        for index, url in pending:
            try:
                results[index] = await fetcher.get(url)
            except FetchError as error:
                results[index] = error

    async with Fetcher(settings, transport=transport, clock=clock) as fetcher:
        workers = min(settings.max_concurrency, len(urls))
        await asyncio.gather(*(worker(fetcher) for _ in range(workers)))
    return [result for result in results if result is not None]
