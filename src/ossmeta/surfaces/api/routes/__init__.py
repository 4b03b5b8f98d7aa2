"""The API's routers, one module per area, each exporting ``router`` (an ``APIRouter``
whose paths start with ``/api/v1``). ``ROUTERS`` is what the app includes: a new area is a
new module here and one line in the list."""

from __future__ import annotations

from fastapi import APIRouter

from ossmeta.surfaces.api.routes import accounts, findings, health, projects, public

ROUTERS: tuple[APIRouter, ...] = (
    public.router,
    accounts.router,
    projects.router,
    health.router,
    findings.router,
)
