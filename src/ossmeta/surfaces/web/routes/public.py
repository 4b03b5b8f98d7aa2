"""The public pages: home, search, a package, and the language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ossmeta.errors import InputError
from ossmeta.service.search import search
from ossmeta.store import Store
from ossmeta.surfaces.web.i18n import COOKIE, LANGUAGES
from ossmeta.surfaces.web.package_page import package_page
from ossmeta.surfaces.web.render import app_store, package_href, page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
StoreDep = Annotated[Store, Depends(app_store)]
#: Pages answer HEAD too (link checkers and uptime probes ask with it).
PAGE_METHODS = ["GET", "HEAD"]
#: A year: the choice of language outlives the visit.
COOKIE_AGE = 365 * 24 * 3600
#: Longest search text taken; a search box is for a name, a purl or an id.
MAX_QUERY = 200


@router.api_route("/", methods=PAGE_METHODS, response_class=HTMLResponse)
def home(request: Request) -> Response:
    return page(request, "home.html", query="")


@router.api_route("/search", methods=PAGE_METHODS, response_class=HTMLResponse)
def search_page(request: Request, store: StoreDep, q: str = "") -> Response:
    if len(q) > MAX_QUERY:
        return page(request, "error.html", 400, query="", kind="too_long", limit=MAX_QUERY)
    try:
        results = search(store, q)
    except InputError as error:
        return page(request, "error.html", 400, query=q, kind="bad_query", reason=str(error))
    if results.purl is not None and any(p.purl == results.purl for p in results.packages):
        return RedirectResponse(package_href(results.purl), status_code=303)
    return page(request, "search.html", query=results.query, results=results)


@router.api_route("/packages/{purl:path}", methods=PAGE_METHODS, response_class=HTMLResponse)
def package(request: Request, store: StoreDep, purl: str) -> Response:
    try:
        shown = package_page(store, purl)
    except InputError as error:
        return page(request, "error.html", 400, query="", kind="bad_purl", reason=str(error))
    if shown is None:
        return page(request, "error.html", 404, query="", kind="no_package", purl=purl)
    return page(request, "package.html", query="", p=shown)


def _local(target: str) -> str:
    """Only a path on this site: never another host (``//host``, ``/\\host``, a scheme)."""
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


@router.get("/lang/{code}")
def switch_language(code: str, next: str = "/") -> Response:
    """Remembers the language in a cookie and goes back to the page it was chosen on."""
    response = RedirectResponse(_local(next), status_code=303)
    if code in LANGUAGES:
        response.set_cookie(
            COOKIE, code, max_age=COOKIE_AGE, path="/", httponly=True, samesite="lax"
        )
    return response
