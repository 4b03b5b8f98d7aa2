"""A tenant's private data over the API: advisories (OSV records under ids the tenant
chooses), packages of its own and curations. Visible only inside the tenant: another
tenant's record answers 404 exactly as a missing one, and the public advisory routes
never show a private record.

Readers need the ``read`` scope (every role); changes need ``write`` and the role admin
or curator.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Query, Request, status
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ossmeta.service import private
from ossmeta.service.accounts import Principal
from ossmeta.store import Store
from ossmeta.store.advisories import RejectedImport
from ossmeta.surfaces.api.auth import remote_addr, require
from ossmeta.surfaces.api.deps import get_store
from ossmeta.surfaces.api.pagination import Page, PageRequest, page_request
from ossmeta.surfaces.api.problems import ApiProblem

router = APIRouter(prefix="/api/v1/private", tags=["private"])

StoreDep = Annotated[Store, Depends(get_store)]
Reader = Annotated[Principal, Depends(require("read"))]
Writer = Annotated[Principal, Depends(require("write", roles=("admin", "curator")))]
PageDep = Annotated[PageRequest, Depends(page_request)]

OsvBody = Annotated[
    dict[str, Any] | list[dict[str, Any]],
    Body(
        description="One OSV record, or a list of them (at most 1,000), with ids of the "
        "tenant's choosing; a private id may equal a public advisory's id.",
    ),
]
MAX_RECORDS = 1000


class ImportOut(BaseModel):
    read: int
    added: int
    updated: int
    unchanged: int
    older: int
    withdrawn: int
    changed: list[str] = Field(description="Ids whose record was added or replaced.")
    shadowing: list[str] = Field(
        description="Ids that are also public advisories' ids: inside this tenant the "
        "private record stands in for the public one."
    )
    notes: list[str]
    reevaluation_job: int | None = Field(
        description="The job that matches the tenant's inventories again, when one was queued."
    )


class AdvisorySummary(BaseModel):
    id: str
    modified: datetime
    withdrawn: datetime | None
    summary: str
    aliases: list[str]
    imported_at: datetime
    imported_by: str


class AdvisoryOut(AdvisorySummary):
    content_hash: str
    locator: str
    record: dict[str, Any]


class PackageIn(BaseModel):
    purl: str = Field(min_length=1, max_length=1024, examples=["pkg:pypi/acme-billing"])
    description: str | None = Field(None, max_length=10000)
    license: str | None = Field(None, max_length=512, description="An SPDX expression.")
    repository: str | None = Field(None, max_length=1024)


class PackageOut(BaseModel):
    purl: str
    ecosystem: str
    name: str
    description: str | None
    license: str | None
    repository: str | None
    created_at: datetime
    created_by: str


class CurationIn(BaseModel):
    purl: str = Field(min_length=1, max_length=1024)
    field: Literal["license", "repository"]
    value: str = Field(min_length=1, max_length=1024)
    reason: str = Field(min_length=1, max_length=10000)


class CurationOut(BaseModel):
    id: int
    purl: str
    field: str
    value: str
    reason: str
    author: str
    created_at: datetime


def _summary(found: private.PrivateAdvisory) -> AdvisorySummary:
    return AdvisorySummary(
        id=found.id,
        modified=found.modified,
        withdrawn=found.withdrawn,
        summary=found.summary,
        aliases=list(found.aliases),
        imported_at=found.imported_at,
        imported_by=found.imported_by,
    )


def _package(found: private.PrivatePackage) -> PackageOut:
    return PackageOut(
        purl=found.purl,
        ecosystem=found.ecosystem,
        name=found.name,
        description=found.description,
        license=found.license,
        repository=found.repository,
        created_at=found.created_at,
        created_by=found.created_by,
    )


def _curation(found: private.PrivateCuration) -> CurationOut:
    return CurationOut(
        id=found.id,
        purl=found.purl,
        field=found.field,
        value=found.value,
        reason=found.reason,
        author=found.author,
        created_at=found.created_at,
    )


def shadow_note(advisory_id: str) -> str:
    return (
        f"{advisory_id} is also a public advisory's id: it is your own record, and inside "
        "your tenant it stands in for the public one"
    )


# ------------------------------------------------------------------ advisories


@router.post(
    "/advisories",
    response_model=ImportOut,
    responses={201: {"model": ImportOut, "description": "At least one record was added."}},
)
def import_advisories(
    request: Request, body: OsvBody, response: Response, store: StoreDep, principal: Writer
) -> ImportOut:
    """Import private OSV records, all or nothing: 201 when a record was added, 200
    otherwise (the same records again change nothing); a bad record is a 422 listing every
    bad one."""
    if isinstance(body, list) and len(body) > MAX_RECORDS:
        raise ApiProblem(413, f"at most {MAX_RECORDS} records per request")
    try:
        stats = private.import_json(
            store, principal.tenant_id, body, principal.actor(remote_addr(request))
        )
    except RejectedImport as rejected:
        raise ApiProblem(
            422,
            str(rejected),
            slug="invalid-advisory",
            title="Invalid advisory",
            # The shape every 422 has (openapi.PROBLEM_SCHEMA): each bad record's message
            # names the record itself.
            extra={
                "errors": [
                    {"location": ["body"], "message": str(problem)} for problem in rejected.problems
                ]
            },
        ) from None
    response.status_code = status.HTTP_201_CREATED if stats.added else status.HTTP_200_OK
    return ImportOut(
        read=stats.read,
        added=stats.added,
        updated=stats.updated,
        unchanged=stats.unchanged,
        older=stats.older,
        withdrawn=stats.withdrawn,
        changed=stats.changed,
        shadowing=stats.shadowing,
        notes=[shadow_note(i) for i in stats.shadowing],
        reevaluation_job=stats.reevaluation,
    )


@router.get("/advisories", response_model=Page[AdvisorySummary])
def list_advisories(store: StoreDep, principal: Reader, page: PageDep) -> dict[str, Any]:
    """The tenant's private advisories by id."""
    found = private.list_advisories(
        store, principal.tenant_id, after=page.after(""), limit=page.limit + 1
    )
    return page.page([_summary(a) for a in found], key=lambda a: a.id)


