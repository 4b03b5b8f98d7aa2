"""The site under test: the real app (API and pages) on uvicorn, on a free loopback port, in
a thread, over a migrated store holding ``world``'s data (SQLite, and PostgreSQL when
``OSSMETA_TEST_DATABASE_URL`` is set: the ``store`` fixture is parametrized over both)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from ossmeta.store import Store
from ossmeta.surfaces.api.app import create_app
from ossmeta.surfaces.api.settings import ApiSettings
from tests.web.world import seed


def serve(store: Store) -> Iterator[str]:
    app = create_app(ApiSettings(database_url=store.url), store=store)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    ready = threading.Event()
    for _ in range(1000):
        if server.started or not thread.is_alive():
            break
        ready.wait(0.01)
    if not server.started:
        raise RuntimeError("the site did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def site(store: Store, tmp_path: Path) -> Iterator[str]:
    """The base URL of the site over the seeded store."""
    seed(store, tmp_path)
    yield from serve(store)


@pytest.fixture
def web(site: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site, timeout=30) as client:
        yield client
