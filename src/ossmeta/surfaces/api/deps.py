"""Dependencies every router shares: the store and the settings of the running app."""

from __future__ import annotations

from fastapi import Request

from ossmeta.store import Store
from ossmeta.surfaces.api.settings import ApiSettings

__all__ = ["get_settings", "get_store"]


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings
