"""The program's award pages: a community's recommendation form, a reviewer's cross-review,
the admin's certification page, the public list of a year's awards, the public verification
of a certificate's code, and the certificate download.

A page acts for the logged-in login in the program roles it holds (``program_access``),
through the same service functions as the API and the CLI."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ossmeta.analyses.program.awards import aggregation_rule
from ossmeta.errors import InputError, NotFoundError
from ossmeta.service import program_awards as awards
from ossmeta.service.program import get_year
from ossmeta.service.program_access import Access, access_of
from ossmeta.service.program_certificates import certificate
from ossmeta.surfaces.web.render import app_store, page
from ossmeta.surfaces.web.routes.workspace import PAGE_METHODS, form_of, text, workspace_call
from ossmeta.surfaces.web.session import Signed, tenant_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False, prefix="/program")
#: Rows of the recommendation form beyond the year's N are never shown.
_CITATION = 4000


def _year(year: str) -> str | None:
    return None if year == "current" else year


def _access(request: Request, year: str, signed: Signed) -> Access:
    """The login's program roles; without any role in the year, the year is not found."""
    access = access_of(app_store(request), _year(year), signed.user.login)
    if not access.is_admin and not access.members:
        raise NotFoundError(f"no program year {year!r}")
    return access


def _here(year: str, rest: str = "") -> str:
    return f"/program/{quote(year, safe='')}/awards{rest}"


@router.api_route("/{year}/awards", methods=PAGE_METHODS, response_class=HTMLResponse)
def public_awards(request: Request, year: str) -> Response:
    """Public: the year's certified awards that stand (revoked ones are not listed)."""
    store = app_store(request)
    try:
        found = get_year(store, _year(year))
        shown = [a for a in awards.awards(store, found.name) if a.revoked_at is None]
        names = {t.key: t for t in awards.titles(store, found.name)}
    except NotFoundError:  # no such year: an empty list, as not found
        return page(request, "program_awards_list.html", 404, query="", year=year, awards=[])
    return page(
        request, "program_awards_list.html", query="", year=found.name, awards=shown, titles=names
    )


@router.api_route("/verify/{code}", methods=PAGE_METHODS, response_class=HTMLResponse)
def verify_page(request: Request, code: str) -> Response:
    """Public: the facts of a certificate's award, or that its code is unknown or revoked."""
    try:
        award = awards.verify(app_store(request), code)
    except NotFoundError:
        return page(request, "program_verify.html", 404, query="", award=None)
    return page(request, "program_verify.html", query="", award=award, facts=award.facts)


@router.api_route(
    "/{year}/awards/recommend/{community}", methods=PAGE_METHODS, response_class=HTMLResponse
)
async def recommend_page(request: Request, year: str, community: str) -> Response:
    async def act(signed: Signed) -> Response:
        store = app_store(request)
        access = _access(request, year, signed)
        pairs = awards.community_pairs(store, _year(year), access, community)
        titles = awards.titles(store, _year(year))
        current = {
            r.pair: r for r, _ in awards.recommendations(store, _year(year), access, community)
        }
        limit = titles[0].per_community if titles else 0
        rows = list(current.values()) + [None] * max(0, limit - len(current))
        return tenant_page(
            request,
            signed,
            "program_awards_recommend.html",
            year=year,
            community=community,
            pairs=pairs,
            titles=titles,
            rows=rows,
            saved=request.query_params.get("saved") == "1",
        )

    return await workspace_call(request, act)


@router.post("/{year}/awards/recommend/{community}")
async def recommend(request: Request, year: str, community: str) -> Response:
    async def act(signed: Signed) -> Response:
        form = await form_of(request, signed)
        access = _access(request, year, signed)
        chosen = []
        for n in range(1, 101):
            pair = text(form, f"pair-{n}", 128)
            if f"pair-{n}" not in form:
                break
            if pair:
                title, citation = (
                    text(form, f"title-{n}", 64),
                    text(form, f"citation-{n}", _CITATION),
                )
                chosen.append(awards.Nomination(pair, title, citation))
        now = datetime.now(UTC)
        awards.recommend(app_store(request), _year(year), access, community, chosen, now)
        target = _here(year, f"/recommend/{quote(community, safe='')}?saved=1")
        return RedirectResponse(target, status_code=303)

    return await workspace_call(request, act)


