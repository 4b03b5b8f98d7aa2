"""Who is logged in to the pages, and the checks every tenant page makes.

The session cookie (``SESSION_COOKIE``) holds only the session's secret
(``ossmeta.service.web_sessions``): HttpOnly, SameSite=Lax, and Secure whenever the page
was asked for over https. Over plain http on a developer's loopback a Secure cookie would
never come back, so it is left off there; behind a TLS-terminating proxy, run uvicorn with
``--proxy-headers`` so that the scheme is seen as https.

Every state-changing form carries the session's CSRF token (``csrf`` in the template) and
``checked_form`` refuses a POST whose token is missing or wrong. The login form has no
session yet: it carries a random value that must equal the one in ``LOGIN_COOKIE``
(double submit), which a page on another site can neither read nor set.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from ossmeta.service.web_sessions import (
    SESSION_HOURS,
    IssuedSession,
    WebUser,
    csrf_matches,
    csrf_token,
    session_user,
)
from ossmeta.surfaces.web import tenant_words
from ossmeta.surfaces.web.render import SESSION_COOKIE, app_store, page

__all__ = [
    "LOGIN_COOKIE",
    "SESSION_COOKIE",
    "Signed",
    "checked_form",
    "clear_session",
    "local_target",
    "login_nonce",
    "remote_addr",
    "set_session",
    "signed_in",
    "tenant_page",
    "to_login",
]

LOGIN_COOKIE = "ossmeta_login"
#: Tenant pages show private data: no cache may keep them.
PRIVATE = {"Cache-Control": "no-store"}


@dataclass(frozen=True)
class Signed:
    """The logged-in user of a request and their session's CSRF token."""

    user: WebUser
    csrf: str


def remote_addr(request: Request) -> str | None:
    return request.client.host if request.client else None


def signed_in(request: Request) -> Signed | None:
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        return None
    user = session_user(app_store(request), secret)
    return None if user is None else Signed(user, csrf_token(secret))


def local_target(target: str) -> str:
    """Only a path on this site: never another host (``//host``, ``/\\host``, a scheme)."""
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/workspace"
    return target


def to_login(request: Request) -> RedirectResponse:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse("/login?next=" + quote(here, safe=""), status_code=303)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session(response: Response, request: Request, issued: IssuedSession) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        issued.secret,
        max_age=SESSION_HOURS * 3600,
        path="/",
        secure=_secure(request),
        httponly=True,
        samesite="lax",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/login")


def clear_session(response: Response, request: Request) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=_secure(request), httponly=True, samesite="lax"
    )


def login_nonce(request: Request, response: Response, nonce: str | None = None) -> str:
    """The login form's double-submit value, set in ``LOGIN_COOKIE`` on ``response``."""
    value = nonce or secrets.token_urlsafe(24)
    response.set_cookie(
        LOGIN_COOKIE,
        value,
        max_age=3600,
        path="/login",
        secure=_secure(request),
        httponly=True,
        samesite="strict",
    )
    return value


def login_nonce_matches(request: Request, offered: str | None) -> bool:
    cookie = request.cookies.get(LOGIN_COOKIE)
    return bool(cookie and offered) and hmac.compare_digest(cookie or "", offered or "")


async def checked_form(request: Request, signed: Signed) -> FormData | None:
    """The POSTed form when its CSRF token is the session's; None otherwise."""
    form = await request.form()
    offered = form.get("csrf")
    secret = request.cookies.get(SESSION_COOKIE, "")
    if not isinstance(offered, str) or not csrf_matches(secret, offered):
        await form.close()  # an uploaded file is spooled to disk until closed
        return None
    return form


def tenant_page(
    request: Request, signed: Signed, template: str, status: int = 200, **context: Any
) -> HTMLResponse:
    """A page of the workspace: the user, the CSRF token and the workspace's words in the
    context, and never cached."""
    response = page(
        request,
        template,
        status,
        query="",
        user=signed.user,
        csrf=signed.csrf,
        W=tenant_words,
        **context,
    )
    response.headers.update(PRIVATE)
    return response


def problem_page(
    request: Request, signed: Signed | None, status: int, kind: str, **context: Any
) -> HTMLResponse:
    """The workspace's error page: not found (another tenant's is not found too), not
    allowed, a refused form, bad input."""
    if signed is None:
        response = page(
            request,
            "ws_error.html",
            status,
            query="",
            user=None,
            csrf="",
            W=tenant_words,
            kind=kind,
            **context,
        )
        response.headers.update(PRIVATE)
        return response
    return tenant_page(request, signed, "ws_error.html", status, kind=kind, **context)
