"""The public pages beyond a package: a repository's metrics, packages compared, the
data-quality report and the exhibition hall."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from ossmeta.errors import InputError, NotFoundError
from ossmeta.store import Store
from ossmeta.surfaces.web import words_public
from ossmeta.surfaces.web.compare_page import MAX_COMPARED, MIN_COMPARED, compare
from ossmeta.surfaces.web.hall_config import load_hall
from ossmeta.surfaces.web.hall_page import hall
from ossmeta.surfaces.web.quality_page import quality_page
from ossmeta.surfaces.web.render import app_store, page, request_gettext
from ossmeta.surfaces.web.repo_page import repository_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
StoreDep = Annotated[Store, Depends(app_store)]
PAGE_METHODS = ["GET", "HEAD"]
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
#: Longest purl taken on the compare page (a purl is a name, not a document).
MAX_PURL = 500


def _words(request: Request) -> dict[str, str]:
    return words_public.chart_words(request_gettext(request))


@router.api_route("/repos/{host}/{owner}/{name}", methods=PAGE_METHODS, response_class=HTMLResponse)
def repository(request: Request, store: StoreDep, host: str, owner: str, name: str) -> Response:
    try:
        shown = repository_page(store, f"{host}/{owner}/{name}")
    except InputError as error:
        return page(request, "error_public.html", 400, query="", kind="bad_repo", reason=str(error))
    return page(
        request, "repository.html", query="", r=shown, W=words_public, words=_words(request)
    )


@router.api_route("/compare", methods=PAGE_METHODS, response_class=HTMLResponse)
def compare_page(
    request: Request, store: StoreDep, purl: Annotated[list[str] | None, Query()] = None
) -> Response:
    purls = [p.strip() for p in purl or [] if p.strip()]
    context: dict[str, Any] = {
        "query": "",
        "purls": purls,
        "W": words_public,
        "words": _words(request),
    }
    bounds = {"low": MIN_COMPARED, "high": MAX_COMPARED}
    if not MIN_COMPARED <= len(purls) <= MAX_COMPARED or any(len(p) > MAX_PURL for p in purls):
        return page(request, "compare.html", 400, c=None, error="count", **bounds, **context)
    try:
        shown = compare(store, purls)
    except NotFoundError as error:
        return page(
            request,
            "compare.html",
            404,
            c=None,
            error="missing",
            reason=str(error),
            **bounds,
            **context,
        )
    except InputError as error:
        return page(
            request,
            "compare.html",
            400,
            c=None,
            error="bad_purl",
            reason=str(error),
            **bounds,
            **context,
        )
    return page(request, "compare.html", c=shown, error=None, **bounds, **context)


@router.api_route("/quality", methods=PAGE_METHODS, response_class=HTMLResponse)
def quality(request: Request, store: StoreDep) -> Response:
    shown = quality_page(store)
    return page(request, "quality.html", query="", q=shown, W=words_public, words=_words(request))


@router.api_route("/hall", methods=PAGE_METHODS, response_class=HTMLResponse)
def exhibition_hall(request: Request, store: StoreDep, month: str | None = None) -> Response:
    if month is not None and not MONTH.fullmatch(month):
        return page(request, "error_public.html", 400, query="", kind="bad_month", month=month[:20])
    try:
        projects = load_hall()
    except InputError as error:
        # The operator's file is wrong: said in one line naming it, never a traceback.
        return page(request, "error_public.html", 503, query="", kind="bad_hall", reason=str(error))
    shown = hall(store, projects, month)
    return page(request, "hall.html", query="", h=shown, W=words_public, words=_words(request))
