"""The API's routers, one module per area, each exporting ``router`` (an ``APIRouter``
whose paths start with ``/api/v1``). ``ROUTERS`` is what the app includes: a new area is a
new module here and one line in the list."""

from __future__ import annotations

from fastapi import APIRouter

from ossmeta.surfaces.api.routes import (
    accounts,
    findings,
    health,
    program_milestones,
    projects,
    public,
    webhooks,
)
from ossmeta.surfaces.api.routes import private as private_routes
from ossmeta.surfaces.api.routes import program as program_routes
from ossmeta.surfaces.api.routes import program_admin as program_admin_routes
from ossmeta.surfaces.api.routes import program_awards as program_award_routes
from ossmeta.surfaces.api.routes import vex as vex_routes
from ossmeta.surfaces.api.routes import violations as violation_routes

ROUTERS: tuple[APIRouter, ...] = (
    public.router,
    accounts.router,
    projects.router,
    health.router,
    findings.router,
    webhooks.router,
    vex_routes.router,
    private_routes.router,
    violation_routes.router,
    program_routes.router,
    program_milestones.router,
    program_award_routes.router,
    program_admin_routes.router,
)
