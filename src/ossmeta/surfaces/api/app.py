"""``create_app(settings)``: the API over the same store as the CLI.

Routers live in ``ossmeta.surfaces.api.routes`` (one module each, listed in ``ROUTERS``);
errors are RFC 9457 problems (``problems``); callers are authenticated by bearer tokens
(``auth``); lists are cursor-paginated (``pagination``); public resources carry ETags
(``etags``). OpenAPI 3.1 is served at ``/openapi.json``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig
from starlette.middleware.gzip import GZipMiddleware

from ossmeta import __version__
from ossmeta.store import Store, open_store
from ossmeta.surfaces.api.middleware import BodyLimit, RequestContext
from ossmeta.surfaces.api.openapi import document_problems
from ossmeta.surfaces.api.package_cache import PackageCache
from ossmeta.surfaces.api.problems import install_problem_handlers
from ossmeta.surfaces.api.routes import ROUTERS
from ossmeta.surfaces.api.settings import GZIP_MIN_SIZE, ApiSettings
from ossmeta.surfaces.index import install_index
from ossmeta.surfaces.web import install_web

__all__ = ["ApiSettings", "create_app", "open_api_store"]


def open_api_store(settings: ApiSettings) -> Store:
    """The store the API serves, which must exist and be current (``ossmeta db upgrade``);
    opened for writing, as tenants write to it."""
    # A connection kept for each thread that runs routes, so none waits for one or opens
    # and closes one per request; a few over for the in-process worker.
    store = open_store(settings.database_url, access="write", pool_size=settings.threads + 4)
    try:
        store.ensure_current()
    except BaseException:
        store.dispose()
        raise
    return store


def _telemetry() -> TelemetryConfig:
    """FastAPI's OpenTelemetry bridge looks for a configured provider on every request (a
    tenth of the CPU of a cached package lookup): it is on only when the environment
    configures OpenTelemetry as the app starts."""
    if any(name.startswith(("OTEL_", "FASTAPI_OTEL_")) for name in os.environ):
        return {}
    return {"tracing": False, "metrics": False, "logs": False}


def create_app(settings: ApiSettings, store: Store | None = None) -> FastAPI:
    """The API. ``store`` (already open and current) is used when given; else the one
    ``settings`` names is opened now (so a missing store fails at start, not on the first
    request) and closed with the app."""
    opened = store or open_api_store(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Sync routes run on anyio's thread pool; as many threads as the store has
        # connections for them.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        yield
        if store is None:
            opened.dispose()

    app = FastAPI(
        title="ossmeta",
        version=__version__,
        summary="Open-source metadata center: packages, advisories, metrics; tenants' "
        "inventories and monitoring.",
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        lifespan=lifespan,
        telemetry=_telemetry(),
    )
    app.state.store = opened
    app.state.settings = settings
    app.state.package_cache = PackageCache(
        opened, settings.package_cache_entries, settings.package_cache_bytes
    )
    install_problem_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    install_index(app)
    install_web(app)
    document_problems(app)
    # Outermost last: the request id and the catch-all see everything, the body limit
    # counts what reaches the routes, gzip compresses what they answer.
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_SIZE)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, timeout=settings.body_timeout)
    app.add_middleware(RequestContext)
    return app
