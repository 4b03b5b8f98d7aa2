"""Policy violations of a project version's components (``ossmeta.service.
policy_violations``): the tenant's policy judged with the same facts and engine as the
package indexes. Readers need the ``read`` scope; another tenant's project answers 404
exactly as a missing one does."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from ossmeta.service.accounts import Principal
from ossmeta.service.policy_violations import Violation, version_violations
from ossmeta.store import Store
from ossmeta.surfaces.api.auth import require
from ossmeta.surfaces.api.deps import get_store
from ossmeta.surfaces.api.pagination import PageRequest, page_request

router = APIRouter(prefix="/api/v1", tags=["projects"])

StoreDep = Annotated[Store, Depends(get_store)]
Reader = Annotated[Principal, Depends(require("read"))]
PageDep = Annotated[PageRequest, Depends(page_request)]
ViolationClass = Literal["license", "security", "operational"]


class ViolationOut(BaseModel):
    purl: str = Field(description="The component, with its version.")
    violation_class: ViolationClass = Field(alias="class")
    rule: str = Field(description="The policy key that fired, e.g. `licenses.deny`.")
    message: str
    advisory: str | None = Field(description="The advisory id, for a security rule.")
    action: str = Field(description="What an index does with the release: deny, hide or allow.")
    policy: str
    policy_version: int
    waived: bool
    waiver: str | None = Field(description="The waiver that lifts it, when waived.")
    dry_run: bool

    model_config = {"populate_by_name": True}


class ViolationsPage(BaseModel):
    # Each item names the policy and version that judged it; the version document's
    # ``violations`` summary says which policy applies even when nothing is violated.
    items: list[ViolationOut]
    next: str | None


def _out(found: Violation) -> dict[str, Any]:
    return {
        "purl": found.purl,
        "class": found.klass,
        "rule": found.rule,
        "message": found.message,
        "advisory": found.advisory,
        "action": found.action,
        "policy": found.policy,
        "policy_version": found.policy_version,
        "waived": found.waived,
        "waiver": found.waiver,
        "dry_run": found.dry_run,
    }


@router.get(
    "/projects/{project}/versions/{version}/violations",
    response_model=ViolationsPage,
    response_model_by_alias=True,
)
def list_violations(
    project: str,
    version: str,
    store: StoreDep,
    principal: Reader,
    page: PageDep,
    violation_class: Annotated[
        ViolationClass | None, Query(alias="class", description="Only violations of this class.")
    ] = None,
    waived: Annotated[
        bool | None, Query(description="true: only waived ones; false: only those in force.")
    ] = None,
) -> dict[str, Any]:
    """Every rule of the tenant's policy (the one applied with `--tenant`, else the
    operator's default) that a component of the version breaks, in component order, with
    its class (license, security, operational), advisory id, policy version and whether a
    waiver lifts it. The same purl@version gets the same rules from the package index."""
    report = version_violations(store, principal.tenant_id, project, version)
    shown = [
        (index, v)
        for index, v in enumerate(report.violations)
        if (violation_class is None or v.klass == violation_class)
        and (waived is None or v.waived == waived)
    ]
    after = page.after(-1)
    rest = [pair for pair in shown if pair[0] > after][: page.limit + 1]
    result = page.page(rest, key=lambda pair: pair[0])
    result["items"] = [_out(v) for _, v in result["items"]]
    return result
