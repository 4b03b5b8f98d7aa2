"""A tenant's projects over the API: projects, versions, inventory upload, findings (the
``ossmeta.scan/1`` document of ``ossmeta scan --format json``), components joined with the
center's knowledge, VEX decisions, where-used and the portfolio.

Readers need the ``read`` scope (every role); changes need ``write`` and the role admin,
curator or member. Another tenant's project answers 404 exactly as a missing one does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from ossmeta.errors import SourceError
from ossmeta.model import ScanReport, SeverityLevel
from ossmeta.service import decisions as vex
from ossmeta.service import inventories
from ossmeta.service.accounts import Principal
from ossmeta.service.inventories_components import (
    ComponentFilter,
    analysis,
    components,
)
from ossmeta.service.inventories_portfolio import portfolio
from ossmeta.service.policy_violations import version_violations
from ossmeta.store import Store
from ossmeta.surfaces.api.auth import remote_addr, require
from ossmeta.surfaces.api.deps import get_store
from ossmeta.surfaces.api.pagination import Page, PageRequest, page_request
from ossmeta.surfaces.api.problems import ApiProblem
from ossmeta.surfaces.formats.jsonfmt import to_dict

router = APIRouter(prefix="/api/v1", tags=["projects"])

StoreDep = Annotated[Store, Depends(get_store)]
Reader = Annotated[Principal, Depends(require("read"))]
Writer = Annotated[Principal, Depends(require("write", roles=("admin", "curator", "member")))]
PageDep = Annotated[PageRequest, Depends(page_request)]
Severity = Literal["critical", "high", "medium", "low", "none", "unknown"]
VexState = Literal["in_triage", "exploitable", "not_affected", "false_positive", "resolved"]

_SCAN_DOCUMENT = {
    "description": "The findings as the `ossmeta.scan/1` document (`ossmeta scan --format "
    "json`); each vulnerability also carries `analysis`: the VEX decision in force or null.",
    "content": {"application/json": {"schema": {"type": "object"}}},
}


class NewProject(BaseModel):
    name: str = Field(min_length=1, max_length=128)


class ProjectOut(BaseModel):
    name: str
    created_at: datetime


class VersionOut(BaseModel):
    name: str
    filename: str
    sha256: str
    uploaded_at: datetime
    uploaded_by: str
    violations: dict[str, Any] | None = Field(
        default=None,
        description="In the version document only: the policy that judges the inventory "
        "and the count of its violations in force, by class (`license`, `security`, "
        "`operational`), and of waived ones; the list is at `.../violations`.",
    )


class UsedInOut(BaseModel):
    project: str
    version: str


class ComponentOut(BaseModel):
    """A component with what the center knows; unknown values are null with a reason."""

    model_config = {"extra": "allow"}
    known: bool = Field(description="Whether the center holds the component's package.")
    purl: str | None
    name: str
    version: str | None


class DecisionIn(BaseModel):
    purl: str = Field(min_length=1, max_length=1024, examples=["pkg:pypi/jinja2@2.10"])
    advisory: str = Field(
        min_length=1,
        max_length=128,
        description="Any id of the alias group.",
        examples=["CVE-2019-10906"],
    )
    state: VexState
    justification: str | None = Field(
        None, max_length=64, description="CycloneDX or OpenVEX name; needed for not_affected."
    )
    comment: str = Field("", max_length=10000)
    carry_over_versions: bool = False


class DecisionOut(BaseModel):
    id: int
    purl: str
    advisory: str
    advisory_ids: list[str]
    state: str
    justification: str | None
    comment: str
    carry_over_versions: bool
    author: str
    at: datetime


class PortfolioOut(BaseModel):
    projects: int
    components: int
    severity: dict[str, int]
    suppressed: int
    licence: dict[str, int]
    maintenance: dict[str, int]
    per_project: list[dict[str, Any]]


def _project(found: inventories.Project) -> ProjectOut:
    return ProjectOut(name=found.name, created_at=found.created_at)


def _version(found: inventories.ProjectVersion) -> VersionOut:
    return VersionOut(
        name=found.name,
        filename=found.filename,
        sha256=found.sha256,
        uploaded_at=found.uploaded_at,
        uploaded_by=found.uploaded_by,
    )


def _decision(found: vex.StoredDecision) -> DecisionOut:
    return DecisionOut(
        id=found.id,
        purl=f"{found.package_purl}@{found.component_version}",
        advisory=found.advisory_id,
        advisory_ids=list(found.advisory_ids),
        state=found.state,
        justification=found.justification,
        comment=found.comment,
        carry_over_versions=found.carry_over_versions,
        author=found.author,
        at=found.at,
    )


def _document(report: ScanReport, applied: vex.Applied, status_code: int = 200) -> Response:
    document = to_dict(report)
    for position, component in enumerate(document["components"]):
        for key in ("vulnerabilities", "unknown"):
            for item in component[key]:
                item["analysis"] = analysis(applied.by_finding.get((position, item["id"])))
    return Response(orjson.dumps(document), status_code, media_type="application/json")


# ------------------------------------------------------------------ projects and versions


@router.post(
    "/projects",
    response_model=ProjectOut,
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "The tenant has a project of that name."}},
)
def create_project(
    request: Request, body: NewProject, store: StoreDep, principal: Writer
) -> ProjectOut:
    """A new project of the caller's tenant (409 when the name is taken)."""
    try:
        found = inventories.create_project(
            store, principal.tenant_id, body.name, principal.actor(remote_addr(request))
        )
    except inventories.ProjectExists as error:
        raise ApiProblem(409, str(error)) from None
    return _project(found)


