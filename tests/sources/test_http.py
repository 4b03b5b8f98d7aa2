"""The HTTP fetcher against a real HTTP server on 127.0.0.1 (no mocks of httpx), plus the
transport seam with ``httpx.MockTransport`` and the pacing rules with a fake clock."""

from __future__ import annotations

import asyncio
import json
import random
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from email.utils import formatdate
from functools import partial
from typing import Any, TypeVar

import httpx
import pytest

from ossmeta import __version__
from ossmeta.errors import UnavailableError
from ossmeta.sources.http import (
    USER_AGENT,
    AccessDenied,
    Fetched,
    Fetcher,
    FetchError,
    HttpSettings,
    HttpStatusError,
    NotFound,
    RateLimited,
    RetriesExhausted,
    Stalled,
    TooLarge,
    fetch_all,
    make_client,
)
from ossmeta.sources.http_pacing import HostLimiter, Wait, backoff_delay, parse_retry_after
from tests.loopback import (
    Headers,
    Loopback,
    Response,
    conditional,
    fail_first,
    serve,
    split,
    truncated,
)

T = TypeVar("T")

LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"
ETAG = '"v1"'


# ------------------------------------------------------------------ the loopback server


def _handle(server: Loopback, method: str, raw: str, headers: Headers, body: bytes) -> Response:
    count = server.hits[raw]
    parts = split(raw)[0].strip("/").split("/")
    route = parts[0]
    if route == "ok":
        return (
            200,
            {
                "Content-Type": "application/json",
                "ETag": ETAG,
                "Last-Modified": LAST_MODIFIED,
                "X-Noise": "dropped",
            },
            b"hello",
        )
    if route == "etag":
        return conditional(headers, 200, {}, b"fresh", etag=ETAG)
    if route == "lastmod":
        # The 304 repeats no validator: the fetcher must keep the one it sent.
        if headers.get("if-modified-since") == LAST_MODIFIED:
            return 304, {}, b""
        return 200, {"Last-Modified": LAST_MODIFIED}, b"fresh"
    if route == "flaky":
        return fail_first(count, 2, 503, b"busy") or (200, {}, b"recovered")
    if route == "throttled":
        return fail_first(count, 1, 429, b"slow down", retry_after="1") or (200, {}, b"ok now")
    if route == "throttled-date":
        if count == 1:
            # A Date of our own replaces the server's; it is the reference the
            # Retry-After date is measured against.
            now = int(time.time())
            return (
                503,
                {
                    "Date": formatdate(now, usegmt=True),
                    "Retry-After": formatdate(now + 2, usegmt=True),
                },
                b"",
            )
        return 200, {}, b"ok now"
    if route == "throttled-long":
        return 429, {"Retry-After": "3600"}, b""
    if route == "throttled-huge":
        return 429, {"Retry-After": "100000"}, b""
    if route == "throttled-huge-date":
        now = int(time.time())
        headers = {"Date": formatdate(now, usegmt=True)}
        return 503, {**headers, "Retry-After": formatdate(now + 86400, usegmt=True)}, b""
    if route == "always-busy":
        return 503, {}, b"busy"
    if route == "lying-length":
        return 200, {"Content-Length": "1000"}, _stall_after(b"0123456789")
    if route == "status":
        return int(parts[1]), {}, b"nope"
    if route == "truncated":
        return truncated(b"0123456789", 1000)
    if route == "slow":
        time.sleep(0.5)
        return 200, {}, b"late"
    if route == "big":
        return 200, {}, b"x" * int(parts[1])
    if route == "stream-big":
        # No Content-Length: the body ends when the connection closes, so only the
        # streaming count can notice it is too large.
        return 200, {"Connection": "close"}, (b"y" * 100 for _ in range(int(parts[1]) // 100))
    if route == "redirect":
        return 302, {"Location": "/ok"}, b""
    if route == "loop":
        return 302, {"Location": "/loop"}, b""
    if route == "concurrent":
        time.sleep(0.05)  # the server counts how many requests it answers at once
        return 200, {}, b"done"
    if route == "echo":
        return 200, {"Content-Type": "application/json"}, json.dumps(headers).encode()
    return 404, {}, b"unknown route"


_STALLED: list[threading.Event] = []


def _stall_after(first: bytes) -> Iterator[bytes]:
    """Send ``first``, then nothing until the server stops (at most 10 s): a server that
    declared more than it sends and hangs."""
    release = threading.Event()
    _STALLED.append(release)
    yield first
    release.wait(10)


@pytest.fixture(scope="module")
def loopback() -> Iterator[Loopback]:
    # A client that gave up (timeouts, size limit) leaves a broken pipe; that is the point
    # of those tests, not an error.
    with serve(quiet=True) as server:
        server.handler = partial(_handle, server)
        yield server
        for release in _STALLED:
            release.set()


_unique = iter(range(1_000_000))


def fresh(path: str) -> str:
    """A path no other test has hit, for routes whose answer depends on the hit count."""
    return f"{path}/{next(_unique)}"


# ------------------------------------------------------------------ helpers


class FakeClock:
    """Virtual time: sleeping moves the clock instead of waiting."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds
        await asyncio.sleep(0)


def settings(**changes: Any) -> HttpSettings:
    """Loopback settings: no proxies from the environment, no rate limit, short backoff."""
    base: dict[str, Any] = {
        "trust_env": False,
        "rate_per_host": None,
        "backoff_base": 0.01,
        "backoff_cap": 0.05,
        "read_timeout": 5.0,
    }
    base.update(changes)
    return HttpSettings(**base)


def with_fetcher(
    action: Callable[[Fetcher], Awaitable[T]],
    config: HttpSettings | None = None,
    clock: FakeClock | None = None,
) -> T:
    async def run() -> T:
        async with Fetcher(config or settings(), clock=clock, rng=random.Random(7)) as fetcher:
            return await action(fetcher)

    return asyncio.run(run())


def get(
    url: str, config: HttpSettings | None = None, clock: FakeClock | None = None, **kw: Any
) -> Fetched:
    return with_fetcher(lambda f: f.get(url, **kw), config, clock)


# ------------------------------------------------------------------ plain and conditional GETs


def test_ok_keeps_body_validators_and_a_header_subset(loopback: Loopback) -> None:
    got = get(loopback.url("/ok"))
    assert (got.status, got.body, got.attempts, got.not_modified) == (200, b"hello", 1, False)
    assert got.url == loopback.url("/ok")
    assert (got.etag, got.last_modified) == (ETAG, LAST_MODIFIED)
    assert got.headers["content-type"] == "application/json"
    assert "x-noise" not in got.headers and "server" not in got.headers
    assert got.elapsed >= 0


def test_etag_gives_not_modified(loopback: Loopback) -> None:
    first = get(loopback.url("/etag"))
    assert (first.status, first.body, first.etag) == (200, b"fresh", ETAG)
    again = get(loopback.url("/etag"), etag=first.etag)
    assert (again.status, again.not_modified, again.body, again.etag) == (304, True, b"", ETAG)


def test_last_modified_gives_not_modified_and_keeps_the_sent_validator(loopback: Loopback) -> None:
    got = get(loopback.url("/lastmod"), last_modified=LAST_MODIFIED)
    assert (got.status, got.not_modified, got.body) == (304, True, b"")
    assert got.last_modified == LAST_MODIFIED and got.etag is None


def test_user_agent_and_accept_are_sent(loopback: Loopback) -> None:
    got = get(loopback.url("/echo"), accept="application/vnd.pypi.simple.v1+json")
    sent = json.loads(got.body)
    assert sent["user-agent"] == USER_AGENT
    assert f"ossmeta/{__version__}" == USER_AGENT  # no invented contact address
    assert sent["accept"] == "application/vnd.pypi.simple.v1+json"


def test_redirects_are_followed(loopback: Loopback) -> None:
    got = get(loopback.url("/redirect"))
    assert (got.status, got.body, got.url) == (200, b"hello", loopback.url("/ok"))


def test_a_redirect_loop_is_an_error_not_a_retry(loopback: Loopback) -> None:
    with pytest.raises(HttpStatusError, match="TooManyRedirects") as caught:
        get(loopback.url("/loop"), settings(max_redirects=3))
    assert caught.value.attempts == 1


# ------------------------------------------------------------------ retries and Retry-After


def test_503_twice_then_200_is_retried_with_jittered_backoff(loopback: Loopback) -> None:
    clock = FakeClock()
    config = settings(backoff_base=0.5, backoff_cap=30.0)
    path = fresh("/flaky")
    got = get(loopback.url(path), config, clock)
    assert (got.status, got.body, got.attempts) == (200, b"recovered", 3)
    assert loopback.hits(path) == 3
    # Full jitter: the n-th retry waits somewhere in [0, base * 2**(n-1)].
    assert len(clock.sleeps) == 2
    assert 0 <= clock.sleeps[0] <= 0.5 and 0 <= clock.sleeps[1] <= 1.0
    assert got.elapsed == pytest.approx(sum(clock.sleeps))


def test_429_retry_after_seconds_with_the_injected_clock(loopback: Loopback) -> None:
    clock = FakeClock()
    got = get(loopback.url(fresh("/throttled")), settings(), clock)
    assert (got.body, got.attempts) == (b"ok now", 2)
    assert clock.sleeps == [1.0]
    assert got.elapsed >= 1.0


def test_429_retry_after_seconds_with_the_real_clock(loopback: Loopback) -> None:
    started = time.monotonic()
    got = get(loopback.url(fresh("/throttled")))
    waited = time.monotonic() - started
    assert (got.body, got.attempts) == (b"ok now", 2)
    assert waited >= 0.95
    assert got.elapsed >= 0.95


def test_503_retry_after_http_date_is_measured_against_the_date_header(loopback: Loopback) -> None:
    clock = FakeClock()
    got = get(loopback.url(fresh("/throttled-date")), settings(), clock)
    assert got.attempts == 2
    assert clock.sleeps == [2.0]


def test_retry_after_over_the_cap_fails_at_once_without_waiting(loopback: Loopback) -> None:
    clock = FakeClock()
    url = loopback.url("/throttled-long")
    with pytest.raises(RateLimited) as caught:
        get(url, settings(retry_after_cap=5.0, max_retries=2), clock)
    assert clock.sleeps == []
    error = caught.value
    assert (error.status, error.attempts, error.url) == (429, 1, url)
    assert str(error) == (
        f"{url}: HTTP 429 Too Many Requests: upstream asked to wait 3600 s "
        "(more than the cap 5 s); try again later"
    )
    assert isinstance(error, UnavailableError)  # the upstream's refusal, not the input's fault


@pytest.mark.parametrize(
    ("route", "asked"), [("/throttled-huge", "100000"), ("/throttled-huge-date", "86400")]
)
def test_a_day_long_retry_after_fails_under_the_default_cap(
    loopback: Loopback, route: str, asked: str
) -> None:
    clock = FakeClock()
    path = fresh(route)
    url = loopback.url(path)
    waits: list[Wait] = []
    config = settings(rate_per_host=None)
    assert config.retry_after_cap == HttpSettings().retry_after_cap  # the default, as sync has

    async def run() -> Fetched:
        async with Fetcher(config, clock=clock, on_wait=waits.append) as fetcher:
            return await fetcher.get(url)

    with pytest.raises(RateLimited, match=f"upstream asked to wait {asked} s \\(more than the cap"):
        asyncio.run(run())
    assert clock.sleeps == [] and waits == [] and loopback.hits(path) == 1


def test_every_wait_is_announced_before_it_starts(loopback: Loopback) -> None:
    clock = FakeClock()
    waits: list[tuple[str, int]] = []

    def hook(wait: Wait) -> None:  # what was said, and how many sleeps had happened
        waits.append((str(wait), len(clock.sleeps)))

    async def run() -> Fetched:
        async with Fetcher(settings(), clock=clock, on_wait=hook) as fetcher:
            return await fetcher.get(loopback.url(fresh("/throttled")))

    got = asyncio.run(run())
    assert got.attempts == 2 and clock.sleeps == [1.0]
    host = loopback.url("/").split("/")[2]
    assert waits == [(f"waiting 1 s for {host}: host asked (429 Retry-After)", 0)]


def test_backoff_waits_are_announced_with_the_failure_retried(loopback: Loopback) -> None:
    clock = FakeClock()
    waits: list[Wait] = []

    async def run() -> Fetched:
        config = settings(backoff_base=4.0, backoff_cap=4.0)
        async with Fetcher(config, clock=clock, rng=random.Random(1), on_wait=waits.append) as f:
            return await f.get(loopback.url(fresh("/flaky")))

    assert asyncio.run(run()).attempts == 3
    announced = [w for w in waits if w.seconds >= 1.0]
    assert [w.seconds for w in announced] == [s for s in clock.sleeps if s >= 1.0]
    assert all(w.reason.endswith("of 5 after HTTP 503 Service Unavailable") for w in announced)


def test_the_request_deadline_bounds_retries_and_backoff(loopback: Loopback) -> None:
    clock = FakeClock()
    url = loopback.url(fresh("/always-busy"))
    config = settings(backoff_base=10.0, backoff_cap=10.0, max_retries=50, request_deadline=30.0)
    with pytest.raises(RetriesExhausted) as caught:
        get(url, config, clock)
    error = caught.value
    assert 1 < error.attempts < 51
    assert sum(clock.sleeps) <= 30.0
    assert "(deadline 30 s): HTTP 503 Service Unavailable" in str(error)


def test_a_server_lying_about_content_length_fails_in_one_read_timeout(
    loopback: Loopback,
) -> None:
    path = fresh("/lying-length")
    url = loopback.url(path)
    with pytest.raises(Stalled) as caught:
        get(url, settings(read_timeout=0.2, max_retries=5))
    error = caught.value
    assert (error.status, error.attempts) == (200, 1)  # not retried: it would lie again
    assert loopback.hits(path) == 1
    assert str(error) == (
        f"{url}: the body stopped after 10 of the 1000 declared bytes: nothing came for 0.2 s"
    )
    assert isinstance(error, FetchError)


def test_truncated_body_is_retried_then_fails(loopback: Loopback) -> None:
    url = loopback.url("/truncated")
    before = loopback.hits("/truncated")
    with pytest.raises(RetriesExhausted, match="RemoteProtocolError") as caught:
        get(url, settings(max_retries=2))
    assert caught.value.attempts == 3 and caught.value.status is None
    assert loopback.hits("/truncated") - before == 3
    assert "\n" not in str(caught.value) and str(caught.value).startswith(url)


def test_read_timeout_is_retried_then_fails(loopback: Loopback) -> None:
    with pytest.raises(RetriesExhausted, match="ReadTimeout") as caught:
        get(loopback.url("/slow"), settings(read_timeout=0.1, max_retries=1))
    assert caught.value.attempts == 2  # gave up on each attempt, did not wait it out


def test_refused_connection_is_retried_then_fails() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nobody listens on that port now.
    with pytest.raises(RetriesExhausted, match="ConnectError") as caught:
        get(f"http://127.0.0.1:{port}/x", settings(max_retries=2))
    assert caught.value.attempts == 3


# ------------------------------------------------------------------ errors that are not retried


@pytest.mark.parametrize(
    ("status", "kind", "label"),
    [
        (404, NotFound, "HTTP 404 Not Found"),
        (410, NotFound, "HTTP 410 Gone"),
        (401, AccessDenied, "HTTP 401 Unauthorized"),
        (403, AccessDenied, "HTTP 403 Forbidden"),
        (400, HttpStatusError, "HTTP 400 Bad Request"),
        (501, HttpStatusError, "HTTP 501 Not Implemented"),
    ],
)
def test_permanent_statuses_fail_at_once(
    loopback: Loopback, status: int, kind: type[FetchError], label: str
) -> None:
    path = f"/status/{status}"
    url = loopback.url(path)
    before = loopback.hits(path)
    clock = FakeClock()
    with pytest.raises(kind) as caught:
        get(url, settings(), clock)
    assert type(caught.value) is kind
    assert (caught.value.status, caught.value.attempts) == (status, 1)
    assert str(caught.value) == f"{url}: {label}"
    assert loopback.hits(path) - before == 1 and clock.sleeps == []


def test_body_over_the_declared_size_limit(loopback: Loopback) -> None:
    config = settings(max_body_bytes=1000)
    assert get(loopback.url("/big/1000"), config).body == b"x" * 1000
    with pytest.raises(TooLarge, match="larger than the 1000-byte response limit") as caught:
        get(loopback.url("/big/1001"), config)
    assert caught.value.attempts == 1


def test_body_over_the_size_limit_without_content_length(loopback: Loopback) -> None:
    with pytest.raises(TooLarge) as caught:
        get(loopback.url("/stream-big/200000"), settings(max_body_bytes=5000))
    assert caught.value.attempts == 1


def test_urls_that_are_not_http_fail_without_a_request() -> None:
    with pytest.raises(HttpStatusError, match="not an http"):
        get("ftp://127.0.0.1/x")


# ------------------------------------------------------------------ rate limit and concurrency


def test_rate_limit_spaces_requests_to_one_host_with_the_injected_clock(loopback: Loopback) -> None:
    clock = FakeClock()
    config = settings(rate_per_host=10.0)

    async def five_in_a_row(fetcher: Fetcher) -> None:
        for _ in range(5):
            await fetcher.get(loopback.url("/ok"))

    with_fetcher(five_in_a_row, config, clock)
    assert clock.t - 1000.0 == pytest.approx(0.4)  # (5 - 1) / 10


def test_rate_limit_holds_for_concurrent_requests_in_real_time(loopback: Loopback) -> None:
    started = time.monotonic()
    results = fetch_all([loopback.url("/ok")] * 6, settings(rate_per_host=20.0))
    assert time.monotonic() - started >= 0.25 - 0.01  # (6 - 1) / 20
    assert all(isinstance(r, Fetched) for r in results)


def test_concurrency_never_exceeds_the_bound(loopback: Loopback) -> None:
    # Counted for this route only: requests of earlier tests that the client gave up on
    # (the /slow ones) may still be open on the server and must not count here.
    loopback.reset_active("/concurrent")
    results = fetch_all(
        [loopback.url(f"/concurrent?i={i}") for i in range(24)], settings(max_concurrency=3)
    )
    assert all(isinstance(r, Fetched) and r.body == b"done" for r in results)
    assert 2 <= loopback.max_active_on("/concurrent") <= 3


def test_fetch_all_keeps_order_and_returns_errors_in_place(loopback: Loopback) -> None:
    urls = [loopback.url("/ok"), loopback.url("/status/404"), loopback.url("/redirect")]
    results = fetch_all(urls, settings())
    assert isinstance(results[0], Fetched) and results[0].body == b"hello"
    assert isinstance(results[1], NotFound)
    assert isinstance(results[2], Fetched) and results[2].url == loopback.url("/ok")
    assert fetch_all([], settings()) == []


# ------------------------------------------------------------------ the transport seam


def test_make_client_takes_a_transport() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b'{"info": {}}', headers={"ETag": '"a"'})

    async def run() -> Fetched:
        async with make_client(settings(), transport=httpx.MockTransport(handler)) as client:
            return await Fetcher(settings(), client=client).get("https://pypi.invalid/pypi/x/json")

    got = asyncio.run(run())
    assert (got.status, got.body, got.etag) == (200, b'{"info": {}}', '"a"')
    assert seen[0].headers["user-agent"] == USER_AGENT
    assert str(seen[0].url) == "https://pypi.invalid/pypi/x/json"

    # The same seam through the fetcher, and through fetch_all.
    results = fetch_all(["https://npm.invalid/a"], settings(), httpx.MockTransport(handler))
    assert isinstance(results[0], Fetched) and len(seen) == 2


# ------------------------------------------------------------------ pacing rules


def test_parse_retry_after() -> None:
    assert parse_retry_after(None) is None
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("soon") is None
    date = "Wed, 21 Oct 2015 07:28:00 GMT"
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", date) == 30.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", date) == 0.0
    later = formatdate(time.time() + 60, usegmt=True)
    assert 55 <= (parse_retry_after(later) or 0) <= 60


def test_backoff_delay_grows_and_is_capped() -> None:
    rng = random.Random(1)
    for retry in range(1, 12):
        delay = backoff_delay(retry, 0.5, 4.0, rng)
        assert 0 <= delay <= min(4.0, 0.5 * 2 ** (retry - 1))


def test_host_limiter_burst_and_hold() -> None:
    clock = FakeClock()
    limiter = HostLimiter(rate=10.0, burst=3, clock=clock)

    async def run() -> None:
        for _ in range(5):
            await limiter.acquire("a")
        await limiter.acquire("b")  # another host is not slowed by "a"

    asyncio.run(run())
    assert clock.t - 1000.0 == pytest.approx(0.2)  # (5 - 3) / 10
    limiter.hold("b", 7.0)
    start = clock.t
    asyncio.run(limiter.acquire("b"))
    assert clock.t - start == pytest.approx(7.0)


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        HttpSettings(max_retries=-1)
    with pytest.raises(ValueError, match="max_concurrency"):
        HttpSettings(max_concurrency=0)
    with pytest.raises(ValueError, match="rate_per_host"):
        HttpSettings(rate_per_host=0)
    assert HttpSettings().max_body_bytes == 64 * 1024 * 1024
