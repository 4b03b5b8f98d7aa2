"""A Python index under test: the real app on uvicorn on loopback over a migrated store, in
front of the stub upstream (``tests.index.pypi_upstream``), with a decider the test sets."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn

from ossmeta.analyses.policy.model import Decision, Reason, UpstreamRelease
from ossmeta.service.index_pypi import PythonIndexes
from ossmeta.service.indexes import add_index
from ossmeta.store import Store
from ossmeta.store.blobs import BlobStore
from ossmeta.surfaces.api.app import create_app
from ossmeta.surfaces.api.settings import ApiSettings
from tests.index.pypi_upstream import Upstream, make_sdist, make_wheel

NOW = datetime.now(UTC).replace(microsecond=0)
DAY = timedelta(days=1)


@dataclass
class Rules:
    """The test's policy: versions denied (with a reason) or hidden, by (project, version)."""

    denied: dict[tuple[str, str], Reason] = field(default_factory=dict)
    hidden: set[tuple[str, str]] = field(default_factory=set)
    seen: list[UpstreamRelease] = field(default_factory=list)

    def marker(self) -> str:
        """Changes whenever the rules do, as a real policy's inputs marker does."""
        return repr((sorted(self.denied.items()), sorted(self.hidden)))

    def decide(self, releases: Sequence[UpstreamRelease]) -> list[Decision]:
        self.seen.extend(releases)
        decisions = []
        for release in releases:
            key = (release.name, release.version)
            if key in self.denied:
                decisions.append(Decision("deny", (self.denied[key],), "test", 1))
            elif key in self.hidden:
                decisions.append(Decision("hide", (Reason("pending", "not evaluated"),)))
            else:
                decisions.append(Decision("allow", (), "test", 1))
        return decisions


@dataclass
class Harness:
    base: str  # the ossmeta server
    upstream: Upstream
    indexes: PythonIndexes
    rules: Rules
    store: Store
    blobs: Path

    @property
    def simple(self) -> str:
        return f"{self.base}/index/main/simple/"


def _start(app: object) -> tuple[str, uvicorn.Server, threading.Thread]:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    waited = threading.Event()
    for _ in range(1000):
        if server.started or not thread.is_alive():
            break
        waited.wait(0.01)
    if not server.started:
        raise RuntimeError("the index did not start")
    return f"http://127.0.0.1:{port}", server, thread


def demo_upstream() -> Upstream:
    upstream = Upstream()
    upstream.add(
        "demo-a",
        make_wheel("demo-a", "1.0", NOW - 400 * DAY),
        make_sdist("demo-a", "1.0", NOW - 400 * DAY),
        make_wheel("demo-a", "1.1", NOW - 200 * DAY, requires_python=">=3.8"),
        make_wheel("demo-a", "2.0", NOW - DAY, license="GPL-3.0-only"),
    )
    return upstream


@pytest.fixture
def harness(store: Store, tmp_path: Path) -> Iterator[Harness]:
    upstream = demo_upstream()
    with upstream.serve():
        add_index(store, "main", "pypi", upstream.base + "/simple/", None, "cli:test")
        app = create_app(ApiSettings(database_url=store.url), store=store)
        rules = Rules()
        blobs = tmp_path / "blobs"
        indexes = PythonIndexes(
            store,
            BlobStore(blobs),
            upstream_ttl=0,
            decider=lambda _s, _d, _n: rules.decide,
            marker=lambda _s, _d, _p: rules.marker(),
        )
        app.state.python_indexes = indexes
        base, server, thread = _start(app)
        try:
            yield Harness(base, upstream, indexes, rules, store, blobs)
        finally:
            server.should_exit = True
            thread.join(timeout=30)
            indexes.close()
