"""Curators' pages: the queue of proposed curations of public package metadata (with their
evidence), approving or rejecting them, and proposing a correction from a package page.

Curations are the center's public knowledge, kept by ``ossmeta.store.curation_store`` as
``ossmeta curate`` keeps them: the author and the reviewer are the logins, and the store
refuses a review by the proposal's author. Curating is the work of a tenant's curators and
administrators (the API's rule for a tenant's own curations), with the ``write`` scope.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ossmeta.normalizers.curation import CURATABLE_FIELDS
from ossmeta.store.curation_store import Curations
from ossmeta.surfaces.web.render import app_store, package_href
from ossmeta.surfaces.web.routes.workspace import PAGE_METHODS, form_of, text, workspace_call
from ossmeta.surfaces.web.session import Signed, problem_page, tenant_page

__all__ = ["CURATORS", "router"]

router = APIRouter(include_in_schema=False, prefix="/curation")
CURATORS = ("admin", "curator")
LISTED = 500


def _curator(signed: Signed) -> bool:
    return signed.user.may("write", CURATORS)


@router.api_route("", methods=PAGE_METHODS, response_class=HTMLResponse)
async def queue(request: Request) -> Response:
    async def act(signed: Signed) -> Response:
        if not _curator(signed):
            return problem_page(request, signed, 403, "forbidden")
        proposed = Curations(app_store(request)).find(status="proposed")[:LISTED]
        return tenant_page(request, signed, "curation_queue.html", proposed=proposed)

    return await workspace_call(request, act)


@router.post("/{curation_id}/review")
async def review(request: Request, curation_id: int) -> Response:
    async def act(signed: Signed) -> Response:
        if not _curator(signed):
            return problem_page(request, signed, 403, "forbidden")
        form = await form_of(request, signed)
        approve = text(form, "decision") == "approve"
        note = text(form, "note", 2000) or None
        done = Curations(app_store(request)).review(curation_id, approve, signed.user.login, note)
        return RedirectResponse(package_href(done.purl), status_code=303)

    return await workspace_call(request, act, write=True)


@router.api_route("/propose", methods=PAGE_METHODS, response_class=HTMLResponse)
async def propose_page(request: Request, purl: str = "") -> Response:
    async def act(signed: Signed) -> Response:
        if not _curator(signed):
            return problem_page(request, signed, 403, "forbidden")
        return tenant_page(
            request, signed, "curation_propose.html", purl=purl[:1024], fields=CURATABLE_FIELDS
        )

    return await workspace_call(request, act)


@router.post("/propose")
async def propose(request: Request) -> Response:
    async def act(signed: Signed) -> Response:
        if not _curator(signed):
            return problem_page(request, signed, 403, "forbidden")
        form = await form_of(request, signed)
        purl = text(form, "purl")
        Curations(app_store(request)).propose(
            purl,
            text(form, "field", 32),
            text(form, "value", 1024),
            reason=text(form, "reason", 2000),
            author=signed.user.login,
            evidence=text(form, "evidence", 2048),
            versions=text(form, "versions", 255) or None,
        )
        return RedirectResponse("/curation#" + quote(purl, safe=""), status_code=303)

    return await workspace_call(request, act, write=True)
