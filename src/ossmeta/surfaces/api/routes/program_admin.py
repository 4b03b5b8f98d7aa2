"""The program admin's API, and the community contacts' and university admins' views:
``/api/v1/program/{year}/admin/...``, ``/api/v1/program/{year}/communities/{community}`` and
``/api/v1/program/{year}/universities/{university}`` (``{year}`` is a year's name or
``current``, the newest year).

A token reads with the ``read`` scope and changes with ``write``; beyond that every route
asks the program for the caller's role (``program_access``): a login without the right role
gets a 403 problem, and one with no role at all in the year a 404 (the year is its members'
business, as a project is its tenant's). A table upload's mistakes are a 422 problem naming
the upload and its line; an edit that leaves blocking pairs without an override is a 409
problem listing them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, status
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ossmeta.errors import InputError
from ossmeta.service import program_admin_views as views
from ossmeta.service import program_admin_views_actions as actions
from ossmeta.service.accounts import Principal
from ossmeta.service.program_access import Access, Member
from ossmeta.service.program_admin_views_contacts import community_view, university_view
from ossmeta.service.program_imports import KINDS
from ossmeta.store import Store
from ossmeta.surfaces.api.auth import require
from ossmeta.surfaces.api.deps import get_store
from ossmeta.surfaces.api.pagination import Page, PageRequest, page_request
from ossmeta.surfaces.api.problems import ApiProblem
from ossmeta.surfaces.api.program_calls import (
    PHASE_RESPONSES,
    program_access,
    refusal,
    service_call,
)

router = APIRouter(prefix="/api/v1/program/{year}", tags=["program admin"])

StoreDep = Annotated[Store, Depends(get_store)]
Reader = Annotated[Principal, Depends(require("read"))]
Writer = Annotated[Principal, Depends(require("write", roles=("admin", "curator", "member")))]
PageDep = Annotated[PageRequest, Depends(page_request)]
YearName = Annotated[
    str, Path(min_length=1, max_length=64, description="A year's name, or `current`.")
]
Key = Annotated[str, Path(min_length=1, max_length=128)]
Kind = Annotated[str, Path(description=f"One of {', '.join(KINDS)}.")]
Anything = dict[str, Any]
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _access(store: Store, year: str, principal: Principal) -> Access:
    return program_access(store, year, principal.login)


def _now() -> datetime:
    return datetime.now(UTC)


class Extension(BaseModel):
    deadline: datetime = Field(description="The current phase's new deadline, with a zone.")


class MemberIn(BaseModel):
    login: str = Field(min_length=1, max_length=255)
    role: Literal["admin", "community", "university", "mentor", "teacher", "student", "reviewer"]
    subject: str = Field(default="", max_length=128, description="The key the role acts for.")


class MemberOut(BaseModel):
    login: str
    role: str
    subject: str


class Changed(BaseModel):
    changed: bool


class Imported(BaseModel):
    kind: str
    file: str
    rows: int


class MatchIn(BaseModel):
    variant: Literal["pair_optimal", "mentor_optimal"] = "pair_optimal"


class EditIn(BaseModel):
    pair: str = Field(min_length=1, max_length=128)
    task: str | None = Field(max_length=128, description="The task, or null for none.")
    override: str | None = Field(
        default=None, max_length=2000, description="Why to keep an edit with blocking pairs."
    )


class AuditOut(BaseModel):
    id: int
    at: str
    actor: str
    action: str
    detail: Anything


# ------------------------------------------------------------------ the year and its phases


@router.get("/admin", response_model=Anything)
def overview(year: YearName, store: StoreDep, principal: Reader) -> Anything:
    """The year, its phases and deadlines, members, table counts, the current matching with
    the checker's verdict, and the newest audit entries."""
    access = _access(store, year, principal)
    return views.admin_overview(store, access.year.name, access)


@router.post("/admin/phase/advance", response_model=Anything, responses=PHASE_RESPONSES)
def advance(year: YearName, store: StoreDep, principal: Writer) -> Anything:
    """Move the year to its next phase (audited)."""
    access = _access(store, year, principal)
    return views.year_row(
        service_call(lambda: actions.advance(store, access.year.name, access, _now()))
    )


