"""VEX over the API: import a supplier's VEX onto a project version, export the version's
decisions (CycloneDX 1.6 SBOM with VEX, CycloneDX VEX, OpenVEX) and its VDR.

Import needs the ``write`` scope and the role admin, curator or member; exports need
``read``. Another tenant's project answers 404 exactly as a missing one does.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from ossmeta.errors import InputError, NotFoundError
from ossmeta.service import vex
from ossmeta.service.accounts import Principal
from ossmeta.store import Store
from ossmeta.surfaces.api.auth import remote_addr, require
from ossmeta.surfaces.api.deps import get_store
from ossmeta.surfaces.api.problems import ApiProblem
from ossmeta.surfaces.formats.openvex import openvex
from ossmeta.surfaces.formats.vex import cyclonedx_vex, vdr

router = APIRouter(prefix="/api/v1", tags=["vex"])

StoreDep = Annotated[Store, Depends(get_store)]
Reader = Annotated[Principal, Depends(require("read"))]
Writer = Annotated[Principal, Depends(require("write", roles=("admin", "curator", "member")))]
VexFormat = Literal["cyclonedx", "openvex"]

_CDX = "application/vnd.cyclonedx+json"
_OPENVEX = "application/json"
_DOCUMENT = {"content": {"application/json": {"schema": {"type": "object"}}}}


class AppliedOut(BaseModel):
    pointer: str
    vulnerability: str
    purl: str
    state: str
    justification: str | None
    decision: int


class SkippedOut(BaseModel):
    pointer: str
    vulnerability: str | None
    target: str | None
    reason: str


class VexImportOut(BaseModel):
    format: str
    document: str
    applied: list[AppliedOut]
    skipped: list[SkippedOut]


def _json(document: dict[str, Any], media_type: str) -> Response:
    return Response(orjson.dumps(document), 200, media_type=media_type)


@router.post(
    "/projects/{project}/versions/{version}/vex",
    response_model=VexImportOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "A CycloneDX VEX (JSON) or OpenVEX document, as published.",
            "content": {"application/octet-stream": {"schema": {"type": "string"}}},
        }
    },
)
async def import_vex(
    request: Request,
    project: str,
    version: str,
    store: StoreDep,
    principal: Writer,
    format: Annotated[
        VexFormat | None, Query(description="Detected from the document when left out.")
    ] = None,
) -> VexImportOut:
    """Apply a supplier's VEX to the version: each statement on a component the version
    holds and a vulnerability among its findings becomes a decision (author: the caller;
    comment: the document); every other line is listed in `skipped` with its reason. A
    document that is not VEX JSON is a 422 naming the JSON path."""
    body = await request.body()
    actor = principal.actor(remote_addr(request))
    try:
        done = await run_in_threadpool(
            vex.import_vex,
            store,
            principal.tenant_id,
            project,
            version,
            body,
            actor,
            format=format,
        )
    except NotFoundError:
        raise
    except InputError as error:
        raise ApiProblem(422, str(error), slug="invalid-vex", title="Invalid VEX") from None
    return VexImportOut(
        format=done.format,
        document=done.document,
        applied=[AppliedOut(**line.__dict__) for line in done.applied],
        skipped=[SkippedOut(**line.__dict__) for line in done.skipped],
    )


@router.get("/projects/{project}/versions/{version}/vex", responses={200: _DOCUMENT})
def export_vex(
    project: str,
    version: str,
    store: StoreDep,
    principal: Reader,
    format: VexFormat = "cyclonedx",
) -> Response:
    """The decisions in force on the version's findings: CycloneDX 1.6 VEX (components and
    the vulnerabilities that carry an analysis) or OpenVEX 0.2.0."""
    found = vex.export_data(store, principal.tenant_id, project, version)
    if format == "openvex":
        return _json(openvex(found.report, found.applied, project, version), _OPENVEX)
    document = cyclonedx_vex(found.report, found.applied, project, version, vex_only=True)
    return _json(document, _CDX)


@router.get("/projects/{project}/versions/{version}/sbom", responses={200: _DOCUMENT})
def export_sbom(
    project: str,
    version: str,
    store: StoreDep,
    principal: Reader,
    format: Literal["cyclonedx"] = "cyclonedx",
) -> Response:
    """The version's CycloneDX 1.6 SBOM with VEX: every component, every vulnerability,
    with the decision in force as its analysis."""
    del format  # the one format there is
    found = vex.export_data(store, principal.tenant_id, project, version)
    return _json(cyclonedx_vex(found.report, found.applied, project, version), _CDX)


@router.get("/projects/{project}/versions/{version}/vdr", responses={200: _DOCUMENT})
def export_vdr(project: str, version: str, store: StoreDep, principal: Reader) -> Response:
    """The version's CycloneDX 1.6 vulnerability disclosure report: vulnerabilities with
    the components they affect, ratings, and fixed versions (recommendation, and
    `affects[].versions` with status unaffected)."""
    found = vex.export_data(store, principal.tenant_id, project, version)
    return _json(vdr(found.report, project, version), _CDX)
