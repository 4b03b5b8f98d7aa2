"""The program year's awards over the API: titles, a community's recommendations, a
reviewer's cross-review, the aggregated standings, certification, revocation, certificates,
and the public verification of an award by its code.

A login acts only in the program roles it holds (``program_access``); a login without any
role in the year is answered 404, as for a year that does not exist. ``{year}`` is a year
name or ``current`` (the newest). Lists are cursor pages; mistakes are RFC 9457 problems."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ossmeta.service import program_awards as awards
from ossmeta.service.accounts import Principal
from ossmeta.service.program_certificates import certificate, verify_path
from ossmeta.store import Store
from ossmeta.store.program_awards import AwardRow
from ossmeta.surfaces.api.auth import require
from ossmeta.surfaces.api.deps import get_store
from ossmeta.surfaces.api.etags import json_with_etag
from ossmeta.surfaces.api.pagination import PageRequest, encode_cursor, page_request
from ossmeta.surfaces.api.problems import ApiProblem
from ossmeta.surfaces.api.program_calls import (
    PHASE_RESPONSES,
    program_access,
    service_call,
    year_name,
)

router = APIRouter(prefix="/api/v1/program", tags=["program"])

StoreDep = Annotated[Store, Depends(get_store)]
Reader = Annotated[Principal, Depends(require("read"))]
Writer = Annotated[Principal, Depends(require("write"))]
PageDep = Annotated[PageRequest, Depends(page_request)]
YearPath = Annotated[str, Path(min_length=1, max_length=64, description="A year or `current`.")]
Key = Annotated[str, Path(min_length=1, max_length=255)]
Code = Annotated[str, Path(min_length=1, max_length=64)]


def _paged(page: PageRequest, items: list[Any]) -> dict[str, Any]:
    offset = page.after(0)
    if offset < 0:
        raise ApiProblem(400, "the cursor is not one this API gave out")
    chunk = items[offset : offset + page.limit + 1]
    more = len(chunk) > page.limit
    return {
        "items": chunk[: page.limit],
        "next": encode_cursor(offset + page.limit) if more else None,
    }


class TitleOut(BaseModel):
    key: str
    name: str
    name_zh: str
    per_community: int


class TitlesPage(BaseModel):
    items: list[TitleOut]
    next: str | None


class NominationIn(BaseModel):
    pair: str = Field(min_length=1, max_length=128)
    title: str = Field(min_length=1, max_length=64)
    citation: str = Field(min_length=1, max_length=4000)


class RecommendationsIn(BaseModel):
    items: list[NominationIn] = Field(max_length=100)


class RecommendationOut(BaseModel):
    community: str
    pair: str
    title: str
    citation: str
    student_name: str
    teacher_name: str
    task: str
    project: str


class RecommendationsPage(BaseModel):
    items: list[RecommendationOut]
    next: str | None


class RankingIn(BaseModel):
    pairs: list[str] = Field(max_length=1000, description="The recommended pairs, best first.")


class CountOut(BaseModel):
    count: int


class StandingOut(BaseModel):
    place: int
    pair: str
    score: str = Field(description="Mean normalized Borda points, an exact fraction.")
    reviews: int
    community: str
    title: str


class StandingsPage(BaseModel):
    items: list[StandingOut]
    next: str | None


class RuleOut(BaseModel):
    rule: str


class CertifyIn(BaseModel):
    pairs: list[str] | None = Field(default=None, max_length=1000)


class AwardOut(BaseModel):
    place: int
    pair: str
    title: str
    code: str | None = Field(description="The verification code (admins only).")
    revoked: bool
    facts: dict[str, Any]


class AwardsPage(BaseModel):
    items: list[AwardOut]
    next: str | None


class CertifiedOut(BaseModel):
    awards: list[AwardOut]


class RevokeIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class VerificationOut(BaseModel):
    status: Literal["valid", "revoked"]
    year: str
    title: str
    title_zh: str
    student: str
    teacher: str
    project: str
    community: str
    university: str
    certified_at: datetime
    revoked_at: datetime | None
    revoked_reason: str | None


def _recommendation(row: Any, facts: dict[str, Any]) -> RecommendationOut:
    return RecommendationOut(
        community=row.community,
        pair=row.pair,
        title=row.title,
        citation=row.citation,
        student_name=facts.get("student_name", ""),
        teacher_name=facts.get("teacher_name", ""),
        task=facts.get("task", ""),
        project=facts.get("project", ""),
    )


def _award(award: AwardRow, *, admin: bool) -> AwardOut:
    return AwardOut(
        place=award.place,
        pair=award.pair,
        title=award.title,
        code=award.code if admin else None,
        revoked=award.revoked_at is not None,
        facts={k: v for k, v in award.facts.items() if k != "citation" or admin},
    )


@router.get("/{year}/awards/titles", response_model=TitlesPage)
def list_titles(
    store: StoreDep, principal: Reader, page: PageDep, year: YearPath
) -> dict[str, Any]:
    rows = awards.titles(store, program_access(store, year, principal.login).year.name)
    return _paged(page, [TitleOut(**{n: getattr(t, n) for n in t.__slots__}) for t in rows])


@router.get("/{year}/awards/recommendations", response_model=RecommendationsPage)
def list_recommendations(
    store: StoreDep,
    principal: Reader,
    page: PageDep,
    year: YearPath,
    community: str | None = None,
) -> dict[str, Any]:
    """A community contact sees its own community's; reviewers and admins every one."""
    access = program_access(store, year, principal.login)
    found = awards.recommendations(store, year_name(year), access, community)
    return _paged(page, [_recommendation(r, f) for r, f in found])


