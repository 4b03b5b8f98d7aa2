"""The program admin's page (``/program/admin``), a community contact's
(``/program/community/{key}``) and a university admin's (``/program/university/{key}``).

The same service calls and checks as the API's program admin routes: logged in first, the
login's program role (a 403 page otherwise; 404 for a login with no role in the year), the
tenant role's ``write`` right and the session's CSRF token for every form. An edit that
leaves blocking pairs without an override answers the admin page again (409) with the
blocking pairs listed and a field for the reason. ``?year=`` names a year; without it the
newest one is shown."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from ossmeta.errors import InputError
from ossmeta.service import program_admin_views as views
from ossmeta.service import program_admin_views_actions as actions
from ossmeta.service.program_access import MEMBER_ROLES, Access, Member
from ossmeta.service.program_admin_views_contacts import community_view, university_view
from ossmeta.service.program_imports import KINDS
from ossmeta.service.program_views import member_access
from ossmeta.surfaces.web.render import app_store
from ossmeta.surfaces.web.routes.workspace import PAGE_METHODS, back, form_of, text, workspace_call
from ossmeta.surfaces.web.session import Signed, tenant_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False, prefix="/program")
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _year(value: str | None) -> str | None:
    return value[:64] if value and value != "current" else None


def _access(request: Request, signed: Signed, year: str | None) -> Access:
    return member_access(app_store(request), year, signed.user.login)


def _admin_href(year: str) -> str:
    return f"/program/admin?year={quote(year, safe='')}"


def _deadline(value: str) -> datetime:
    """A date (the deadline is its midnight, UTC) or a date-time with a zone."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"deadline {value!r}: write a date, 2027-05-01") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _admin_page(
    request: Request, signed: Signed, access: Access, status: int = 200, **extra: Any
) -> Response:
    shown = views.admin_overview(app_store(request), access.year.name, access)
    context = {"refused": None, "pair": "", "task": "", **extra}
    return tenant_page(
        request,
        signed,
        "program_admin_page.html",
        status,
        kinds=KINDS,
        roles=MEMBER_ROLES,
        **shown,
        **context,
    )


@router.api_route("/admin", methods=PAGE_METHODS, response_class=HTMLResponse)
async def admin_page(request: Request, year: str | None = None) -> Response:
    async def act(signed: Signed) -> Response:
        access = await run_in_threadpool(_access, request, signed, _year(year))
        return await run_in_threadpool(_admin_page, request, signed, access)

    return await workspace_call(request, act)


async def _admin_form(
    request: Request, change: Callable[[Access, FormData, datetime], object]
) -> Response:
    """A form of the admin page: checked, done, and back to the page."""

    async def act(signed: Signed) -> Response:
        form = await form_of(request, signed)
        access = await run_in_threadpool(_access, request, signed, _year(text(form, "year", 64)))
        await run_in_threadpool(change, access, form, datetime.now(UTC))
        return back(_admin_href(access.year.name))

    return await workspace_call(request, act, write=True)


@router.post("/admin/advance")
async def advance(request: Request) -> Response:
    store = app_store(request)
    return await _admin_form(
        request, lambda access, form, now: actions.advance(store, access.year.name, access, now)
    )


@router.post("/admin/extend")
async def extend(request: Request) -> Response:
    store = app_store(request)
    return await _admin_form(
        request,
        lambda access, form, now: actions.extend(
            store, access.year.name, access, _deadline(text(form, "deadline", 64)), now
        ),
    )


def _member(form: FormData) -> Member:
    return Member(text(form, "login", 255), text(form, "role", 32), text(form, "subject", 128))


@router.post("/admin/members/add")
async def add_member(request: Request) -> Response:
    store = app_store(request)
    return await _admin_form(
        request,
        lambda access, form, now: actions.add_member(
            store, access.year.name, access, _member(form), now
        ),
    )


@router.post("/admin/members/remove")
async def remove_member(request: Request) -> Response:
    store = app_store(request)
    return await _admin_form(
        request,
        lambda access, form, now: actions.remove_member(
            store, access.year.name, access, _member(form), now
        ),
    )


@router.post("/admin/match")
async def match(request: Request) -> Response:
    store = app_store(request)
    return await _admin_form(
        request,
        lambda access, form, now: actions.match(
            store, access.year.name, access, text(form, "variant", 32) or "pair_optimal", now
        ),
    )


@router.post("/admin/publish")
async def publish(request: Request) -> Response:
    store = app_store(request)
    return await _admin_form(
        request, lambda access, form, now: actions.publish(store, access.year.name, access, now)
    )


@router.post("/admin/import")
async def import_table(request: Request) -> Response:
    async def act(signed: Signed) -> Response:
        form = await form_of(request, signed)
        try:
            kind, file = text(form, "kind", 32), form.get("file")
            if not isinstance(file, UploadFile) or not file.filename:
                raise InputError("choose the table to upload")
            content = await file.read(actions.MAX_UPLOAD + 1)
            name = file.filename
        finally:
            await form.close()
        access = await run_in_threadpool(_access, request, signed, _year(text(form, "year", 64)))
        await run_in_threadpool(
            actions.import_table,
            app_store(request),
            access.year.name,
            access,
            kind,
            name,
            content,
            datetime.now(UTC),
        )
        return back(_admin_href(access.year.name))

    return await workspace_call(request, act, write=True)


@router.post("/admin/edit")
async def edit(request: Request) -> Response:
    async def act(signed: Signed) -> Response:
        form = await form_of(request, signed)
        access = await run_in_threadpool(_access, request, signed, _year(text(form, "year", 64)))
        pair, task = text(form, "pair", 128), text(form, "task", 128)
        override = text(form, "override", 2000) or None
        try:
            await run_in_threadpool(
                actions.edit,
                app_store(request),
                access.year.name,
                access,
                pair,
                task or None,
                override,
                datetime.now(UTC),
            )
        except actions.BlockingEdit as error:
            return await run_in_threadpool(
                _admin_page, request, signed, access, 409, refused=error, pair=pair, task=task
            )
        return back(_admin_href(access.year.name))

    return await workspace_call(request, act, write=True)


@router.get("/admin/export/{kind}")
async def export_table(
    request: Request, kind: str, year: str | None = None, format: str = "csv"
) -> Response:
    async def act(signed: Signed) -> Response:
        access = await run_in_threadpool(_access, request, signed, _year(year))
        name, content = await run_in_threadpool(
            actions.export_table, app_store(request), access.year.name, access, kind, format
        )
        headers = {
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        }
        return Response(content, media_type=MEDIA[format], headers=headers)

    return await workspace_call(request, act)


@router.api_route("/community/{key}", methods=PAGE_METHODS, response_class=HTMLResponse)
async def community_page(request: Request, key: str, year: str | None = None) -> Response:
    async def act(signed: Signed) -> Response:
        access = await run_in_threadpool(_access, request, signed, _year(year))
        shown = await run_in_threadpool(
            community_view, app_store(request), access.year.name, access, key[:128]
        )
        return tenant_page(request, signed, "program_community_page.html", **shown)

    return await workspace_call(request, act)


@router.api_route("/university/{key}", methods=PAGE_METHODS, response_class=HTMLResponse)
async def university_page(request: Request, key: str, year: str | None = None) -> Response:
    async def act(signed: Signed) -> Response:
        access = await run_in_threadpool(_access, request, signed, _year(year))
        shown = await run_in_threadpool(
            university_view, app_store(request), access.year.name, access, key[:128]
        )
        return tenant_page(request, signed, "program_university_page.html", **shown)

    return await workspace_call(request, act)
