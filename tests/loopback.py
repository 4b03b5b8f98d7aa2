"""One reusable HTTP server on 127.0.0.1 for the source tests (importable as
``tests.loopback``).

A test module supplies a handler ``(method, raw_path, headers, body) -> (status, headers,
body)``; :func:`serve` runs it behind a ``ThreadingHTTPServer`` on a free port in a daemon
thread, records every request (and the peak number answered at once) and shuts down when
the ``with`` block ends. ``raw_path`` is the request target exactly as sent (percent
escapes and query kept); ``headers`` have lower-case names.

How an answer is written:

- ``Content-Length`` is added from the body unless the handler gave one; 304 has no body.
- A ``Content-Length`` longer than the body sends the body and closes the connection:
  an answer cut off mid-body (see :func:`truncated`).
- A body that is an iterable of chunks (not ``bytes``) is streamed without a length and
  the connection is closed after it.
- A ``Date`` from the handler replaces the server's own (no ``Server`` header either).
- ``Connection: close`` closes the connection after the answer.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import threading
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from ossmeta.sources.http import Fetcher, HttpSettings

Headers = dict[str, str]
Body = bytes | Iterable[bytes]
Response = tuple[int, Headers, Body]
Handler = Callable[[str, str, Headers, bytes], Response]
Key = Callable[[str, str], str]  # (method, raw path) -> what ``hits`` counts by


class Hits(Counter[str]):
    """Requests seen per key; ``hits[key]`` or ``hits(key)``."""

    def __call__(self, key: str) -> int:
        return self[key]


class Request(NamedTuple):
    method: str
    path: str  # raw, as sent
    headers: Headers  # lower-case names
    body: bytes


class Loopback:
    """The running server as a test sees it."""

    def __init__(self, server: _Server, handler: Handler | None, prefix: str, key: Key) -> None:
        self.server = server
        self.server_address = server.server_address
        self.origin = f"http://127.0.0.1:{server.server_address[1]}"
        self.base = self.origin + prefix
        self.handler = handler
        self.lock = threading.Lock()
        self.requests: list[Request] = []
        self.key = key
        self.hits = Hits()
        # Requests being answered at once, per route (the path without its query): a
        # request of another test still open on the server does not disturb the count.
        self._active_on: Counter[str] = Counter()
        self._max_active_on: Counter[str] = Counter()
        # What a test module keeps next to the server (failure budgets, seen headers...);
        # the server itself until a module sets its own.
        self.state: Any = self

    def url(self, path: str) -> str:
        return self.base + path

    def reset_active(self, route: str) -> None:
        with self.lock:
            self._max_active_on[route] = self._active_on[route]

    def max_active_on(self, route: str) -> int:
        with self.lock:
            return self._max_active_on[route]

    def _record(self, request: Request) -> None:
        route = request.path.split("?", 1)[0]
        with self.lock:
            self.requests.append(request)
            self.hits[self.key(request.method, request.path)] += 1
            self._active_on[route] += 1
            self._max_active_on[route] = max(self._max_active_on[route], self._active_on[route])

    def _done(self, request: Request) -> None:
        with self.lock:
            self._active_on[request.path.split("?", 1)[0]] -= 1


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm on, the second
    # waits for the client's delayed ACK (about 40 ms) on every keep-alive answer.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test output is not the place for an access log."""

    def _handle(self, method: str) -> None:
        loopback = self.server.loopback
        length = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            # The client went away mid-body (a killed worker): no request was made.
            self.close_connection = True
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        request = Request(method, self.path, headers, body)
        loopback._record(request)
        try:
            assert loopback.handler is not None, "no handler set"
            status, answer_headers, answer = loopback.handler(method, self.path, headers, body)
        finally:
            loopback._done(request)
        self._write(status, answer_headers, answer)

    def _write(self, status: int, headers: Headers, body: Body) -> None:
        if "Date" in headers:
            self.send_response_only(status)
        else:
            self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if isinstance(body, bytes | bytearray):
            declared = headers.get("Content-Length")
            if declared is None and status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)
            if declared is not None and int(declared) > len(body):
                self.wfile.flush()
                self.close_connection = True
        else:
            self.end_headers()
            for chunk in body:
                self.wfile.write(chunk)
            self.close_connection = True

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_HEAD(self) -> None:
        self._handle("HEAD")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 drops the SYNs of a client opening more
    # connections at once, which then waits a full second to retry.
    request_queue_size = 128
    loopback: Loopback
    quiet: bool

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not self.quiet:
            super().handle_error(request, client_address)


