"""The pages' routers, one module per area, each exporting ``router`` (an ``APIRouter`` with
``include_in_schema=False``: pages answer HTML for people and stay out of the OpenAPI
document). ``ROUTERS`` is what ``install_web`` includes: a new area (the tenant workspace,
the curation queue) is a new module here and one line in the list."""

from __future__ import annotations

from fastapi import APIRouter

from ossmeta.surfaces.web.routes import (
    auth,
    curation,
    program,
    program_admin,
    program_awards,
    program_milestones,
    public,
    public_more,
    workspace,
    workspace_more,
)

ROUTERS: tuple[APIRouter, ...] = (
    public.router,
    public_more.router,
    auth.router,
    workspace.router,
    workspace_more.router,
    curation.router,
    program.router,
    program_milestones.router,
    program_awards.router,
    program_admin.router,
)
