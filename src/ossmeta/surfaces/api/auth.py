"""Who is calling: ``Authorization: Bearer <token>`` -> ``Principal``.

Routes declare what they need with dependencies::

    @router.get("/things")
    def things(principal: Annotated[Principal, Depends(require("read"))]) -> ...
    @router.post("/things")
    def add(principal: Annotated[Principal, Depends(require("write", roles=("admin", "curator")))])

A missing, malformed, unknown, expired or revoked token is a 401 problem; a valid token
without the scope or role is a 403. The token itself is never logged nor echoed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ossmeta.errors import AuthenticationError, ForbiddenError
from ossmeta.service.accounts import ROLES, SCOPES, Principal, authenticate, has_scope
from ossmeta.store import Store
from ossmeta.surfaces.api.deps import get_store

__all__ = ["Principal", "optional_principal", "remote_addr", "require"]

_bearer = HTTPBearer(auto_error=False, description="An API token: `ossmeta tokens create`.")


def optional_principal(
    request: Request,
    store: Annotated[Store, Depends(get_store)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    """The caller, or None when the request carries no ``Authorization`` header; a header
    that is there but not a valid bearer token is a 401 (never silently anonymous)."""
    if credentials is None:
        if request.headers.get("authorization"):
            raise AuthenticationError("the Authorization header must be 'Bearer <token>'")
        return None
    return authenticate(store, credentials.credentials)


def require(
    scope: str = "read", roles: tuple[str, ...] = ROLES
) -> Callable[[Principal | None], Principal]:
    """A dependency that yields the caller when their token has ``scope`` (or a higher one)
    and their role is one of ``roles``."""
    if scope not in SCOPES or not set(roles) <= set(ROLES):
        raise ValueError(f"unknown scope {scope!r} or roles {roles!r}")

    def dependency(
        principal: Annotated[Principal | None, Depends(optional_principal)],
    ) -> Principal:
        if principal is None:
            raise AuthenticationError("this resource needs an API token (Authorization: Bearer)")
        if not has_scope(principal.scopes, scope):
            raise ForbiddenError(f"the token lacks the {scope!r} scope")
        if principal.role not in roles:
            raise ForbiddenError(f"a {principal.role} may not do this")
        return principal

    return dependency


def remote_addr(request: Request) -> str | None:
    """The client's address, as the audit log records it."""
    return request.client.host if request.client else None
