"""A Python index gated by a REAL policy, for the end-to-end flows: the policy written as
TOML and applied with ``ossmeta policy apply``, the index added with ``ossmeta index add
--policy``, advisories imported as OSV records, hardened releases added with ``ossmeta
hardened add``; the real app on uvicorn on loopback with the index service's own decider
(no test decider), an injectable clock, and a log of every request the index answered.
Real pip and uv are run with isolated configuration and caches."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ossmeta.service.index_pypi import PythonIndexes
from ossmeta.store import Store
from ossmeta.surfaces.api.app import create_app
from ossmeta.surfaces.api.settings import ApiSettings
from ossmeta.surfaces.cli.app import main
from tests.index.pypi.conftest import NOW, _start
from tests.index.pypi_upstream import Upstream, make_wheel
from tests.service.inventories_data import import_records

BIN = Path(sys.executable).parent
DAY = timedelta(days=1)
# The contract's minimal policy, exactly as the issue writes it.
BASELINE = """\
name = "baseline"
[security]
deny_at_or_above = "high"
[licenses]
deny = ["GPL-3.0-only", "AGPL-3.0-only"]
[cooldown]
min_age_days = 7
"""
HIGH = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"
MEDIUM = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N"
# demo-a 2.0: high, never fixed. demo-a 1.1: medium (passes "high", fails "medium").
# fixed-pkg < 1.1: high, fixed by the fresh 1.1. hard-pkg 1.0: high, fixed only by the
# foundation's hardened 1.0+trusted.1.
ADV_DEMO = "GHSA-2222-3333-4444"
ADV_MEDIUM = "GHSA-5555-6666-7777"
ADV_FIXED = "GHSA-8888-9999-cccc"
ADV_HARD = "GHSA-hhhh-jjjj-mmmm"


def advisory(
    ident: str, name: str, score: str, *, introduced: str = "0", fixed: str | None = None,
    versions: tuple[str, ...] = (),
) -> dict[str, Any]:  # fmt: skip
    affected: dict[str, Any] = {"package": {"ecosystem": "PyPI", "name": name}}
    if versions:
        affected["versions"] = list(versions)
    else:
        events: list[dict[str, str]] = [{"introduced": introduced}]
        if fixed:
            events.append({"fixed": fixed})
        affected["ranges"] = [{"type": "ECOSYSTEM", "events": events}]
    return {
        "id": ident,
        "modified": "2026-01-01T00:00:00Z",
        "summary": f"a flaw in {name}",
        "affected": [affected],
        "severity": [{"type": "CVSS_V3", "score": score}],
    }


ADVISORIES = (
    advisory(ADV_DEMO, "demo-a", HIGH, introduced="2.0"),
    advisory(ADV_MEDIUM, "demo-a", MEDIUM, versions=("1.1",)),
    advisory(ADV_FIXED, "fixed-pkg", HIGH, fixed="1.1"),
    advisory(ADV_HARD, "hard-pkg", HIGH),
)


def flows_upstream() -> Upstream:
    """Every project the flows install; licences live only in the upstream's core metadata."""
    upstream = Upstream()
    upstream.add(
        "demo-a",
        make_wheel("demo-a", "1.0", NOW - 400 * DAY),
        make_wheel("demo-a", "1.1", NOW - 200 * DAY),
        make_wheel("demo-a", "2.0", NOW - 30 * DAY),
    )
    upstream.add("gpl-pkg", make_wheel("gpl-pkg", "1.0", NOW - 100 * DAY, license="GPL-3.0-only"))
    upstream.add(
        "fresh-pkg",
        make_wheel("fresh-pkg", "1.0", NOW - 100 * DAY),
        make_wheel("fresh-pkg", "1.1", NOW - DAY),
    )
    upstream.add(
        "fixed-pkg",
        make_wheel("fixed-pkg", "1.0", NOW - 100 * DAY),
        make_wheel("fixed-pkg", "1.1", NOW - DAY),
    )
    upstream.add("hard-pkg", make_wheel("hard-pkg", "1.0", NOW - 100 * DAY))
    return upstream


@dataclass
class Clock:
    """The index's clock: real time moved by ``ahead`` (a waiver's expiry is reached by
    moving it, never by sleeping)."""

    ahead: timedelta = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.ahead


