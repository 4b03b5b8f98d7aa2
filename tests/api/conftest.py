"""The API under test: the real app on uvicorn, on a free loopback port, in a thread, over
a migrated store (SQLite, and PostgreSQL when ``OSSMETA_TEST_DATABASE_URL`` is set: the
``store`` fixture is parametrized over both).

    def test_something(api: ApiServer) -> None:
        token = api.account("acme", "alice", role="admin", scopes=("read", "write", "admin"))
        with api.client(token) as http:
            assert http.get("/api/v1/me").json()["login"] == "alice"

``api_factory(settings)`` starts another app over the same store with other settings (a
small body limit, say); ``serve_app(app)`` serves any app and gives its base URL.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from ossmeta.service import accounts
from ossmeta.store import Store
from ossmeta.surfaces.api.app import create_app
from ossmeta.surfaces.api.settings import ApiSettings

OPERATOR = accounts.Actor("cli:test-operator")


@dataclass
class ApiServer:
    """A running API: its base URL, the store under it, and helpers to make accounts."""

    base: str
    store: Store
    _tenants: dict[str, accounts.Tenant] = field(default_factory=dict)

    def client(self, token: str | None = None, **options: object) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.base, headers=headers, timeout=30, **options)  # type: ignore[arg-type]

    def tenant(self, name: str) -> accounts.Tenant:
        if name not in self._tenants:
            self._tenants[name] = accounts.create_tenant(self.store, name, OPERATOR)
        return self._tenants[name]

    def account(
        self,
        tenant: str,
        login: str,
        *,
        role: str = "admin",
        scopes: tuple[str, ...] = ("read", "write"),
    ) -> str:
        """A token for ``login`` (created with ``role`` in ``tenant`` if new)."""
        found = self.tenant(tenant)
        accounts.create_user(self.store, login, tenant, role, None, OPERATOR)
        return accounts.create_token(
            self.store, login, actor=OPERATOR, tenant_id=found.id, scopes=scopes
        ).secret


@dataclass
class _Running:
    server: uvicorn.Server
    thread: threading.Thread


def _start(app: FastAPI) -> tuple[str, _Running]:
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
        raise RuntimeError("the API did not start")
    return f"http://127.0.0.1:{port}", _Running(server, thread)


def _stop(running: _Running) -> None:
    running.server.should_exit = True
    running.thread.join(timeout=30)


@pytest.fixture
def serve_app() -> Iterator[Callable[[FastAPI], str]]:
    """Serve any app (one a test has added routes to, say) on loopback; its base URL."""
    started: list[_Running] = []

    def start(app: FastAPI) -> str:
        base, running = _start(app)
        started.append(running)
        return base

    yield start
    for running in started:
        _stop(running)


@pytest.fixture
def api_factory(
    store: Store, serve_app: Callable[[FastAPI], str]
) -> Callable[[ApiSettings], ApiServer]:
    def start(settings: ApiSettings) -> ApiServer:
        app = create_app(replace(settings, database_url=store.url), store=store)
        return ApiServer(serve_app(app), store)

    return start


@pytest.fixture
def api(api_factory: Callable[[ApiSettings], ApiServer]) -> ApiServer:
    return api_factory(ApiSettings())
