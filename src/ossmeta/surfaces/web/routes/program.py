"""The graduation program's pages for pairs and mentors: ``/program`` (my roles, the phase
and its deadline), ``/program/tasks`` (public: the tasks with their repository's activity),
``/program/pair/{pair}`` (apply with ranked tasks and proposals; the published result with
its explanation; evidence once matched) and ``/program/mentor/{mentor}`` (applicants with
their proposals, the ranking form, matched pairs with evidence).

The pages read and write through the same service calls as the API's program routes, with
the workspace's frame (``workspace_call``: log in, CSRF, errors as pages)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from ossmeta.errors import InputError, NotFoundError
from ossmeta.service.program import ACTION_PHASES, PhaseError
from ossmeta.service.program_access import Access, access_of
from ossmeta.service.program_apply import Choice, apply_pair, rank_pairs
from ossmeta.service.program_views import (
    mentor_applicants,
    pair_applications,
    pair_view,
    pairs_of,
    tasks_view,
    year_view,
)
from ossmeta.service.program_views_evidence import pair_evidence
from ossmeta.store import Store
from ossmeta.store.activity_files import activity_root
from ossmeta.surfaces.web.render import app_store, page
from ossmeta.surfaces.web.routes.workspace import back, form_of, text, workspace_call
from ossmeta.surfaces.web.session import Signed, problem_page, signed_in, tenant_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False, prefix="/program")
PAGE_METHODS = ["GET", "HEAD"]
_MAX_TEXT = 20_000


def _open(phase: str, action: str) -> bool:
    return phase in ACTION_PHASES[action]


def _access(request: Request, signed: Signed) -> Access:
    return access_of(app_store(request), None, signed.user.login)


@router.api_route("", methods=PAGE_METHODS, response_class=HTMLResponse)
async def home_page(request: Request) -> Response:
    async def act(signed: Signed) -> Response:
        access = _access(request, signed)
        pairs = pairs_of(app_store(request), access)
        return tenant_page(
            request, signed, "program_home.html", year=year_view(access), pairs=pairs
        )

    return await workspace_call(request, act)


@router.get("/pair", response_class=HTMLResponse)
async def open_pair(request: Request, key: str = "") -> Response:
    """The home page's "open a pair" form: to the pair's page (a new pair applies there)."""
    return back(f"/program/pair/{quote(key.strip()[:128] or '-', safe='')}")


@router.api_route("/tasks", methods=PAGE_METHODS, response_class=HTMLResponse)
async def tasks_page(request: Request) -> Response:
    store = app_store(request)
    signed = signed_in(request)
    login = signed.user.login if signed else ""
    try:
        access = access_of(store, None, login)
        tasks = tasks_view(store, access)
    except NotFoundError as error:
        return problem_page(request, signed, 404, "not_found", reason=str(error))
    except InputError as error:  # the tasks are not published yet
        return problem_page(request, signed, 409, "bad_input", reason=str(error))
    return page(request, "program_tasks.html", query="", year=year_view(access), tasks=tasks)


def _evidence(store: Store, access: Access, pair: str) -> dict[str, Any] | None:
    try:
        return pair_evidence(store, activity_root(), access, pair, datetime.now(UTC))
    except InputError:  # not matched, no repository or no identity: nothing to show
        return None


@router.api_route("/pair/{pair}", methods=PAGE_METHODS, response_class=HTMLResponse)
async def pair_page(request: Request, pair: str) -> Response:
    async def act(signed: Signed) -> Response:
        store, access = app_store(request), _access(request, signed)
        shown = pair_view(store, access, pair)
        result = shown["result"]
        evidence = None
        if result and result["task"]:  # reads the activity files: off the event loop
            evidence = await run_in_threadpool(_evidence, store, access, pair)
        applied = shown["applications"]
        students = sorted(access.subjects("student"))
        teachers = sorted(access.subjects("teacher"))
        return tenant_page(
            request,
            signed,
            "program_pair.html",
            year=year_view(access),
            pair=pair,
            applications=applied,
            result=result,
            evidence=evidence,
            may_apply=_open(access.year.current.name, "apply"),
            tasks=_published_tasks(store, access),
            student=applied[0]["student"] if applied else (students[0] if students else ""),
            teacher=applied[0]["teacher"] if applied else (teachers[0] if teachers else ""),
        )

    return await workspace_call(request, act)


def _published_tasks(store: Store, access: Access) -> list[dict[str, Any]]:
    try:
        return tasks_view(store, access)
    except PhaseError:
        return []


def _choices(form: FormData, most: int) -> list[Choice]:
    choices = []
    for n in range(1, most + 1):
        task = text(form, f"task_{n}", 128)
        plan, timeline = text(form, f"plan_{n}", _MAX_TEXT), text(form, f"timeline_{n}", _MAX_TEXT)
        if task:
            choices.append(Choice(task, plan, timeline))
        elif plan or timeline:
            raise InputError(f"choice {n}: choose its task, or leave its proposal empty")
    return choices


@router.post("/pair/{pair}")
async def apply(request: Request, pair: str) -> Response:
    async def act(signed: Signed) -> Response:
        form = await form_of(request, signed)
        store, access = app_store(request), _access(request, signed)
        choices = _choices(form, access.year.max_choices)
        student, teacher = text(form, "student", 128), text(form, "teacher", 128)
        pair_applications(store, access, pair)  # a pair already applied is its own people's
        now = datetime.now(UTC)
        apply_pair(store, access.year.name, access, pair, student, teacher, choices, now)
        return back(f"/program/pair/{quote(pair, safe='')}")

    return await workspace_call(request, act)


@router.api_route("/mentor/{mentor}", methods=PAGE_METHODS, response_class=HTMLResponse)
async def mentor_page(request: Request, mentor: str) -> Response:
    async def act(signed: Signed) -> Response:
        store, access = app_store(request), _access(request, signed)
        applicants = mentor_applicants(store, access, mentor)
        matched = []
        for applicant in applicants:
            found = await run_in_threadpool(_evidence, store, access, applicant["pair"])
            if found is not None and found["mentor"] == mentor:
                matched.append(found)
        return tenant_page(
            request,
            signed,
            "program_mentor.html",
            year=year_view(access),
            mentor=mentor,
            applicants=applicants,
            matched=matched,
            may_rank=_open(access.year.current.name, "rank"),
        )

    return await workspace_call(request, act)


def _ranking(form: FormData, pairs: list[str]) -> list[tuple[str, int]]:
    ranking = []
    for pair in pairs:
        given = text(form, f"rank_{pair}", 16)
        if not given:
            continue  # left out: not acceptable to the mentor
        if not given.isdigit() or int(given) < 1:
            raise InputError(f"pair {pair}: a rank is a whole number from 1")
        ranking.append((pair, int(given)))
    return ranking


@router.post("/mentor/{mentor}")
async def rank(request: Request, mentor: str) -> Response:
    async def act(signed: Signed) -> Response:
        form = await form_of(request, signed)
        store, access = app_store(request), _access(request, signed)
        pairs = [a["pair"] for a in mentor_applicants(store, access, mentor)]
        ranking = _ranking(form, pairs)
        rank_pairs(store, access.year.name, access, mentor, ranking, datetime.now(UTC))
        return back(f"/program/mentor/{quote(mentor, safe='')}")

    return await workspace_call(request, act)
