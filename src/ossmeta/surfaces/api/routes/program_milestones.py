"""The graduation program's mid-term check and defense over the API, under
``/api/v1/program/{year}/midterm/...`` and ``.../defense/...`` (``{year}``: a year's name
or ``current``, the newest).

Public (no token, with ETags): the two published rules, the questions, the rubric, the
defense results and a defended pair's facts. With a token, a login acts in the program
roles it holds (``service.program_access``): a university admin or mentor submits its form,
an admin ends a failed pair and assigns reviewers, a reviewer scores its pairs. Refusals
are RFC 9457 problems, as on the program's other routes: 403 without the role for the pair,
409 (``wrong-phase``) outside the action's phase, 422 (``bad-input``) for answers or scores
the rules refuse; a login without any role in the year is answered 404, as for a year that
does not exist.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ossmeta.analyses.program.forms import MIDTERM_RULE
from ossmeta.analyses.program.rubric import DEFENSE_RULE
from ossmeta.service import program_defense as defense
from ossmeta.service import program_midterm as midterm
from ossmeta.service.accounts import Principal
from ossmeta.store import Store
from ossmeta.surfaces.api.auth import require
from ossmeta.surfaces.api.deps import get_store
from ossmeta.surfaces.api.etags import json_with_etag
from ossmeta.surfaces.api.pagination import Page, PageRequest, page_request
from ossmeta.surfaces.api.program_calls import (
    program_access,
    service_call,
    year_name,
)

router = APIRouter(prefix="/api/v1/program/{year}", tags=["program"])

StoreDep = Annotated[Store, Depends(get_store)]
Reader = Annotated[Principal, Depends(require("read"))]
Writer = Annotated[Principal, Depends(require("write"))]
PageDep = Annotated[PageRequest, Depends(page_request)]
YearPath = Annotated[
    str, Path(min_length=1, max_length=64, description="A year's name, or current.")
]
PairPath = Annotated[str, Path(min_length=1, max_length=128)]

_MAX_ANSWERS = 100


def _paged(page: PageRequest, rows: list[dict[str, Any]], key: str) -> dict[str, Any]:
    after = page.after("")
    return page.page([r for r in rows if r[key] > after], key=lambda r: r[key])


class RuleOut(BaseModel):
    rule: str


class QuestionOut(BaseModel):
    key: str
    kind: Literal["text", "choice", "scale", "yesno"]
    label: str
    label_zh: str
    required: bool
    options: list[str]
    options_zh: list[str]


class FormsOut(BaseModel):
    university: list[QuestionOut]
    mentor: list[QuestionOut]


class OutcomeOut(BaseModel):
    pair: str
    university: bool | None = Field(description="The university form's pass; null: not in.")
    mentor: bool | None
    result: Literal["pass", "fail", "pending"]
    ended: bool
    reason: str | None


class FormIn(BaseModel):
    passed: bool
    answers: dict[str, str | int | bool] = Field(default_factory=dict, max_length=_MAX_ANSWERS)


class FormOut(BaseModel):
    pair: str
    form: str
    passed: bool
    answers: dict[str, Any]
    submitted_at: datetime
    submitted_by: str


class EndIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class EndedOut(BaseModel):
    pair: str
    reason: str
    ended_at: datetime
    ended_by: str


class CriterionOut(BaseModel):
    key: str
    label: str
    label_zh: str
    weight: float
    max: float


class DefenseRuleOut(BaseModel):
    rule: str
    rubric: list[CriterionOut]


class DefendedOut(BaseModel):
    pair: str
    score: float = Field(description="The median of the reviewers' numbers, 0 to 100.")
    exact: str = Field(description="The same score as an exact fraction.")
    reviewers: int
    rank: int


class DefensePageOut(BaseModel):
    year: str
    pair: str
    student: str
    teacher: str
    task: str
    title: str
    mentor: str
    project: str
    community: str
    repository: str
    score: float
    reviewers: int
    rank: int
    rule: str


class ReviewerIn(BaseModel):
    reviewer: str = Field(min_length=1, max_length=255, description="The reviewer's login.")


class AssignedOut(BaseModel):
    pair: str
    reviewer: str
    added: bool


class ScoresIn(BaseModel):
    scores: dict[str, float] = Field(max_length=_MAX_ANSWERS)


class ScoredOut(BaseModel):
    pair: str
    reviewer: str
    number: float = Field(description="This reviewer's number for the pair, 0 to 100.")


class ReviewerPairOut(BaseModel):
    pair: str
    task: str
    title: str
    ended: bool
    scores: dict[str, float]


@router.get("/midterm/rule", response_model=RuleOut, tags=["public"])
def midterm_rule(year: YearPath, request: Request) -> Response:
    """The published pass rule of the mid-term check."""
    return json_with_etag(request, {"rule": MIDTERM_RULE})


@router.get("/midterm/questions", response_model=FormsOut, tags=["public"])
def midterm_questions(year: YearPath, request: Request, store: StoreDep) -> Response:
    """The year's university form and mentor form."""
    forms = midterm.questions(store, year_name(year))
    document = {
        name: [
            {
                "key": q.key,
                "kind": q.kind,
                "label": q.label,
                "label_zh": q.label_zh,
                "required": q.required,
                "options": list(q.options),
                "options_zh": list(q.options_zh),
            }
            for q in form.questions
        ]
        for name, form in forms.items()
    }
    return json_with_etag(request, document)


