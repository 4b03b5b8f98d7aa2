"""Logging in and out of the pages (sessions: ``ossmeta.service.web_sessions``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ossmeta.errors import AuthenticationError, InputError
from ossmeta.service.login_throttle import LoginThrottle
from ossmeta.service.web_sessions import log_in, log_out
from ossmeta.surfaces.web.render import app_store, page
from ossmeta.surfaces.web.session import (
    PRIVATE,
    checked_form,
    clear_session,
    local_target,
    login_nonce,
    login_nonce_matches,
    problem_page,
    remote_addr,
    set_session,
    signed_in,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
#: Longest login and password read from the form (longer ones fail like any wrong one).
MAX_FIELD = 1024


def _throttle(request: Request) -> LoginThrottle:
    found = getattr(request.app.state, "login_throttle", None)
    if found is None:
        found = request.app.state.login_throttle = LoginThrottle()
    return found


def _login_form(request: Request, status: int = 200, **context: object) -> Response:
    response = HTMLResponse("")
    nonce = login_nonce(request, response)
    shown = page(
        request,
        "login.html",
        status,
        query="",
        nonce=nonce,
        next=local_target(str(context.pop("next", "/workspace"))),
        login=context.pop("login", ""),
        tenant=context.pop("tenant", ""),
        failure=context.pop("failure", None),
        reason=context.pop("reason", ""),
    )
    shown.headers.update(PRIVATE)
    shown.raw_headers.extend(h for h in response.raw_headers if h[0] == b"set-cookie")
    return shown


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/workspace") -> Response:
    if signed_in(request) is not None:
        return RedirectResponse(local_target(next), status_code=303)
    return _login_form(request, next=next)


def _field(value: object) -> str:
    return value[:MAX_FIELD] if isinstance(value, str) else ""


@router.post("/login", response_class=HTMLResponse)
async def login_submit(request: Request) -> Response:
    form = await request.form()
    target = local_target(_field(form.get("next")) or "/workspace")
    login, tenant = _field(form.get("login")).strip(), _field(form.get("tenant")).strip()
    if not login_nonce_matches(request, _field(form.get("nonce")) or None):
        return _login_form(request, 403, next=target, login=login, tenant=tenant, failure="csrf")
    throttle = _throttle(request)
    if throttle.blocked(login):
        return _login_form(request, 429, next=target, login=login, tenant=tenant, failure="slow")
    try:
        issued = log_in(
            app_store(request),
            login,
            _field(form.get("password")),
            tenant,
            remote_addr=remote_addr(request),
        )
    except AuthenticationError:
        throttle.failed(login)
        return _login_form(request, 401, next=target, login=login, tenant=tenant, failure="wrong")
    except InputError as error:
        return _login_form(
            request,
            400,
            next=target,
            login=login,
            tenant=tenant,
            failure="tenant",
            reason=str(error),
        )
    throttle.succeeded(login)
    response = RedirectResponse(target, status_code=303)
    set_session(response, request, issued)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    signed = signed_in(request)
    if signed is None:
        response: Response = RedirectResponse("/login", status_code=303)
        clear_session(response, request)
        return response
    if await checked_form(request, signed) is None:
        return problem_page(request, signed, 403, "csrf")
    log_out(app_store(request), signed.user, remote_addr=remote_addr(request))
    response = RedirectResponse("/", status_code=303)
    clear_session(response, request)
    return response
