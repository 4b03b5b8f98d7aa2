"""The public API: what the center knows about open-source packages, advisories and
repositories. No token needed; answers carry strong ETags.

A package is named by its purl in the path (``/api/v1/packages/pkg:pypi/requests``); what
belongs to it is asked for with a suffix after a colon (``...:versions``, ``...:dependents``,
``pkg:pypi/requests@2.31.0:dependencies``), which no purl path can end with, so a package
called ``versions`` is never mistaken for a sub-resource.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ossmeta.errors import InputError, NotFoundError
from ossmeta.purls import package_purl
from ossmeta.service import public
from ossmeta.store import Store
from ossmeta.surfaces.api.deps import get_package_cache, get_store
from ossmeta.surfaces.api.etags import json_with_etag, tagged
from ossmeta.surfaces.api.package_cache import PackageCache, RenderedPackage
from ossmeta.surfaces.api.pagination import Page, PageRequest, page_request

router = APIRouter(prefix="/api/v1", tags=["public"])

StoreDep = Annotated[Store, Depends(get_store)]
PageDep = Annotated[PageRequest, Depends(page_request)]
#: The package routes take the cache only (it holds the store): each dependency costs
#: FastAPI work on every request.
CacheDep = Annotated[PackageCache, Depends(get_package_cache)]
#: Purls one batch request may name (documented in the OpenAPI description).
MAX_BATCH = 1000


class License(BaseModel):
    spdx: str | None
    raw: str | None
    confidence: str | None
    source: str | None


class Dependency(BaseModel):
    purl: str
    requirement: str | None
    scope: str | None


class Version(BaseModel):
    version: str
    published: str | None
    yanked: bool
    license: License | None
    dependencies: list[Dependency]


class Package(BaseModel):
    """The ``ossmeta packages show --format json`` contract."""

    purl: str
    repository: str | None
    status: str
    license: License | None
    versions: list[Version]
    dependents: int


class Dependent(BaseModel):
    purl: str


class Advisory(BaseModel):
    """The ``ossmeta advisories show --format json`` contract."""

    record: dict[str, Any]
    alias_group: list[str]
    withdrawn: bool
    provenance: dict[str, Any]


class RepositoryMetrics(BaseModel):
    """The ``ossmeta metrics show --format json`` contract."""

    repo: str
    metrics: dict[str, Any]


class BatchRequest(BaseModel):
    purls: list[str] = Field(min_length=1, max_length=MAX_BATCH)


class BatchItem(BaseModel):
    purl: str = Field(description="As given in the request.")
    package: Package | None = Field(description="Null when unknown or malformed.")
    error: str | None = Field(description="Why ``package`` is null.")


class BatchAnswer(BaseModel):
    items: list[BatchItem]
    next: None = None


def _rendered(cache: PackageCache, purl: str) -> RenderedPackage:
    found = cache.get(purl)
    if found is None:
        raise NotFoundError(f"no package {public.package_key(purl)}")
    return found


def _offset(page: PageRequest) -> int:
    offset = page.after(0)
    if offset < 0:
        raise InputError("the cursor is not one this API gave out")
    return offset


@router.get("/packages/{purl:path}:versions", response_model=Page[Version])
def package_versions(purl: str, request: Request, cache: CacheDep, page: PageDep) -> Response:
    """The package's versions in the ecosystem's order, oldest first."""
    versions = _rendered(cache, purl).document["versions"]
    start = _offset(page)
    rows = [(start + i, v) for i, v in enumerate(versions[start : start + page.limit + 1])]
    shown = page.page(rows, key=lambda row: row[0] + 1)
    items = [version for _, version in shown["items"]]
    return json_with_etag(request, {"items": items, "next": shown["next"]})


@router.get("/packages/{purl:path}:dependencies", response_model=Page[Dependency])
def version_dependencies(purl: str, request: Request, cache: CacheDep, page: PageDep) -> Response:
    """The dependencies one version declares; the purl names the version
    (``pkg:pypi/requests@2.31.0``)."""
    wanted = package_purl(purl)[2].version
    if not wanted:
        raise InputError(f"{purl}: name the version (purl@version) to list its dependencies")
    versions = _rendered(cache, purl).document["versions"]
    found = next((v for v in versions if v["version"] == wanted), None)
    if found is None:
        raise NotFoundError(f"no version {wanted} of {public.package_key(purl)}")
    start = _offset(page)
    deps = found["dependencies"]
    rows = [(start + i, d) for i, d in enumerate(deps[start : start + page.limit + 1])]
    shown = page.page(rows, key=lambda row: row[0] + 1)
    items = [dep for _, dep in shown["items"]]
    return json_with_etag(request, {"items": items, "next": shown["next"]})


@router.get("/packages/{purl:path}:dependents", response_model=Page[Dependent])
def package_dependents(purl: str, request: Request, store: StoreDep, page: PageDep) -> Response:
    """The stored packages that depend on this one, by purl."""
    start = _offset(page)
    found = public.dependents_page(store, purl, offset=start, limit=page.limit + 1)
    rows = [(start + i, p) for i, p in enumerate(found.purls)]
    shown = page.page(rows, key=lambda row: row[0] + 1)
    items = [{"purl": p} for _, p in shown["items"]]
    return json_with_etag(request, {"items": items, "next": shown["next"]})


@router.get("/packages/{purl:path}", response_model=Package)
def package(purl: str, request: Request, cache: CacheDep) -> Response:
    """A package with its versions, licences and dependencies, approved curations applied
    (the ``packages show`` contract)."""
    found = _rendered(cache, purl)
    return tagged(request, found.body, found.etag, gzipped=found.gzipped)


@router.post(
    "/packages:batch",
    response_model=BatchAnswer,
    description=f"Look up to {MAX_BATCH} purls at once (more is a 422 problem; a body over "
    "the server's size limit a 413). Each item answers one purl as given: the package, or "
    "null and why.",
)
def packages_batch(body: BatchRequest, store: StoreDep) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    for purl, view in zip(body.purls, public.package_views(store, body.purls), strict=True):
        if isinstance(view, str):
            items.append({"purl": purl, "package": None, "error": view})
        elif view is None:
            items.append({"purl": purl, "package": None, "error": "not in the store"})
        else:
            items.append({"purl": purl, "package": view.document(), "error": None})
    return {"items": items, "next": None}


@router.get("/advisories/{advisory_id:path}", response_model=Advisory)
def advisory(advisory_id: str, request: Request, store: StoreDep) -> Response:
    """An advisory by its id or any alias, as imported, with its alias group and
    provenance (the ``advisories show`` contract)."""
    document = public.advisory_document(store, advisory_id)
    if document is None:
        raise NotFoundError(f"no advisory {advisory_id}")
    return json_with_etag(request, document)


@router.get("/repositories/{host}/{owner}/{name}/metrics", response_model=RepositoryMetrics)
def repository_metrics(
    host: str,
    owner: str,
    name: str,
    request: Request,
    store: StoreDep,
    metric: Annotated[list[str] | None, Query(description="Only these metrics.")] = None,
) -> Response:
    """A repository's stored metrics (the ``metrics show`` contract)."""
    from ossmeta.surfaces.formats.metrics import metrics_document

    key, values = public.repository_metrics(store, f"{host}/{owner}/{name}")
    if metric:
        wanted = set(metric)
        values = [v for v in values if v.metric.partition(".")[0] in wanted]
    elif not values:
        raise NotFoundError(f"no metrics for {key}")
    return json_with_etag(request, metrics_document(key, values))