@router.put(
    "/{year}/awards/recommendations/{community}", response_model=CountOut, responses=PHASE_RESPONSES
)
def put_recommendations(
    store: StoreDep, principal: Writer, year: YearPath, community: Key, body: RecommendationsIn
) -> CountOut:
    access = program_access(store, year, principal.login)
    nominations = [awards.Nomination(n.pair, n.title, n.citation) for n in body.items]
    count = service_call(
        lambda: awards.recommend(
            store, year_name(year), access, community, nominations, datetime.now(UTC)
        )
    )
    return CountOut(count=count)


@router.get("/{year}/awards/reviews/{reviewer}", response_model=RecommendationsPage)
def review_sheet(
    store: StoreDep, principal: Reader, page: PageDep, year: YearPath, reviewer: Key
) -> dict[str, Any]:
    """What the reviewer may rank (never its own community's), in its current order first."""
    access = program_access(store, year, principal.login)
    eligible, current = awards.review_sheet(store, year_name(year), access, reviewer)
    place = {pair: n for n, pair in enumerate(current)}
    eligible.sort(key=lambda item: (place.get(item[0].pair, len(place)), item[0].pair))
    return _paged(page, [_recommendation(r, f) for r, f in eligible])


@router.put("/{year}/awards/reviews/{reviewer}", response_model=CountOut, responses=PHASE_RESPONSES)
def put_review(
    store: StoreDep, principal: Writer, year: YearPath, reviewer: Key, body: RankingIn
) -> CountOut:
    access = program_access(store, year, principal.login)
    count = service_call(
        lambda: awards.review(
            store, year_name(year), access, reviewer, body.pairs, datetime.now(UTC)
        )
    )
    return CountOut(count=count)


@router.get("/{year}/awards/standings", response_model=StandingsPage)
def standings(store: StoreDep, principal: Reader, page: PageDep, year: YearPath) -> dict[str, Any]:
    """The cross-review aggregated by the published rule (admins)."""
    _, order = awards.standings(
        store, year_name(year), program_access(store, year, principal.login)
    )
    items = [
        StandingOut(
            place=s.ranked.place,
            pair=s.ranked.pair,
            score=str(s.ranked.score),
            reviews=s.ranked.reviews,
            community=s.recommendation.community,
            title=s.recommendation.title,
        )
        for s in order
    ]
    return _paged(page, items)


@router.get("/{year}/awards/rule", response_model=RuleOut)
def rule(store: StoreDep, principal: Reader, year: YearPath) -> RuleOut:
    """The published aggregation rule, with the year's seed."""
    from ossmeta.analyses.program.awards import aggregation_rule

    return RuleOut(rule=aggregation_rule(program_access(store, year, principal.login).year.seed))


@router.post("/{year}/awards/certify", response_model=CertifiedOut, responses=PHASE_RESPONSES)
def certify(store: StoreDep, principal: Writer, year: YearPath, body: CertifyIn) -> CertifiedOut:
    access = program_access(store, year, principal.login)
    made = service_call(
        lambda: awards.certify(store, year_name(year), access, datetime.now(UTC), pairs=body.pairs)
    )
    return CertifiedOut(awards=[_award(a, admin=True) for a in made])


@router.get("/{year}/awards", response_model=AwardsPage)
def list_awards(
    store: StoreDep, principal: Reader, page: PageDep, year: YearPath
) -> dict[str, Any]:
    """The certified awards, best first; codes and citations for admins only."""
    admin = program_access(store, year, principal.login).is_admin
    return _paged(page, [_award(a, admin=admin) for a in awards.awards(store, year_name(year))])


@router.post("/{year}/awards/{code}/revoke", response_model=AwardOut, responses=PHASE_RESPONSES)
def revoke(
    store: StoreDep, principal: Writer, year: YearPath, code: Code, body: RevokeIn
) -> AwardOut:
    access = program_access(store, year, principal.login)
    revoked = service_call(
        lambda: awards.revoke(store, year_name(year), access, code, body.reason, datetime.now(UTC))
    )
    return _award(revoked, admin=True)


@router.get(
    "/{year}/awards/{code}/certificate",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def get_certificate(
    request: Request,
    store: StoreDep,
    principal: Reader,
    year: YearPath,
    code: Code,
    person: Literal["student", "teacher"] = "student",
) -> Response:
    """The certificate PDF (the awarded student or teacher, their community, admins)."""
    access = program_access(store, year, principal.login)
    base = str(request.base_url).rstrip("/")
    made = certificate(store, year_name(year), access, code, person, base)
    disposition = f'attachment; filename="{made.filename}"'
    return Response(
        made.pdf, media_type="application/pdf", headers={"Content-Disposition": disposition}
    )


@router.get("/verify/{code}", response_model=VerificationOut, tags=["public"])
def verify(request: Request, store: StoreDep, code: Code) -> Response:
    """Public: the facts of the award a certificate's verification code names, or 404."""
    award = awards.verify(store, code)
    facts = award.facts
    out = VerificationOut(
        status="revoked" if award.revoked_at else "valid",
        year=facts["year"],
        title=facts["title_name"],
        title_zh=facts["title_name_zh"],
        student=facts["student_name"],
        teacher=facts["teacher_name"],
        project=facts["project"],
        community=facts["community_name"],
        university=facts["university_name"],
        certified_at=award.certified_at,
        revoked_at=award.revoked_at,
        revoked_reason=award.revoked_reason,
    )
    response = json_with_etag(request, out.model_dump(mode="json"))
    response.headers["Link"] = f'<{verify_path(code)}>; rel="alternate"; type="text/html"'
    return response
