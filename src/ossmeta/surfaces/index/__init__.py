"""The package indexes ossmeta serves to unmodified pip, uv and npm: ``/index/NAME/simple/``
(PEP 503/691) and ``/index/NAME/npm/`` (the npm registry API), each gated by its policy.
Mounted on the same application as the API and the web pages."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

__all__ = ["install_index"]


def install_index(app: FastAPI) -> None:
    """Add the index routes to ``app``."""
    for router in _routers():
        app.include_router(router)


def _routers() -> list[APIRouter]:
    # Each ecosystem's routes live in their own module and are listed here.
    from ossmeta.surfaces.index import npm
    from ossmeta.surfaces.index.pypi import router as pypi

    return [pypi, npm.router]
