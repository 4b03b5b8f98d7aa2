"""Public findings lookup: ``POST /api/v1/findings:batch`` answers, for up to 1,000
``purl@version``s, the advisories that affect each (alias groups, severities, fixed
versions, the smallest clearing upgrade), as ``ossmeta scan`` would find them. No token
needed: it reads only the public advisories."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from ossmeta.service.findings_batch import findings_batch
from ossmeta.store import Store
from ossmeta.surfaces.api.deps import get_store
from ossmeta.surfaces.api.routes.public import MAX_BATCH

router = APIRouter(prefix="/api/v1", tags=["public"])

StoreDep = Annotated[Store, Depends(get_store)]


class FindingsRequest(BaseModel):
    purls: list[str] = Field(
        min_length=1,
        max_length=MAX_BATCH,
        description=f"Up to {MAX_BATCH} purls, each naming a version (`pkg:pypi/jinja2@2.10`).",
    )


class BatchFinding(BaseModel):
    id: str = Field(description="The id chosen for the alias group.")
    aliases: list[str] = Field(description="Every other id of the group.")
    verdict: str
    severity: str
    score: float | None
    fixed: list[str] = Field(description="Fixed versions of this package, in ecosystem order.")
    summary: str


class BatchComponent(BaseModel):
    purl: str | None
    ecosystem: str | None
    name: str
    version: str | None
    status: str


class FindingsItem(BaseModel):
    purl: str = Field(description="As given in the request.")
    component: BatchComponent | None
    findings: list[BatchFinding] | None = Field(description="Null when `error` says why.")
    unknown: list[BatchFinding] | None = Field(
        description="Alias groups the version could not be placed against."
    )
    upgrade: str | None
    upgrade_note: str | None
    error: str | None


class FindingsAnswer(BaseModel):
    items: list[FindingsItem]
    next: None = None


@router.post(
    "/findings:batch",
    response_model=FindingsAnswer,
    description=f"The findings of up to {MAX_BATCH} purl@version at once (more is a 422 "
    "problem; a body over the server's size limit a 413). Each item answers one purl as "
    "given, in order: the alias groups that affect it with severities and fixed versions, "
    "or null findings and why (no version, not a purl, no advisory database for its type).",
)
def batch_findings(body: FindingsRequest, store: StoreDep) -> dict[str, Any]:
    return {"items": findings_batch(store, body.purls), "next": None}