@router.get("/midterm/results", response_model=Page[OutcomeOut])
def midterm_results(
    year: YearPath, store: StoreDep, principal: Reader, page: PageDep
) -> dict[str, Any]:
    """The mid-term outcome of each pair the caller may see (admins: all; a university admin,
    mentor, teacher or student: their own pairs), by pair key."""
    document = midterm.outcomes(
        store, year_name(year), program_access(store, year, principal.login)
    )
    return _paged(page, document["pairs"], "pair")


def _submit(
    store: Store, year: str, pair: str, form: str, body: FormIn, principal: Principal
) -> FormOut:
    access = program_access(store, year, principal.login)
    done = service_call(
        lambda: midterm.submit_form(
            store, year_name(year), access, pair, form, body.answers, body.passed, datetime.now(UTC)
        )
    )
    return FormOut(
        pair=done.pair,
        form=done.form,
        passed=done.passed,
        answers=done.answers,
        submitted_at=done.submitted_at,
        submitted_by=done.submitted_by,
    )


@router.put("/midterm/pairs/{pair}/forms/university", response_model=FormOut)
def submit_university_form(
    year: YearPath, pair: PairPath, body: FormIn, store: StoreDep, principal: Writer
) -> FormOut:
    """Submit (or replace) the pair's university form: its student's university admin, in
    phase midterm."""
    return _submit(store, year, pair, "university", body, principal)


@router.put("/midterm/pairs/{pair}/forms/mentor", response_model=FormOut)
def submit_mentor_form(
    year: YearPath, pair: PairPath, body: FormIn, store: StoreDep, principal: Writer
) -> FormOut:
    """Submit (or replace) the pair's mentor form: its mentor, in phase midterm."""
    return _submit(store, year, pair, "mentor", body, principal)


@router.post("/midterm/pairs/{pair}/end", response_model=EndedOut)
def end_pair(
    year: YearPath, pair: PairPath, body: EndIn, store: StoreDep, principal: Writer
) -> EndedOut:
    """End a pair that failed the mid-term (program admins; audited; final)."""
    access = program_access(store, year, principal.login)
    ended = midterm.end_failed_pair(
        store, year_name(year), access, pair, body.reason, datetime.now(UTC)
    )
    return EndedOut(
        pair=ended.pair, reason=ended.reason, ended_at=ended.ended_at, ended_by=ended.ended_by
    )


@router.get("/defense/rule", response_model=DefenseRuleOut, tags=["public"])
def defense_rule(year: YearPath, request: Request, store: StoreDep) -> Response:
    """The published aggregation rule and the year's rubric."""
    document = defense.defense_results(store, year_name(year))
    return json_with_etag(request, {"rule": DEFENSE_RULE, "rubric": document["rubric"]})


@router.get("/defense/results", response_model=Page[DefendedOut], tags=["public"])
def defense_results(year: YearPath, request: Request, store: StoreDep, page: PageDep) -> Response:
    """Each defended pair's score, reviewer count and rank, by pair key (public)."""
    rows = [
        {k: p[k] for k in ("pair", "score", "exact", "reviewers", "rank")}
        for p in defense.defense_results(store, year_name(year))["pairs"]
    ]
    return json_with_etag(request, _paged(page, sorted(rows, key=lambda r: r["pair"]), "pair"))


@router.get("/defense/pairs/{pair}", response_model=DefensePageOut, tags=["public"])
def defended_pair(year: YearPath, pair: PairPath, request: Request, store: StoreDep) -> Response:
    """The public facts of one defended pair: task, people, score and how many reviewers."""
    found = defense.defended_pair(store, year_name(year), pair)
    return json_with_etag(request, {k: v for k, v in found.items() if k != "published_at"})


@router.post("/defense/pairs/{pair}/reviewers", response_model=AssignedOut)
def assign_reviewer(
    year: YearPath, pair: PairPath, body: ReviewerIn, store: StoreDep, principal: Writer
) -> AssignedOut:
    """Assign a reviewer to the pair (program admins); refused on a conflict of interest."""
    access = program_access(store, year, principal.login)
    added = service_call(
        lambda: defense.assign_reviewer(
            store, year_name(year), access, pair, body.reviewer, datetime.now(UTC)
        )
    )
    return AssignedOut(pair=pair, reviewer=body.reviewer, added=added)


@router.put("/defense/pairs/{pair}/scores", response_model=ScoredOut)
def score_pair(
    year: YearPath, pair: PairPath, body: ScoresIn, store: StoreDep, principal: Writer
) -> ScoredOut:
    """The caller's scores for the pair, one per criterion (an assigned reviewer without a
    conflict of interest, in phase defense)."""
    access = program_access(store, year, principal.login)
    number = service_call(
        lambda: defense.score_pair(
            store, year_name(year), access, pair, body.scores, datetime.now(UTC)
        )
    )
    return ScoredOut(pair=pair, reviewer=principal.login, number=round(float(number), 2))


@router.get("/defense/assignments", response_model=Page[ReviewerPairOut])
def my_assignments(
    year: YearPath, store: StoreDep, principal: Reader, page: PageDep
) -> dict[str, Any]:
    """The pairs assigned to the caller as a reviewer, with the scores given so far."""
    rows = defense.reviewer_pairs(
        store, year_name(year), program_access(store, year, principal.login)
    )
    return _paged(page, sorted(rows, key=lambda r: r["pair"]), "pair")
