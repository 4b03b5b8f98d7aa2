"""The graduation program for pairs and mentors over the API, under
``/api/v1/program/{year}`` (a year's name, or ``current`` for the newest):

- ``GET /`` the year, its phases and deadlines, and the caller's program roles;
- ``GET /tasks`` the published tasks with the center's activity for their repositories
  (public, no token, once the year is past ``tasks_fixed``);
- ``GET|PUT /pairs/{pair}/applications``, ``GET /pairs/{pair}`` (with the published result
  and its explanation), ``GET /pairs/{pair}/evidence``;
- ``GET /mentors/{mentor}/applicants``, ``GET|PUT /mentors/{mentor}/ranking``.

Errors: a login without the role for the pair or mentor is a 403 problem; an action outside
its phase (applying after the application phase, reading tasks before they are fixed) is a
409 problem of type ``wrong-phase``; a body the rules refuse (an unknown task, too many
choices, a pair ranked twice) is a 422 problem of type ``bad-input``. A login without any
role in the year is answered 404, as for a year that does not exist (the tasks stay public).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ossmeta.service.accounts import Principal
from ossmeta.service.program_access import access_of
from ossmeta.service.program_apply import Choice, apply_pair, rank_pairs
from ossmeta.service.program_views import (
    mentor_applicants,
    mentor_ranking,
    pair_applications,
    pair_view,
    tasks_view,
    year_view,
)
from ossmeta.service.program_views_evidence import pair_evidence
from ossmeta.store import Store
from ossmeta.store.activity_files import activity_root
from ossmeta.surfaces.api.auth import require
from ossmeta.surfaces.api.deps import get_store
from ossmeta.surfaces.api.etags import json_with_etag
from ossmeta.surfaces.api.pagination import Page, PageRequest, page_request
from ossmeta.surfaces.api.program_calls import (
    PHASE_RESPONSES,
    program_access,
    service_call,
    year_name,
)

router = APIRouter(prefix="/api/v1/program/{year}", tags=["program"])

StoreDep = Annotated[Store, Depends(get_store)]
Reader = Annotated[Principal, Depends(require("read"))]
Writer = Annotated[Principal, Depends(require("write"))]
PageDep = Annotated[PageRequest, Depends(page_request)]
YearPath = Annotated[str, Path(description="A program year's name, or `current`.")]
_MAX_TEXT = 20_000


class TaskOut(BaseModel):
    key: str
    title: str
    description: str
    difficulty: str
    skills: str
    outcome: str
    ai_policy: str
    capacity: int
    mentor: str
    mentor_name: str
    project: str | None
    community: str | None
    repository: str | None
    activity: dict[str, Any] | None = Field(
        description="The center's latest activity, OpenRank and maintenance status of the "
        "repository, and its recent monthly activity; null when it holds none."
    )


class ChoiceIn(BaseModel):
    task: str = Field(min_length=1, max_length=128)
    plan: str = Field(default="", max_length=_MAX_TEXT)
    timeline: str = Field(default="", max_length=_MAX_TEXT, description="Week by week.")


class ApplicationsIn(BaseModel):
    student: str = Field(min_length=1, max_length=128)
    teacher: str = Field(min_length=1, max_length=128)
    choices: list[ChoiceIn] = Field(min_length=1, max_length=10, description="Best first.")


class RankIn(BaseModel):
    pair: str = Field(min_length=1, max_length=128)
    rank: int = Field(ge=1, le=100_000, description="1 is the best; equal ranks are a tie.")


class RankingIn(BaseModel):
    ranking: list[RankIn] = Field(max_length=10_000)


@router.get("", response_model=dict[str, Any])
def getyear_name(year: YearPath, store: StoreDep, principal: Reader) -> dict[str, Any]:
    """The year, its phases with deadlines (ISO 8601 UTC; null: none) and the caller's
    program roles."""
    return year_view(program_access(store, year, principal.login))


@router.get("/tasks", response_model=Page[TaskOut], tags=["public"], responses=PHASE_RESPONSES)
def list_tasks(request: Request, year: YearPath, store: StoreDep, page: PageDep) -> Response:
    """The year's tasks in their published order, with the activity of their repositories;
    public once the year is past the phase ``tasks_fixed``."""
    after = page.after(0)
    found = service_call(lambda: tasks_view(store, access_of(store, year_name(year), "")))
    numbered = list(enumerate(found, 1))[after:]
    shown = page.page(numbered[: page.limit + 1], key=lambda item: item[0])
    shown["items"] = [task for _, task in shown["items"]]
    return json_with_etag(request, shown)


@router.get("/pairs/{pair}/applications", response_model=dict[str, Any])
def get_applications(
    year: YearPath, pair: str, store: StoreDep, principal: Reader
) -> dict[str, Any]:
    """The pair's ranked choices with their proposals (none before it applies)."""
    access = program_access(store, year, principal.login)
    return {"pair": pair, "applications": pair_applications(store, access, pair)}


