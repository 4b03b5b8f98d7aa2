"""The tenant workspace: projects, their versions, inventory upload, findings with VEX
triage, and components with their joined metadata.

Every page calls the service functions the API's project routes call, inside the logged-in
user's tenant, with the API's rule: anyone of the tenant reads, a role with the ``write``
scope changes (not a viewer). Another tenant's project is "not found", as in the API.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from ossmeta.errors import ForbiddenError, InputError, NotFoundError, SourceError
from ossmeta.model import SeverityLevel
from ossmeta.service import decisions as vex
from ossmeta.service import inventories
from ossmeta.service.inventories_components import ComponentFilter, components
from ossmeta.service.policy_violations import version_violations
from ossmeta.surfaces.web.paging import decode_position, encode_position
from ossmeta.surfaces.web.render import app_store
from ossmeta.surfaces.web.session import (
    Signed,
    checked_form,
    problem_page,
    remote_addr,
    signed_in,
    tenant_page,
    to_login,
)

__all__ = ["router", "workspace_call"]

router = APIRouter(include_in_schema=False, prefix="/workspace")
PAGE_METHODS = ["GET", "HEAD"]
#: Components shown on one page; the rest follow through the "next page" link.
PAGE_SIZE = 200
#: The largest inventory the form takes; the API's body limit applies to it as well.
MAX_UPLOAD = 32 * 1024 * 1024
SEVERITIES = ("critical", "high", "medium", "low")


async def workspace_call(
    request: Request,
    act: Callable[[Signed], Awaitable[Response]],
    *,
    write: bool = False,
) -> Response:
    """The frame of every workspace page: log in first, the write rule for changes, the CSRF
    check for forms, and the service's errors as pages (never a 5xx, never another tenant's
    data)."""
    signed = signed_in(request)
    if signed is None:
        return to_login(request)
    if write and not signed.user.may("write"):
        return problem_page(request, signed, 403, "forbidden")
    try:
        return await act(signed)
    except NotFoundError as error:
        return problem_page(request, signed, 404, "not_found", reason=str(error))
    except ForbiddenError as error:
        return problem_page(request, signed, 403, "forbidden", reason=str(error))
    except SourceError as error:
        return problem_page(request, signed, 422, "bad_inventory", reason=str(error))
    except InputError as error:
        return problem_page(request, signed, 400, "bad_input", reason=str(error))


async def form_of(request: Request, signed: Signed) -> FormData:
    form = await checked_form(request, signed)
    if form is None:
        raise ForbiddenError("the form's CSRF token is missing or not this session's")
    return form


def text(form: FormData, name: str, limit: int = 1024) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _version_href(project: str, version: str) -> str:
    return f"/workspace/projects/{quote(project, safe='')}/versions/{quote(version, safe='')}"


def back(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


# ------------------------------------------------------------------ projects


@router.api_route("", methods=PAGE_METHODS, response_class=HTMLResponse)
async def projects_page(request: Request) -> Response:
    async def act(signed: Signed) -> Response:
        found = inventories.list_projects(
            app_store(request), signed.user.tenant_id, after="", limit=1000
        )
        return tenant_page(request, signed, "ws_projects.html", projects=found)

    return await workspace_call(request, act)


@router.post("/projects")
async def create_project(request: Request) -> Response:
    async def act(signed: Signed) -> Response:
        form = await form_of(request, signed)
        name = text(form, "name", 129)
        actor = signed.user.actor(remote_addr(request))
        inventories.create_project(app_store(request), signed.user.tenant_id, name, actor)
        return back(f"/workspace/projects/{quote(name, safe='')}")

    return await workspace_call(request, act, write=True)


@router.api_route("/projects/{project}", methods=PAGE_METHODS, response_class=HTMLResponse)
async def project_page(request: Request, project: str) -> Response:
    async def act(signed: Signed) -> Response:
        store, tenant = app_store(request), signed.user.tenant_id
        found = inventories.get_project(store, tenant, project)
        versions = inventories.list_versions(store, tenant, project, after=0, limit=1000)
        return tenant_page(request, signed, "ws_project.html", project=found, versions=versions)

    return await workspace_call(request, act)


@router.post("/projects/{project}/upload")
async def upload(request: Request, project: str) -> Response:
    async def act(signed: Signed) -> Response:
        form = await form_of(request, signed)
        version, file = text(form, "version", 128), form.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            await form.close()
            raise InputError("choose the inventory file to upload")
        try:
            body = await file.read(MAX_UPLOAD + 1)
        finally:
            await form.close()
        if len(body) > MAX_UPLOAD:
            raise InputError(f"the file is larger than {MAX_UPLOAD} bytes")
        await run_in_threadpool(
            inventories.upload,
            app_store(request),
            signed.user.tenant_id,
            project,
            version,
            file.filename,
            body,
            signed.user.actor(remote_addr(request)),
        )
        return back(_version_href(project, version))

    return await workspace_call(request, act, write=True)


# ------------------------------------------------------------------ findings and triage


def _findings(request: Request, signed: Signed, project: str, version: str) -> dict[str, Any]:
    store, tenant = app_store(request), signed.user.tenant_id
    found = inventories.get_version(store, tenant, project, version)
    report = inventories.findings_report(store, tenant, project, version)
    applied = vex.in_force(store, tenant, found, report)
    rows = [
        (cr, finding, applied.by_finding.get((position, finding.id)))
        for position, cr in enumerate(report.components)
        for finding in (*cr.findings, *cr.unknown)
    ]
    judged = version_violations(store, tenant, project, version)
    return {
        "pv": found,
        "rows": rows,
        "components": len(report.components),
        "violations": judged,
    }


@router.api_route(
    "/projects/{project}/versions/{version}", methods=PAGE_METHODS, response_class=HTMLResponse
)
async def version_page(request: Request, project: str, version: str) -> Response:
    async def act(signed: Signed) -> Response:
        shown = await run_in_threadpool(_findings, request, signed, project, version)
        return tenant_page(
            request,
            signed,
            "ws_findings.html",
            project=project,
            states=vex.VEX_STATES,
            justifications=vex.JUSTIFICATIONS,
            **shown,
        )

    return await workspace_call(request, act)


@router.post("/projects/{project}/versions/{version}/decisions")
async def decide(request: Request, project: str, version: str) -> Response:
    async def act(signed: Signed) -> Response:
        form = await form_of(request, signed)
        justification = text(form, "justification", 64) or None
        state = text(form, "state", 32)
        vex.decide(
            app_store(request),
            signed.user.tenant_id,
            project,
            version,
            purl=text(form, "purl"),
            advisory=text(form, "advisory", 128),
            state=state,
            # A justification belongs to not_affected only; the select stays in the form.
            justification=justification if state == "not_affected" else None,
            comment=text(form, "comment", 10000),
            carry_over_versions=text(form, "carry_over") == "1",
            actor=signed.user.actor(remote_addr(request)),
        )
        return back(_version_href(project, version) + "#findings")

    return await workspace_call(request, act, write=True)


# ------------------------------------------------------------------ components


def _tristate(value: str) -> bool | None:
    return {"direct": True, "transitive": False}.get(value)


@router.api_route(
    "/projects/{project}/versions/{version}/components",
    methods=PAGE_METHODS,
    response_class=HTMLResponse,
)
async def components_page(
    request: Request,
    project: str,
    version: str,
    severity: str = "",
    licence: str = "",
    maintenance: str = "",
    kind: str = "",
    cursor: str = "",
) -> Response:
    async def act(signed: Signed) -> Response:
        after = decode_position(cursor) if cursor else -1
        if severity and severity not in SEVERITIES:
            raise InputError(f"severity must be one of {', '.join(SEVERITIES)}")
        wanted = ComponentFilter(
            severity=SeverityLevel[severity.upper()] if severity else None,
            licence=licence[:256] or None,
            direct=_tristate(kind),
            maintenance=maintenance[:64] or None,
        )
        found = await run_in_threadpool(
            components,
            app_store(request),
            signed.user.tenant_id,
            project,
            version,
            wanted,
            after=after,
            limit=PAGE_SIZE + 1,  # the extra row only says there is a next page
        )
        shown = found[:PAGE_SIZE]
        chosen = {
            "severity": severity,
            "licence": licence,
            "maintenance": maintenance,
            "kind": kind,
        }
        following = None
        if len(found) > PAGE_SIZE:
            kept = {name: value for name, value in chosen.items() if value}
            following = {**kept, "cursor": encode_position(shown[-1].position)}
        return tenant_page(
            request,
            signed,
            "ws_components.html",
            project=project,
            version_name=version,
            items=[view.data for view in shown],
            following=following,
            severities=SEVERITIES,
            chosen=chosen,
        )

    return await workspace_call(request, act)