@dataclass
class RequestLog:
    """An ASGI wrapper recording (method, path, status, If-None-Match) of every request."""

    app: Any
    entries: list[tuple[str, str, int, str | None]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        etag = headers.get(b"if-none-match")

        async def recording(message: Any) -> None:
            if message["type"] == "http.response.start":
                entry = (scope["method"], scope["path"], message["status"],
                         None if etag is None else etag.decode("latin-1"))  # fmt: skip
                with self._lock:
                    self.entries.append(entry)
            await send(message)

        await self.app(scope, receive, recording)

    def statuses(self, filename: str) -> list[int]:
        """Statuses of the GETs of ``filename`` and of its ``.metadata`` sidecar (pip and uv
        read the sidecar first: a denied release is refused there already)."""
        wanted = (f"/{filename}", f"/{filename}.metadata")
        with self._lock:
            return [s for m, p, s, _ in self.entries if m == "GET" and p.endswith(wanted)]

    def revalidations(self, suffix: str) -> list[int]:
        """Statuses of the conditional requests (with If-None-Match) for ``suffix``."""
        with self._lock:
            return [s for _, p, s, e in self.entries if p.endswith(suffix) and e is not None]


@dataclass
class Gated:
    base: str
    upstream: Upstream
    store: Store
    clock: Clock
    requests: RequestLog
    work: Path
    capsys: pytest.CaptureFixture[str]

    @property
    def simple(self) -> str:
        return f"{self.base}/index/main/simple/"

    def cli(self, *args: str) -> tuple[int, str]:
        """``ossmeta ARGS --db URL`` in this process: (exit code, stdout + stderr)."""
        self.capsys.readouterr()
        code = main([*args, "--db", self.store.url])
        captured = self.capsys.readouterr()
        return code, captured.out + captured.err

    def apply(self, text: str, name: str = "baseline.toml") -> None:
        path = self.work / name
        path.write_text(text, encoding="utf-8")
        code, out = self.cli("policy", "apply", str(path))
        assert code == 0, out


def _isolated(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
        UV_NO_CONFIG="1",
        UV_HTTP_RETRIES="0",  # a refused file (502) is not retried with back-off
        UV_CACHE_DIR=str(work / "uv-cache"),
        UV_PYTHON_DOWNLOADS="never",
        HOME=str(work / "home"),
    )
    return env


def _run(args: list[str], work: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, env=_isolated(work), capture_output=True, text=True, timeout=180, check=False
    )


def pip(
    g: Gated, target: str, *requirements: str, cache: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """pip install into a fresh target; ``cache``: pip's HTTP cache there, used over plain
    HTTP only because the host is trusted (as it would be over HTTPS in production)."""
    caching = (
        ["--no-cache-dir"] if cache is None else ["--cache-dir", str(cache), "--trusted-host", "127.0.0.1"]
    )  # fmt: skip
    return _run(
        [sys.executable, "-m", "pip", "install", "--isolated", "--retries", "0", *caching,
         "--disable-pip-version-check", "--no-compile",
         "--index-url", g.simple, "--target", str(g.work / target), *requirements],
        g.work,
    )  # fmt: skip


def uv(g: Gated, target: str, *requirements: str) -> subprocess.CompletedProcess[str]:
    return _run(
        [str(BIN / "uv"), "pip", "install", "--no-config", "--python", sys.executable,
         "--index-url", g.simple, "--target", str(g.work / target), *requirements],
        g.work,
    )  # fmt: skip


def install(
    client: str, g: Gated, target: str, *requirements: str
) -> subprocess.CompletedProcess[str]:
    return (pip if client == "pip" else uv)(g, target, *requirements)


def installed(g: Gated, target: str) -> list[str]:
    return sorted(p.name for p in (g.work / target).glob("*.dist-info"))


@pytest.fixture
def gated(
    store: Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Gated]:
    # Hardened files and the index's artifacts share one blob store, as under one OSSMETA_HOME.
    monkeypatch.setenv("OSSMETA_HOME", str(tmp_path / "home"))
    upstream = flows_upstream()
    with upstream.serve():
        clock = Clock()
        app = create_app(ApiSettings(database_url=store.url), store=store)
        indexes = PythonIndexes(store, upstream_ttl=0, clock=clock)
        app.state.python_indexes = indexes
        log = RequestLog(app)
        base, server, thread = _start(log)
        g = Gated(base, upstream, store, clock, log, tmp_path, capsys)
        g.apply(BASELINE)
        code, out = g.cli(
            "index", "add", "main", "--ecosystem", "pypi", "--upstream", upstream.base + "/simple/",
            "--policy", "baseline",
        )  # fmt: skip
        assert code == 0, out
        import_records(store, tmp_path / "osv", *ADVISORIES)
        try:
            yield g
        finally:
            server.should_exit = True
            thread.join(timeout=30)
            indexes.close()
