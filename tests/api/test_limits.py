"""Request limits over real loopback HTTP: a body that stalls is answered 408 after the
configured timeout (declared length or chunked), and the connection is closed; a body that
keeps arriving is not cut off; a declared or chunked body over the limit is 413."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import orjson
import pytest

from ossmeta.store import Store
from ossmeta.surfaces.api.settings import ApiSettings
from ossmeta.surfaces.cli.app import main
from tests.api.conftest import ApiServer
from tests.api.world import serve_process

HEAD = "POST /api/v1/packages:batch HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"


def _connect(api: ApiServer) -> socket.socket:
    parts = urlsplit(api.base)
    connection = socket.create_connection((parts.hostname, parts.port), timeout=60)
    return connection


def _read_all(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (a server that kept it
    open would make this time out: the test fails rather than hangs)."""
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


def _problem(raw: bytes, status: int) -> dict[str, object]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0].startswith(f"HTTP/1.1 {status} "), raw[:300]
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    assert headers["content-type"] == "application/problem+json"
    assert headers["connection"] == "close"
    problem = dict(orjson.loads(body))
    assert problem["status"] == status
    return problem


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_stalled_body_is_408_and_the_connection_closed(
    api_factory: Callable[[ApiSettings], ApiServer], framing: str
) -> None:
    api = api_factory(ApiSettings(body_timeout=0.3))
    with _connect(api) as connection:
        if framing == "chunked":
            connection.sendall(HEAD.encode() + b'Transfer-Encoding: chunked\r\n\r\n5\r\n{"pur\r\n')
        else:
            connection.sendall(HEAD.encode() + b'Content-Length: 100\r\n\r\n{"pur')
        # ... and nothing more: the server must answer and hang up on its own.
        problem = _problem(_read_all(connection), 408)
    assert problem["type"] == "urn:ossmeta:problem:request-timeout"
    assert "stalled for more than 0.3 seconds" in str(problem["detail"])


def test_serve_takes_the_body_timeout(store: Store, tmp_path: Path) -> None:
    """``ossmeta serve --body-timeout``: the same 408 from the real command."""
    log = tmp_path / "serve.log"
    with serve_process(store.url, log, "--body-timeout", "0.3") as base:
        connection = _connect(ApiServer(base, store))
        with connection:
            connection.sendall(HEAD.encode() + b"Content-Length: 100\r\n\r\n{")
            problem = _problem(_read_all(connection), 408)
    assert "stalled for more than 0.3 seconds" in str(problem["detail"])


def test_serve_refuses_an_unknown_log_level(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'none.db'}"
    assert main(["serve", "--log-level", "loud", "--db", url]) == 2
    assert "--log-level must be one of" in capsys.readouterr().err


def test_a_slow_body_that_keeps_coming_is_not_cut_off(
    api_factory: Callable[[ApiSettings], ApiServer],
) -> None:
    api = api_factory(ApiSettings(body_timeout=10))
    body = b'{"purls": ["pkg:pypi/a", "pkg:pypi/b"]}'
    with _connect(api) as connection:
        connection.sendall(HEAD.encode() + b"Content-Length: %d\r\n\r\n" % len(body))
        for start in range(0, len(body), 10):
            connection.sendall(body[start : start + 10])
            time.sleep(0.05)  # pacing only; nothing is asserted about time
        connection.sendall(b"")
        reply = b""
        while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
            chunk = connection.recv(65536)
            if not chunk:
                break
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 200 "), reply[:300]
    assert [item["purl"] for item in orjson.loads(reply.partition(b"\r\n\r\n")[2])["items"]] == [
        "pkg:pypi/a",
        "pkg:pypi/b",
    ]


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_body_over_the_limit_is_413_and_the_connection_closed(
    api_factory: Callable[[ApiSettings], ApiServer], framing: str
) -> None:
    api = api_factory(ApiSettings(max_body_bytes=100))
    body = orjson.dumps({"purls": [f"pkg:pypi/p{n}" for n in range(50)]})
    with _connect(api) as connection:
        if framing == "chunked":
            chunks = b"".join(
                b"%x\r\n%s\r\n" % (len(body[i : i + 40]), body[i : i + 40])
                for i in range(0, len(body), 40)
            )
            connection.sendall(HEAD.encode() + b"Transfer-Encoding: chunked\r\n\r\n" + chunks)
        else:
            connection.sendall(HEAD.encode() + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        problem = _problem(_read_all(connection), 413)
    assert "limit of 100 bytes" in str(problem["detail"])
