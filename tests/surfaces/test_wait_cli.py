"""Waits on the command line: ``events fetch`` against a loopback code host (``--max-wait``
caps a ``Retry-After`` as it caps a spent quota, and every wait is said on stderr before it
starts) and ``sync`` against a loopback registry (a day-long ``Retry-After`` fails that
package at once under the default cap)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ossmeta.surfaces.cli.app import main
from tests.codehost_server import FakeHost
from tests.loopback import Headers, Loopback, Response, serve
from tests.registry_server import Universe


@pytest.fixture
def server() -> Iterator[tuple[Loopback, FakeHost]]:
    with serve(quiet=True) as loopback:
        host = FakeHost(loopback.origin)
        loopback.handler = host.handle
        yield loopback, host


@pytest.fixture
def fetch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    config = tmp_path / "config.toml"
    config.write_text("[http]\nrate_per_host = 0\nmax_retries = 1\n")
    monkeypatch.setenv("OSSMETA_CONFIG", str(config))
    assert main(["db", "upgrade", "--db", f"sqlite:///{tmp_path / 'cli.db'}"]) == 0

    def run(capsys: pytest.CaptureFixture[str], host: FakeHost, *args: str) -> tuple[int, str]:
        capsys.readouterr()
        where = ["--db", f"sqlite:///{tmp_path / 'cli.db'}", "--data-dir", str(tmp_path / "a")]
        code = main(
            ["events", "fetch", "github.com/acme/widget", "--api-url", host.api, *args, *where]
        )
        return code, capsys.readouterr().err

    return run


def test_max_wait_caps_a_retry_after(
    fetch: Any, capsys: pytest.CaptureFixture[str], server: tuple[Loopback, FakeHost]
) -> None:
    _, host = server
    host.script("", host.secondary_limit(120))
    code, err = fetch(capsys, host, "--max-wait", "60")
    assert code == 4  # the code host, not the input, failed
    assert err == (
        f"ossmeta: error: {host.repo_api}: HTTP 429 Too Many Requests: upstream asked to "
        "wait 120 s (more than the cap 60 s); try again later\n"
    )


def test_a_wait_is_said_before_it_starts(
    fetch: Any, capsys: pytest.CaptureFixture[str], server: tuple[Loopback, FakeHost]
) -> None:
    loopback, host = server
    host.script("", host.secondary_limit(1))
    code, err = fetch(capsys, host)
    assert code == 0, err
    where = loopback.origin.split("://", 1)[1]
    assert err.splitlines()[0] == f"waiting 1 s for {where}: host asked (429 Retry-After)"


def test_sync_fails_a_package_whose_host_asks_for_a_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    universe = Universe.make(pypi=2, npm=0, crates=0, maven=0, versions=1)
    slow, fine = universe.pypi_names
    with serve(quiet=True) as loopback:
        registry = universe.handler(loopback.origin)

        def handler(method: str, raw: str, headers: Headers, body: bytes) -> Response:
            if f"/{slow}/" in raw:
                return 429, {"Retry-After": "100000"}, b""
            return registry(method, raw, headers, body)

        loopback.handler = handler
        config = tmp_path / "config.toml"
        config.write_text(
            f'[registries.pypi]\nurl = "{loopback.origin}"\n[http]\nrate_per_host = 0\n'
        )
        monkeypatch.setenv("OSSMETA_CONFIG", str(config))
        assert main(["db", "upgrade", "--db", f"sqlite:///{tmp_path / 's.db'}"]) == 0
        capsys.readouterr()
        code = main(["sync", "pypi", slow, fine, "--db", f"sqlite:///{tmp_path / 's.db'}"])
    err = capsys.readouterr().err
    assert code == 1
    assert "pypi: 2 package(s): 1 written, 0 unchanged, 1 failed" in err
    assert "upstream asked to wait 100000 s (more than the cap 300 s)" in err
    assert "waiting" not in err  # nothing was waited for