@router.get("/projects", response_model=Page[ProjectOut])
def list_projects(store: StoreDep, principal: Reader, page: PageDep) -> dict[str, Any]:
    """The tenant's projects by name."""
    found = inventories.list_projects(
        store, principal.tenant_id, after=page.after(""), limit=page.limit + 1
    )
    return page.page([_project(p) for p in found], key=lambda p: p.name)


@router.get("/projects/{project}", response_model=ProjectOut)
def get_project(project: str, store: StoreDep, principal: Reader) -> ProjectOut:
    return _project(inventories.get_project(store, principal.tenant_id, project))


@router.get("/projects/{project}/versions", response_model=Page[VersionOut])
def list_versions(
    project: str, store: StoreDep, principal: Reader, page: PageDep
) -> dict[str, Any]:
    """The project's versions in the order they were first uploaded."""
    found = inventories.list_versions(
        store, principal.tenant_id, project, after=page.after(0), limit=page.limit + 1
    )
    shown = [(v.id, _version(v)) for v in found]
    result = page.page(shown, key=lambda pair: pair[0])
    result["items"] = [v for _, v in result["items"]]
    return result


@router.get("/projects/{project}/versions/{version}", response_model=VersionOut)
def get_version(project: str, version: str, store: StoreDep, principal: Reader) -> VersionOut:
    found = _version(inventories.get_version(store, principal.tenant_id, project, version))
    report = version_violations(store, principal.tenant_id, project, version)
    return found.model_copy(update={"violations": report.summary()})


# ------------------------------------------------------------------ inventory and findings


@router.put(
    "/projects/{project}/versions/{version}/inventory",
    responses={200: _SCAN_DOCUMENT, 201: _SCAN_DOCUMENT},
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The file itself: any lockfile, manifest or SBOM `ossmeta scan` "
            "reads; `filename` says which format it is.",
            "content": {"application/octet-stream": {"schema": {"type": "string"}}},
        }
    },
)
async def upload_inventory(
    request: Request,
    project: str,
    version: str,
    filename: Annotated[str, Query(min_length=1, max_length=255, examples=["uv.lock"])],
    store: StoreDep,
    principal: Writer,
) -> Response:
    """Upload the version's inventory: 201 when the version is new, 200 when it existed
    (the same content again changes nothing; new content replaces the inventory whole).
    A file that is not what its name says is a 422 naming the file and line."""
    body = await request.body()
    actor = principal.actor(remote_addr(request))
    try:
        done = await run_in_threadpool(
            inventories.upload, store, principal.tenant_id, project, version, filename, body, actor
        )
    except SourceError as error:
        raise ApiProblem(
            422, str(error), slug="invalid-inventory", title="Invalid inventory"
        ) from None
    applied = await run_in_threadpool(
        vex.in_force, store, principal.tenant_id, done.version, done.report
    )
    return _document(done.report, applied, 201 if done.created else 200)


@router.get("/projects/{project}/versions/{version}/findings", responses={200: _SCAN_DOCUMENT})
def findings(project: str, version: str, store: StoreDep, principal: Reader) -> Response:
    """The version's findings, as the upload answered them, with the decisions in force."""
    found = inventories.get_version(store, principal.tenant_id, project, version)
    report = inventories.findings_report(store, principal.tenant_id, project, version)
    return _document(report, vex.in_force(store, principal.tenant_id, found, report))


