"""The graduation program's mid-term and defense pages: the forms for university admins and
mentors, the reviewer's scoring page, and the public page of a defended project.

Pages read and write through ``service.program_midterm`` / ``service.program_defense`` with
the logged-in login's program roles (``service.program_access``), as the API does; a form
needs the session's CSRF token. ``{year}`` is a year's name or ``current``."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ossmeta.analyses.program.forms import MIDTERM_RULE
from ossmeta.analyses.program.rubric import DEFENSE_RULE
from ossmeta.errors import InputError, NotFoundError
from ossmeta.service import program_defense as defense
from ossmeta.service import program_midterm as midterm
from ossmeta.service.program_access import access_of
from ossmeta.store.activity_files import activity_root
from ossmeta.surfaces.web.render import app_store, page
from ossmeta.surfaces.web.routes.workspace import PAGE_METHODS, form_of, text, workspace_call
from ossmeta.surfaces.web.session import Signed, problem_page, tenant_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False, prefix="/program/{year}")


def _year(year: str) -> str | None:
    return None if year == "current" else year[:64]


def _back(year: str, where: str) -> Response:
    return RedirectResponse(f"/program/{quote(year, safe='')}/{where}", status_code=303)


@router.api_route("/midterm", methods=PAGE_METHODS, response_class=HTMLResponse)
async def midterm_page(request: Request, year: str) -> Response:
    async def act(signed: Signed) -> Response:
        store = app_store(request)
        access = access_of(store, _year(year), signed.user.login)
        forms = midterm.questions(store, _year(year))
        todo = midterm.forms_to_fill(store, _year(year), access)
        results = midterm.outcomes(store, _year(year))["pairs"] if access.is_admin else []
        return tenant_page(
            request,
            signed,
            "program_midterm_forms.html",
            year=year,
            forms=forms,
            todo=todo,
            results=results,
            rule=MIDTERM_RULE,
        )

    return await workspace_call(request, act)


@router.post("/midterm/{pair}/end")
async def end_pair(request: Request, year: str, pair: str) -> Response:
    """An admin ends a pair that failed the mid-term, with a reason."""

    async def act(signed: Signed) -> Response:
        store = app_store(request)
        sent = await form_of(request, signed)
        access = access_of(store, _year(year), signed.user.login)
        reason = text(sent, "reason", 2000)
        midterm.end_failed_pair(store, _year(year), access, pair, reason, datetime.now(UTC))
        return _back(year, "midterm")

    return await workspace_call(request, act)


@router.post("/midterm/{pair}/{form}")
async def submit_form(request: Request, year: str, pair: str, form: str) -> Response:
    async def act(signed: Signed) -> Response:
        store = app_store(request)
        sent = await form_of(request, signed)
        access = access_of(store, _year(year), signed.user.login)
        questions = midterm.questions(store, _year(year)).get(form)
        if questions is None:
            raise NotFoundError(f"no {form!r} form")
        answers = {q.key: text(sent, f"q-{q.key}", 5000) for q in questions.questions}
        verdict = text(sent, "verdict", 8)
        if verdict not in ("pass", "fail"):
            raise InputError("choose pass or fail")
        midterm.submit_form(
            store, _year(year), access, pair, form, answers, verdict == "pass", datetime.now(UTC)
        )
        return _back(year, "midterm")

    return await workspace_call(request, act)


@router.api_route("/defense/review", methods=PAGE_METHODS, response_class=HTMLResponse)
async def review_page(request: Request, year: str) -> Response:
    async def act(signed: Signed) -> Response:
        store = app_store(request)
        access = access_of(store, _year(year), signed.user.login)
        return tenant_page(
            request,
            signed,
            "program_defense_review.html",
            year=year,
            rubric=defense.rubric(store, _year(year)),
            pairs=defense.reviewer_pairs(store, _year(year), access),
            rule=DEFENSE_RULE,
        )

    return await workspace_call(request, act)


@router.post("/defense/{pair}/scores")
async def score(request: Request, year: str, pair: str) -> Response:
    async def act(signed: Signed) -> Response:
        store = app_store(request)
        sent = await form_of(request, signed)
        access = access_of(store, _year(year), signed.user.login)
        criteria = defense.rubric(store, _year(year))
        scores = {c.key: text(sent, f"c-{c.key}", 32) for c in criteria}
        defense.score_pair(store, _year(year), access, pair, scores, datetime.now(UTC))
        return _back(year, "defense/review")

    return await workspace_call(request, act)


@router.api_route("/defense/{pair}", methods=PAGE_METHODS, response_class=HTMLResponse)
async def defended_page(request: Request, year: str, pair: str) -> Response:
    """The public page of a defended project: task, pair, evidence, score, reviewers."""
    store = app_store(request)
    try:
        found = defense.defended_pair(store, _year(year), pair[:128])
    except NotFoundError as error:
        return problem_page(request, None, 404, "not_found", reason=str(error))
    evidence, missing = None, None
    try:
        evidence = await run_in_threadpool(
            defense.defense_evidence,
            store,
            _year(year),
            found["pair"],
            activity_root(),
            datetime.now(UTC),
        )
    except InputError as error:  # no repository, no identities, no activity data yet
        missing = str(error)
    return page(
        request, "program_defense_pair.html", query="", d=found, evidence=evidence, missing=missing
    )