@router.post("/admin/phase/extend", response_model=Anything, responses=PHASE_RESPONSES)
def extend(year: YearName, body: Extension, store: StoreDep, principal: Writer) -> Anything:
    """Move the current phase's deadline later, never earlier (audited)."""
    access = _access(store, year, principal)
    extended = service_call(
        lambda: actions.extend(store, access.year.name, access, body.deadline, _now())
    )
    return views.year_row(extended)


# ------------------------------------------------------------------ members


@router.get("/admin/members", response_model=Page[MemberOut])
def members(year: YearName, store: StoreDep, principal: Reader, page: PageDep) -> Anything:
    """The year's members, by login, role and subject."""
    access = _access(store, year, principal)
    after = page.after(["", "", ""])
    if len(after) != 3 or not all(isinstance(part, str) for part in after):
        raise ApiProblem(400, "the cursor is not one this API gave out")
    found = [
        MemberOut(login=m.login, role=m.role, subject=m.subject)
        for m in views.members_view(store, access.year.name, access)
        if [m.login, m.role, m.subject] > after
    ]
    return page.page(found[: page.limit + 1], key=lambda m: [m.login, m.role, m.subject])


@router.post("/admin/members", response_model=Changed, status_code=status.HTTP_201_CREATED)
def add_member(year: YearName, body: MemberIn, store: StoreDep, principal: Writer) -> Changed:
    """Give a login a program role (``changed`` is false when it held it already)."""
    access = _access(store, year, principal)
    member = Member(body.login, body.role, body.subject)
    added = service_call(
        lambda: actions.add_member(store, access.year.name, access, member, _now())
    )
    return Changed(changed=added)


@router.post("/admin/members/remove", response_model=Changed)
def remove_member(year: YearName, body: MemberIn, store: StoreDep, principal: Writer) -> Changed:
    """Take a program role from a login (``changed`` is false when it did not hold it)."""
    access = _access(store, year, principal)
    member = Member(body.login, body.role, body.subject)
    return Changed(changed=actions.remove_member(store, access.year.name, access, member, _now()))


# ------------------------------------------------------------------ tables


_MULTIPART = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "The table, as .csv or .xlsx.",
                        }
                    },
                }
            }
        },
    }
}


@router.post(
    "/admin/import/{kind}",
    response_model=Imported,
    responses={422: {"description": "The table is wrong: the problem names the file and line."}},
    openapi_extra=_MULTIPART,
)
async def import_table(
    request: Request, year: YearName, kind: Kind, store: StoreDep, principal: Writer
) -> Imported:
    """Replace the year's rows of ``kind`` with the uploaded table's (audited)."""
    # The form is read here, after the caller's role is known, rather than declared as a
    # parameter: a caller with no role in the year learns nothing, not even how to upload.
    access = await run_in_threadpool(_access, store, year, principal)
    form = await request.form(max_files=1, max_fields=8)
    try:
        file = form.get("file")
        if not isinstance(file, UploadFile):
            raise InputError("the upload needs its table in a multipart part named 'file'")
        name = file.filename or ""
        content = await file.read(actions.MAX_UPLOAD + 1)
    finally:
        await form.close()
    try:
        rows = await run_in_threadpool(
            actions.import_table, store, access.year.name, access, kind, name, content, _now()
        )
    except InputError as error:
        if error.path is None:
            raise refusal(error) from None
        raise ApiProblem(
            422,
            str(error),
            slug="bad-table",
            title="The table is wrong",
            extra={"file": error.path, "line": error.line},
        ) from None
    return Imported(kind=kind, file=name.replace("\\", "/").rsplit("/", 1)[-1], rows=rows)


class TableOut(BaseModel):
    kind: str
    columns: list[str]
    rows: list[list[str]]