@router.get("/projects/{project}/versions/{version}/components", response_model=Page[ComponentOut])
def list_components(
    project: str,
    version: str,
    store: StoreDep,
    principal: Reader,
    page: PageDep,
    severity: Annotated[
        Severity | None, Query(description="Only components with a finding at or above it.")
    ] = None,
    licence: Annotated[
        str | None, Query(max_length=256, description="An SPDX expression, or `unknown`.")
    ] = None,
    direct: Annotated[
        bool | None, Query(description="true: direct dependencies; false: transitive.")
    ] = None,
    maintenance: Annotated[
        str | None,
        Query(
            max_length=64,
            description="The repository's latest maintenance status (`active`, ...), or `unknown`.",
        ),
    ] = None,
) -> dict[str, Any]:
    """The version's components joined with what the center knows (findings with their
    decisions, effective licence, repository, maintenance status, activity, OpenRank,
    registry status, health score); unknown values are null with a reason, and `known` is
    false for a package the center does not hold."""
    wanted = ComponentFilter(
        severity=SeverityLevel[severity.upper()] if severity else None,
        licence=licence,
        direct=direct,
        maintenance=maintenance,
    )
    found = components(
        store,
        principal.tenant_id,
        project,
        version,
        wanted,
        after=page.after(-1),
        limit=page.limit + 1,
    )
    result = page.page(found, key=lambda view: view.position)
    result["items"] = [view.data for view in result["items"]]
    return result


# ------------------------------------------------------------------ decisions


@router.put(
    "/projects/{project}/versions/{version}/decisions",
    response_model=DecisionOut,
    status_code=status.HTTP_201_CREATED,
)
def decide(
    request: Request,
    project: str,
    version: str,
    body: DecisionIn,
    store: StoreDep,
    principal: Writer,
) -> DecisionOut:
    """Record a VEX decision on a finding: it applies to the whole alias group, and to
    later project versions holding the same package version (or, with
    `carry_over_versions`, any later version of the package)."""
    made = vex.decide(
        store,
        principal.tenant_id,
        project,
        version,
        purl=body.purl,
        advisory=body.advisory,
        state=body.state,
        justification=body.justification,
        comment=body.comment,
        carry_over_versions=body.carry_over_versions,
        actor=principal.actor(remote_addr(request)),
    )
    return _decision(made)


@router.get("/projects/{project}/versions/{version}/decisions", response_model=Page[DecisionOut])
def decision_history(
    project: str, version: str, store: StoreDep, principal: Reader, page: PageDep
) -> dict[str, Any]:
    """Every decision made on this version or an earlier one of the project, oldest first
    (the latest that applies to a finding is the one in force)."""
    after = page.after(0)
    found = vex.history(store, principal.tenant_id, project, version)
    shown = [_decision(d) for d in found if d.id > after][: page.limit + 1]
    return page.page(shown, key=lambda decision: decision.id)


# ------------------------------------------------------------------ across projects


@router.get("/where-used", response_model=Page[UsedInOut])
def where_used(
    store: StoreDep,
    principal: Reader,
    page: PageDep,
    purl: Annotated[
        str | None,
        Query(max_length=1024, description="`pkg:pypi/jinja2` or `pkg:pypi/jinja2@2.10`."),
    ] = None,
    advisory: Annotated[
        str | None, Query(max_length=128, description="Any id of the alias group.")
    ] = None,
) -> dict[str, Any]:
    """Project versions holding a package (at a version), or affected by an advisory."""
    after = page.after(["", ""])
    if len(after) != 2 or not all(isinstance(part, str) for part in after):
        raise ApiProblem(400, "the cursor is not one this API gave out")
    found = inventories.where_used(
        store,
        principal.tenant_id,
        purl=purl,
        advisory=advisory,
        after=(after[0], after[1]),
        limit=page.limit + 1,
    )
    items = [UsedInOut(project=u.project, version=u.version) for u in found]
    return page.page(items, key=lambda u: [u.project, u.version])


@router.get("/portfolio", response_model=PortfolioOut)
def get_portfolio(store: StoreDep, principal: Reader) -> PortfolioOut:
    """Counts across the tenant's projects (each at its latest version): open findings by
    severity, components by licence and by maintenance status."""
    found = portfolio(store, principal.tenant_id)
    return PortfolioOut(
        projects=found.projects,
        components=found.components,
        severity=found.severity,
        suppressed=found.suppressed,
        licence=found.licence,
        maintenance=found.maintenance,
        per_project=found.per_project,
    )
