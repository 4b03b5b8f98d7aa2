"""Accounts over the API: who am I, my tenant's tokens, its audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request, status
from pydantic import BaseModel, Field

from ossmeta.errors import NotFoundError
from ossmeta.service import accounts
from ossmeta.service.accounts import Principal, TokenRecord
from ossmeta.store import Store
from ossmeta.surfaces.api.auth import remote_addr, require
from ossmeta.surfaces.api.deps import get_store
from ossmeta.surfaces.api.pagination import Page, PageRequest, page_request

router = APIRouter(prefix="/api/v1", tags=["accounts"])

StoreDep = Annotated[Store, Depends(get_store)]
Scope = Literal["read", "write", "admin"]


class Me(BaseModel):
    tenant: str
    login: str
    role: str
    scopes: list[str]
    token_id: int


class Token(BaseModel):
    id: int
    name: str
    prefix: str = Field(description="The token's first characters, to recognise it by.")
    login: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class NewToken(BaseModel):
    name: str = Field("", max_length=255)
    scopes: list[Scope] = Field(default=["read"], min_length=1, max_length=3)
    expires_at: datetime | None = None


class CreatedToken(Token):
    token: str = Field(description="The secret: shown in this answer only, never again.")


class AuditItem(BaseModel):
    id: int
    actor: str
    action: str
    target: str
    detail: dict[str, Any]
    at: datetime
    remote_addr: str | None


def _token(record: TokenRecord) -> Token:
    return Token(
        id=record.id,
        name=record.name,
        prefix=record.prefix,
        login=record.login,
        scopes=list(record.scopes),
        created_at=record.created_at,
        expires_at=record.expires_at,
        revoked_at=record.revoked_at,
        last_used_at=record.last_used_at,
    )


@router.get("/me", response_model=Me)
def me(principal: Annotated[Principal, Depends(require("read"))]) -> Me:
    """The caller: tenant, login, role and the token's scopes."""
    return Me(
        tenant=principal.tenant_name,
        login=principal.login,
        role=principal.role,
        scopes=list(principal.scopes),
        token_id=principal.token_id,
    )


@router.get("/tokens", response_model=Page[Token])
def list_tokens(
    store: StoreDep,
    principal: Annotated[Principal, Depends(require("read"))],
    page: Annotated[PageRequest, Depends(page_request)],
) -> dict[str, Any]:
    """The tenant's tokens (an admin sees all, anyone else their own)."""
    rows = accounts.tokens_of(
        store,
        principal.tenant_id,
        user_id=None if principal.role == "admin" else principal.user_id,
        after=page.after(0),
        limit=page.limit + 1,
    )
    return page.page([_token(row) for row in rows], key=lambda token: token.id)


@router.post("/tokens", response_model=CreatedToken, status_code=status.HTTP_201_CREATED)
def create_token(
    request: Request,
    body: NewToken,
    store: StoreDep,
    principal: Annotated[Principal, Depends(require("write"))],
) -> CreatedToken:
    """A new token for the caller, within their role's scopes; its secret is in this
    answer only. A token with the admin scope needs the admin scope to create."""
    if "admin" in body.scopes:
        require("admin", roles=("admin",))(principal)
    issued = accounts.create_token(
        store,
        principal.login,
        actor=principal.actor(remote_addr(request)),
        tenant_id=principal.tenant_id,
        scopes=tuple(body.scopes),
        expires_at=body.expires_at,
        name=body.name,
    )
    return CreatedToken(**_token(issued.record).model_dump(), token=issued.secret)


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(
    request: Request,
    token_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    store: StoreDep,
    principal: Annotated[Principal, Depends(require("write"))],
) -> None:
    """Revoke a token: the caller's own, or any of the tenant's for an admin token."""
    record = accounts.token_of(store, principal.tenant_id, token_id)
    mine = record is not None and record.user_id == principal.user_id
    admin = principal.role == "admin" and "admin" in principal.scopes
    if record is None or not (mine or admin):
        # Someone else's token is as absent as a token that does not exist.
        raise NotFoundError(f"no token {token_id}")
    accounts.revoke(store, token_id, principal.actor(remote_addr(request)), principal.tenant_id)


@router.get("/audit", response_model=Page[AuditItem])
def audit_log(
    store: StoreDep,
    principal: Annotated[Principal, Depends(require("admin", roles=("admin",)))],
    page: Annotated[PageRequest, Depends(page_request)],
) -> dict[str, Any]:
    """The tenant's audit log, oldest first."""
    rows = accounts.audit_entries(
        store, principal.tenant_id, after=page.after(0), limit=page.limit + 1
    )
    items = [
        AuditItem(
            id=entry.id or 0,
            actor=entry.actor,
            action=entry.action,
            target=entry.target,
            detail=entry.detail,
            at=entry.at,
            remote_addr=entry.remote_addr,
        )
        for entry in rows
    ]
    return page.page(items, key=lambda item: item.id)