@router.get(
    "/admin/export/{kind}",
    response_model=TableOut,
    responses={200: {"content": {MEDIA["csv"]: {}, MEDIA["xlsx"]: {}}}},
)
def export_table(
    year: YearName,
    kind: Kind,
    store: StoreDep,
    principal: Reader,
    format: Annotated[
        Literal["json", "csv", "xlsx"],
        Query(description="json (columns and rows), or a file: csv or xlsx."),
    ] = "json",
) -> TableOut | Response:
    """The year's rows of ``kind`` in the columns the import reads."""
    access = _access(store, year, principal)
    if format == "json":
        columns, rows = actions.export_rows(store, access.year.name, access, kind)
        return TableOut(kind=kind, columns=columns, rows=rows)
    name, content = actions.export_table(store, access.year.name, access, kind, format)
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(content, media_type=MEDIA[format], headers=headers)


# ------------------------------------------------------------------ the matching


@router.post("/admin/match", response_model=Anything, responses=PHASE_RESPONSES)
def match(year: YearName, body: MatchIn, store: StoreDep, principal: Writer) -> Anything:
    """Run the matching (pair- or mentor-optimal) and check it; the new current matching."""
    access = _access(store, year, principal)
    service_call(lambda: actions.match(store, access.year.name, access, body.variant, _now()))
    return _matching(store, access)


def _matching(store: Store, access: Access) -> Anything:
    found = views.matching_view(store, access.year.name, access)
    if found is None:
        raise ApiProblem(404, f"program {access.year.name} has no matching yet")
    return found


@router.get("/admin/matching", response_model=Anything)
def matching(year: YearName, store: StoreDep, principal: Reader) -> Anything:
    """The current matching with the independent checker's verdict on the tables now."""
    return _matching(store, _access(store, year, principal))


@router.post(
    "/admin/edit",
    response_model=Anything,
    responses={409: {"description": "The edit leaves blocking pairs: give an override."}},
)
def edit(year: YearName, body: EditIn, store: StoreDep, principal: Writer) -> Anything:
    """Give a pair a task (or none); with blocking pairs only with an override reason."""
    access = _access(store, year, principal)
    try:
        actions.edit(store, access.year.name, access, body.pair, body.task, body.override, _now())
    except actions.BlockingEdit as error:
        blocking = [{"pair": b.pair, "task": b.task, "case": b.case} for b in error.blocking]
        raise ApiProblem(
            409, str(error), slug="blocking-pairs", extra={"blocking": blocking}
        ) from None
    except InputError as error:
        raise refusal(error) from None
    return _matching(store, access)


@router.post("/admin/publish", response_model=Anything, responses=PHASE_RESPONSES)
def publish(year: YearName, store: StoreDep, principal: Writer) -> Anything:
    """Publish the current matching: pairs, contacts and universities see the result."""
    access = _access(store, year, principal)
    service_call(lambda: actions.publish(store, access.year.name, access, _now()))
    return _matching(store, access)


# ------------------------------------------------------------------ the audit


@router.get("/admin/audit", response_model=Page[AuditOut])
def audit(year: YearName, store: StoreDep, principal: Reader, page: PageDep) -> Anything:
    """The year's audit, newest first."""
    access = _access(store, year, principal)
    before = page.after(0) or None
    found = views.audit_page(store, access.year.name, access, before=before, limit=page.limit + 1)
    return page.page([AuditOut(**views.audit_row(e)) for e in found], key=lambda e: e.id)


# ------------------------------------------------------------------ contacts


@router.get("/communities/{community}", response_model=Anything)
def community(year: YearName, community: Key, store: StoreDep, principal: Reader) -> Anything:
    """A community's projects and tasks with applicant counts; its matched pairs once the
    result is published (the community's contact, or an admin)."""
    access = _access(store, year, principal)
    return community_view(store, access.year.name, access, community)


@router.get("/universities/{university}", response_model=Anything)
def university(year: YearName, university: Key, store: StoreDep, principal: Reader) -> Anything:
    """A university's teachers, students, pairs and applications; results once published
    (the university's program admin, or an admin)."""
    access = _access(store, year, principal)
    return university_view(store, access.year.name, access, university)