@router.get("/advisories/{private_id}", response_model=AdvisoryOut)
def get_advisory(private_id: str, store: StoreDep, principal: Reader) -> AdvisoryOut:
    """One private record as imported."""
    found = private.get_advisory(store, principal.tenant_id, private_id)
    return AdvisoryOut(
        **_summary(found).model_dump(),
        content_hash=found.content_hash,
        locator=found.locator,
        record=found.record,
    )


@router.delete("/advisories/{private_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_advisory(
    request: Request, private_id: str, store: StoreDep, principal: Writer
) -> Response:
    private.delete_advisory(
        store, principal.tenant_id, private_id, principal.actor(remote_addr(request))
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ------------------------------------------------------------------ packages


@router.post(
    "/packages",
    response_model=PackageOut,
    responses={201: {"model": PackageOut, "description": "The package is new."}},
)
def register_package(
    request: Request, body: PackageIn, response: Response, store: StoreDep, principal: Writer
) -> PackageOut:
    """Register one of the tenant's own packages (purl without a version), or replace its
    metadata: its components show as private, never as unknown, and the center's
    registry data is never consulted for it."""
    found, created = private.register_package(
        store,
        principal.tenant_id,
        body.purl,
        principal.actor(remote_addr(request)),
        description=body.description,
        license=body.license,
        repository=body.repository,
    )
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return _package(found)


@router.get("/packages", response_model=Page[PackageOut])
def list_packages(store: StoreDep, principal: Reader, page: PageDep) -> dict[str, Any]:
    found = private.list_packages(
        store, principal.tenant_id, after=page.after(""), limit=page.limit + 1
    )
    return page.page([_package(p) for p in found], key=lambda p: p.purl)


@router.delete("/packages", status_code=status.HTTP_204_NO_CONTENT)
def delete_package(
    request: Request,
    purl: Annotated[str, Query(min_length=1, max_length=1024)],
    store: StoreDep,
    principal: Writer,
) -> Response:
    private.delete_package(store, principal.tenant_id, purl, principal.actor(remote_addr(request)))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ------------------------------------------------------------------ curations


@router.post(
    "/curations",
    response_model=CurationOut,
    responses={201: {"model": CurationOut, "description": "The field had no correction."}},
)
def curate(
    request: Request, body: CurationIn, response: Response, store: StoreDep, principal: Writer
) -> CurationOut:
    """Correct a package's licence or repository for this tenant only (replacing its
    earlier correction of that field); the tenant's component join shows the correction."""
    found, created = private.curate(
        store,
        principal.tenant_id,
        body.purl,
        body.field,
        body.value,
        body.reason,
        principal.actor(remote_addr(request)),
    )
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return _curation(found)


@router.get("/curations", response_model=Page[CurationOut])
def list_curations(store: StoreDep, principal: Reader, page: PageDep) -> dict[str, Any]:
    found = private.list_curations(
        store, principal.tenant_id, after=page.after(0), limit=page.limit + 1
    )
    return page.page([_curation(c) for c in found], key=lambda c: c.id)


@router.delete("/curations/{curation_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_curation(
    request: Request,
    curation_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    store: StoreDep,
    principal: Writer,
) -> Response:
    private.delete_curation(
        store, principal.tenant_id, curation_id, principal.actor(remote_addr(request))
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