@contextmanager
def serve(
    handler: Handler | None = None,
    *,
    prefix: str = "",
    key: Key = lambda method, raw_path: raw_path,
    quiet: bool = False,
) -> Iterator[Loopback]:
    """Run a loopback server for the ``with`` block. ``prefix`` is a path the base URL
    ends with (as a mirror's does); ``key`` says what ``hits`` counts by (the raw path
    unless told); ``quiet`` keeps the broken pipes of clients that gave up out of the
    output. The handler may also be set later as ``loopback.handler``."""
    server = _Server(("127.0.0.1", 0), _RequestHandler)
    server.quiet = quiet
    server.loopback = Loopback(server, handler, prefix, key)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield server.loopback
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# ------------------------------------------------------------------ common behaviours


def split(raw_path: str) -> tuple[str, str]:
    """The path and the query of a raw request target."""
    path, _, query = raw_path.partition("?")
    return path, query


def fixture_file(root: Path, relative: str) -> Path | None:
    """The file under ``root``, or None when it is missing or the path climbs out."""
    base = root.resolve()
    target = (base / relative.lstrip("/")).resolve()
    if base not in target.parents or not target.is_file():
        return None
    return target


def substituted(path: Path, placeholders: Mapping[str, str]) -> bytes:
    """A fixture's bytes with each placeholder (``{{base}}``, ``@BASE@``...) replaced."""
    body = path.read_bytes()
    for placeholder, value in placeholders.items():
        body = body.replace(placeholder.encode(), value.encode())
    return body


def etag_of(body: bytes, *, algorithm: str = "sha256", length: int | None = None) -> str:
    digest = hashlib.new(algorithm, body).hexdigest()
    return '"' + (digest[:length] if length else digest) + '"'


def conditional(
    request_headers: Headers,
    status: int,
    headers: Headers,
    body: bytes,
    *,
    etag: str,
    last_modified: str | None = None,
    not_modified_headers: Headers | None = None,
) -> Response:
    """Answer with ``body`` and its ETag, or with 304 when ``If-None-Match`` names the
    ETag (or, with ``last_modified`` and no ``If-None-Match``, when ``If-Modified-Since``
    repeats it)."""
    sent = request_headers.get("if-none-match")
    if sent == etag or (
        last_modified is not None
        and sent is None
        and request_headers.get("if-modified-since") == last_modified
    ):
        return 304, dict(not_modified_headers or {"ETag": etag}), b""
    full = {**headers, "ETag": etag}
    if last_modified is not None:
        full["Last-Modified"] = last_modified
    return status, full, body


class Failures:
    """Failing answers still to send, per key: ``failures[key] = n`` makes the next n
    requests for ``key`` fail with the status (and ``Retry-After``, when given)."""

    def __init__(
        self,
        status: int,
        body: bytes = b"",
        headers: Headers | None = None,
        retry_after: str | None = None,
    ) -> None:
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        if retry_after is not None:
            self.headers["Retry-After"] = retry_after
        self._lock = threading.Lock()
        self._pending: Counter[str] = Counter()

    def __getitem__(self, key: str) -> int:
        return self._pending[key]

    def __setitem__(self, key: str, count: int) -> None:
        with self._lock:
            self._pending[key] = count

    def take(self, key: str) -> Response | None:
        """The failing answer when ``key`` has one left (using it up), else None."""
        with self._lock:
            if self._pending[key] <= 0:
                return None
            self._pending[key] -= 1
        return self.status, dict(self.headers), self.body


def fail_first(
    count: int, n: int, status: int, body: bytes = b"", retry_after: str | None = None
) -> Response | None:
    """The failing answer while the hit ``count`` (1-based) is at most ``n``, else None."""
    if count > n:
        return None
    headers = {} if retry_after is None else {"Retry-After": retry_after}
    return status, headers, body


def truncated(body: bytes, declared: int, headers: Headers | None = None) -> Response:
    """An answer that promises ``declared`` bytes, sends ``body`` and closes the
    connection mid-body."""
    return 200, {**(headers or {}), "Content-Length": str(declared)}, body


T = TypeVar("T")


def run_fetcher(action: Callable[[Fetcher], Awaitable[T]], **changes: Any) -> T:
    """Run ``action`` with a loopback fetcher: no proxies from the environment, no rate
    limit, short backoff, a seeded jitter; ``changes`` override the settings."""
    config: dict[str, Any] = {
        "trust_env": False,
        "rate_per_host": None,
        "backoff_base": 0.01,
        "backoff_cap": 0.05,
        "max_retries": 2,
        "read_timeout": 5.0,
    }
    config.update(changes)

    async def go() -> T:
        async with Fetcher(HttpSettings(**config), rng=random.Random(3)) as fetcher:
            return await action(fetcher)

    return asyncio.run(go())
