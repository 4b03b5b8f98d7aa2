"""Every error the API answers is an RFC 9457 problem (``application/problem+json`` with
type, title, status, detail, instance). Which status an error gets is decided in one table,
keyed on the kinds of ``ossmeta.errors``; a bug is a 500 whose body names the request id
under which its traceback was logged, never the traceback itself."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ossmeta.errors import (
    AnalysisError,
    AuthenticationError,
    ForbiddenError,
    InputError,
    NormalizeError,
    NotFoundError,
    OssmetaError,
    UnavailableError,
)

__all__ = [
    "PROBLEM_JSON",
    "ApiProblem",
    "install_problem_handlers",
    "on_error",
    "problem_response",
]

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("ossmeta.api")

#: Error kind -> (status, problem type slug, title). The first match wins: specific kinds
#: come before the kinds they refine.
KINDS: tuple[tuple[type[BaseException], int, str, str], ...] = (
    (NotFoundError, 404, "not-found", "Not found"),
    (AuthenticationError, 401, "unauthenticated", "Authentication required"),
    (ForbiddenError, 403, "forbidden", "Forbidden"),
    (InputError, 400, "bad-input", "Bad input"),
    (NormalizeError, 400, "bad-input", "Bad input"),
    (AnalysisError, 400, "bad-input", "Bad input"),
    (UnavailableError, 503, "unavailable", "Service unavailable"),
)
#: HTTP statuses raised by the framework itself (unknown route, wrong method...).
_HTTP_TITLES = {
    400: ("bad-request", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    408: ("request-timeout", "Request timeout"),
    409: ("conflict", "Conflict"),
    413: ("too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("invalid-request", "Invalid request"),
    429: ("too-many-requests", "Too many requests"),
}


def _type(slug: str) -> str:
    # A URN rather than a web address: the problem kinds are stable names, not pages.
    return f"urn:ossmeta:problem:{slug}"


class ApiProblem(StarletteHTTPException):
    """An HTTP error a route raises on purpose, with its problem fields. Being an
    ``HTTPException`` it also passes unchanged through FastAPI's body parsing."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        slug: str | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(status_code=status, detail=detail, headers=headers)
        default_slug, default_title = _HTTP_TITLES.get(status, ("error", "Error"))
        self.slug = slug or default_slug
        self.title = title or default_title
        self.extra = extra or {}


def problem_response(
    request: Request,
    status: int,
    slug: str,
    title: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    body = {
        "type": _type(slug),
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **(extra or {}),
    }
    return Response(
        orjson.dumps(body), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def _request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "-"))


async def _on_http(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if isinstance(error, ApiProblem):
        slug, title, extra = error.slug, error.title, error.extra
    else:
        slug, title = _HTTP_TITLES.get(error.status_code, ("error", "Error"))
        extra = {}
    detail = error.detail if isinstance(error.detail, str) else title
    if not isinstance(error, ApiProblem) and error.status_code == 404:
        detail = "no such resource"  # the same words for a route and an object not found
    headers = dict(error.headers or {})
    return problem_response(
        request, error.status_code, slug, title, detail, headers=headers, extra=extra
    )


async def _on_validation(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    errors = [
        {
            "location": [str(part) for part in item.get("loc", ())],
            "message": str(item.get("msg", "")),
        }
        for item in error.errors()
    ]
    first = errors[0] if errors else {"location": [], "message": "invalid request"}
    detail = f"{'.'.join(first['location'])}: {first['message']}".lstrip(": ")
    return problem_response(
        request, 422, "invalid-request", "Invalid request", detail, extra={"errors": errors}
    )


async def _on_ossmeta_error(request: Request, error: Exception) -> Response:
    return await on_error(request, error)


async def on_error(request: Request, error: BaseException) -> Response:
    """Errors of ossmeta by their kind; a database error by what it means for the caller
    (``store_failure``); anything else is a bug."""
    from ossmeta.store import store_failure

    if isinstance(error, StarletteHTTPException):  # raised where no handler stood (middleware)
        return await _on_http(request, error)
    known = error if isinstance(error, OssmetaError) else store_failure(error)
    if known is not None:
        for kind, status, slug, title in KINDS:
            if isinstance(known, kind):
                if status >= 500:
                    log.warning("request %s: %s", _request_id(request), known)
                headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
                return problem_response(request, status, slug, title, str(known), headers=headers)
    request_id = _request_id(request)
    log.error("request %s failed", request_id, exc_info=(type(error), error, error.__traceback__))
    return problem_response(
        request,
        500,
        "internal",
        "Internal error",
        f"an internal error occurred; it was logged with request id {request_id}",
        extra={"request_id": request_id},
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(RequestValidationError, _on_validation)
    # Errors of ossmeta are answered here; every other exception reaches the request
    # middleware (``middleware.RequestContext``), which answers it with ``on_error``.
    app.add_exception_handler(OssmetaError, _on_ossmeta_error)