@router.api_route("/{year}/awards/review", methods=PAGE_METHODS, response_class=HTMLResponse)
async def review_page(request: Request, year: str) -> Response:
    async def act(signed: Signed) -> Response:
        access = _access(request, year, signed)
        eligible, current = awards.review_sheet(
            app_store(request), _year(year), access, signed.user.login
        )
        place = {pair: n for n, pair in enumerate(current, 1)}
        return tenant_page(
            request,
            signed,
            "program_awards_review.html",
            year=year,
            eligible=eligible,
            place=place,
            saved=request.query_params.get("saved") == "1",
        )

    return await workspace_call(request, act)


@router.post("/{year}/awards/review")
async def review(request: Request, year: str) -> Response:
    async def act(signed: Signed) -> Response:
        form = await form_of(request, signed)
        access = _access(request, year, signed)
        places: list[tuple[int, str]] = []
        for name in form:
            if not name.startswith("place-") or not text(form, name):
                continue
            value = text(form, name, 8)
            if not value.isdigit() or int(value) < 1:
                raise InputError(f"pair {name[6:]}: a place is a whole number from 1")
            places.append((int(value), name[6:]))
        if len({p for p, _ in places}) != len(places):
            raise InputError("two pairs share a place: give each ranked pair its own")
        ranking = [pair for _, pair in sorted(places)]
        now = datetime.now(UTC)
        awards.review(app_store(request), _year(year), access, signed.user.login, ranking, now)
        return RedirectResponse(_here(year, "/review?saved=1"), status_code=303)

    return await workspace_call(request, act)


@router.api_route("/{year}/awards/certify", methods=PAGE_METHODS, response_class=HTMLResponse)
async def certify_page(request: Request, year: str) -> Response:
    async def act(signed: Signed) -> Response:
        store = app_store(request)
        access = _access(request, year, signed)
        _, order = awards.standings(store, _year(year), access)
        certified = awards.awards(store, _year(year))
        return tenant_page(
            request,
            signed,
            "program_awards_certify.html",
            year=year,
            rule=aggregation_rule(access.year.seed),
            order=order,
            certified=certified,
        )

    return await workspace_call(request, act)


@router.post("/{year}/awards/certify")
async def certify(request: Request, year: str) -> Response:
    async def act(signed: Signed) -> Response:
        form = await form_of(request, signed)
        access = _access(request, year, signed)
        pairs = [v for v in form.getlist("pair") if isinstance(v, str)]
        now = datetime.now(UTC)
        awards.certify(app_store(request), _year(year), access, now, pairs=pairs or None)
        return RedirectResponse(_here(year, "/certify"), status_code=303)

    return await workspace_call(request, act)


@router.post("/{year}/awards/{code}/revoke")
async def revoke(request: Request, year: str, code: str) -> Response:
    async def act(signed: Signed) -> Response:
        form = await form_of(request, signed)
        access = _access(request, year, signed)
        reason = text(form, "reason", 2000)
        awards.revoke(app_store(request), _year(year), access, code, reason, datetime.now(UTC))
        return RedirectResponse(_here(year, "/certify"), status_code=303)

    return await workspace_call(request, act)


@router.get("/{year}/awards/{code}/certificate")
async def download(request: Request, year: str, code: str, person: str = "student") -> Response:
    async def act(signed: Signed) -> Response:
        access = _access(request, year, signed)
        base = str(request.base_url).rstrip("/")
        made = certificate(app_store(request), _year(year), access, code, person, base)
        disposition = f'attachment; filename="{made.filename}"'
        headers = {"Content-Disposition": disposition, "Cache-Control": "private, no-store"}
        return Response(made.pdf, media_type="application/pdf", headers=headers)

    return await workspace_call(request, act)
