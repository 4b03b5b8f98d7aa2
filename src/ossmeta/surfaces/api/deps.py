"""Dependencies every router shares: the store, the settings and the package cache of the
running app. They are coroutines, so FastAPI calls them on the event loop rather than
sending each to the thread pool (a thread hop per dependency per request)."""

from __future__ import annotations

from fastapi import Request

from ossmeta.store import Store
from ossmeta.surfaces.api.package_cache import PackageCache
from ossmeta.surfaces.api.settings import ApiSettings

__all__ = ["get_package_cache", "get_settings", "get_store"]


async def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def get_settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


async def get_package_cache(request: Request) -> PackageCache:
    cache: PackageCache = request.app.state.package_cache
    return cache