@router.put("/pairs/{pair}/applications", response_model=dict[str, Any], responses=PHASE_RESPONSES)
def put_applications(
    year: YearPath, pair: str, body: ApplicationsIn, store: StoreDep, principal: Writer
) -> dict[str, Any]:
    """Record (or replace) the pair's ranked choices, each with a plan and a week-level
    timeline; allowed to the pair's student or teacher in the application phase."""
    access = program_access(store, year, principal.login)
    choices = [Choice(c.task, c.plan, c.timeline) for c in body.choices]
    pair_applications(store, access, pair)  # a pair already applied is its own people's
    now = datetime.now(UTC)
    service_call(
        lambda: apply_pair(
            store, access.year.name, access, pair, body.student, body.teacher, choices, now
        )
    )
    return {"pair": pair, "applications": pair_applications(store, access, pair)}


@router.get("/pairs/{pair}", response_model=dict[str, Any])
def get_pair(year: YearPath, pair: str, store: StoreDep, principal: Reader) -> dict[str, Any]:
    """The pair's applications and, once published, its result with the explanation (for
    each task ranked above the result, why it was not given) and the tasks with room."""
    return pair_view(store, program_access(store, year, principal.login), pair)


@router.get("/pairs/{pair}/evidence", response_model=dict[str, Any])
def get_evidence(year: YearPath, pair: str, store: StoreDep, principal: Reader) -> dict[str, Any]:
    """The student's upstream contributions to the matched task's repository since the
    results were announced, the mentor's commits on the student's pull requests, and the
    mentor's responsiveness. 404 until the pair has a published task."""
    access = program_access(store, year, principal.login)
    return service_call(
        lambda: pair_evidence(store, activity_root(), access, pair, datetime.now(UTC))
    )


@router.get("/mentors/{mentor}/applicants", response_model=Page[dict[str, Any]])
def get_applicants(
    year: YearPath, mentor: str, store: StoreDep, principal: Reader, page: PageDep
) -> dict[str, Any]:
    """The pairs that applied to the mentor's tasks, by pair key: student, teacher, their
    proposal for each of the mentor's tasks with its choice rank, and the mentor's rank."""
    after = page.after("")
    found = mentor_applicants(store, program_access(store, year, principal.login), mentor)
    rows = [a for a in found if a["pair"] > after][: page.limit + 1]
    return page.page(rows, key=lambda a: a["pair"])


@router.get("/mentors/{mentor}/ranking", response_model=dict[str, Any])
def get_ranking(year: YearPath, mentor: str, store: StoreDep, principal: Reader) -> dict[str, Any]:
    """The mentor's current ranking, best first."""
    access = program_access(store, year, principal.login)
    return {"mentor": mentor, "ranking": mentor_ranking(store, access, mentor)}


@router.put("/mentors/{mentor}/ranking", response_model=dict[str, Any], responses=PHASE_RESPONSES)
def put_ranking(
    year: YearPath, mentor: str, body: RankingIn, store: StoreDep, principal: Writer
) -> dict[str, Any]:
    """Record (or replace) the mentor's ranking of the pairs that applied to the mentor's
    tasks; an applicant left out is not acceptable to the mentor. Selection phase only."""
    access = program_access(store, year, principal.login)
    ranking = [(r.pair, r.rank) for r in body.ranking]
    now = datetime.now(UTC)
    service_call(lambda: rank_pairs(store, access.year.name, access, mentor, ranking, now))
    return {"mentor": mentor, "ranking": mentor_ranking(store, access, mentor)}
