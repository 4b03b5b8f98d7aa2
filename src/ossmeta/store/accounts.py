"""Accounts in the store: tenants, users, memberships and API tokens.

Every function takes the caller's transaction (``ossmeta.store.tenancy``), so a change and
its audit entry (``ossmeta.store.accounts_audit``) commit together. Functions on
tenant-owned rows take the tenant too and filter on it themselves: on PostgreSQL the
row-level policy is a second line, not the only one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from ossmeta.errors import InputError
from ossmeta.store.schema import ROLES, SCOPES, api_tokens, memberships, tenants, users
from ossmeta.store.tenancy import Transaction
from ossmeta.times import as_utc

__all__ = [
    "ROLES",
    "SCOPES",
    "Member",
    "Tenant",
    "TokenRecord",
    "add_membership",
    "find_token",
    "insert_tenant",
    "insert_token",
    "insert_user",
    "list_tenants",
    "list_tokens",
    "load_member",
    "load_tenant",
    "load_token",
    "revoke_token",
    "tenant_by_name",
    "touch_token",
    "user_id_by_login",
]


@dataclass(frozen=True)
class Tenant:
    id: int
    name: str
    created_at: datetime


@dataclass(frozen=True)
class Member:
    """A user as a member of one tenant."""

    tenant_id: int
    user_id: int
    login: str
    role: str
    disabled: bool


@dataclass(frozen=True)
class TokenRecord:
    """An API token as stored (never its secret)."""

    id: int
    tenant_id: int
    user_id: int
    login: str
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


def _utc(value: datetime) -> datetime:
    aware = as_utc(value)
    assert aware is not None
    return aware


def _tenant(row: Any) -> Tenant:
    return Tenant(id=row.id, name=row.name, created_at=_utc(row.created_at))


# ------------------------------------------------------------------ tenants and users (global)


def insert_tenant(tx: Transaction, name: str, now: datetime) -> Tenant:
    """A new tenant; ``InputError`` when the name is taken."""
    # Checked first rather than caught: a failed INSERT would end the caller's transaction
    # on PostgreSQL. Two operators racing for one name still meet the unique constraint.
    if tenant_by_name(tx, name) is not None:
        raise InputError(f"a tenant named {name!r} exists already")
    new_id = tx.execute(
        insert(tenants).returning(tenants.c.id), {"name": name, "created_at": now}
    ).scalar_one()
    return Tenant(id=int(new_id), name=name, created_at=now)


def tenant_by_name(tx: Transaction, name: str) -> Tenant | None:
    row = tx.execute(select(tenants).where(tenants.c.name == name)).first()
    return None if row is None else _tenant(row)


def load_tenant(tx: Transaction, tenant_id: int) -> Tenant | None:
    row = tx.execute(select(tenants).where(tenants.c.id == tenant_id)).first()
    return None if row is None else _tenant(row)


def list_tenants(tx: Transaction) -> tuple[Tenant, ...]:
    return tuple(_tenant(row) for row in tx.execute(select(tenants).order_by(tenants.c.id)))


def insert_user(tx: Transaction, login: str, password_hash: str | None, now: datetime) -> int:
    """A new user's id; ``InputError`` when the login is taken."""
    if user_id_by_login(tx, login) is not None:
        raise InputError(f"a user with login {login!r} exists already")
    new_id = tx.execute(
        insert(users).returning(users.c.id),
        {"login": login, "password_hash": password_hash, "created_at": now},
    ).scalar_one()
    return int(new_id)


def user_id_by_login(tx: Transaction, login: str) -> int | None:
    found = tx.execute(select(users.c.id).where(users.c.login == login)).scalar()
    return None if found is None else int(found)


# ------------------------------------------------------------------ memberships (tenant-owned)


def add_membership(tx: Transaction, tenant_id: int, user_id: int, role: str) -> None:
    """Make the user a member of the tenant with ``role``, or change their role."""
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    where = (memberships.c.tenant_id == tenant_id) & (memberships.c.user_id == user_id)
    changed = tx.execute(update(memberships).where(where).values(role=role)).rowcount
    if not changed:
        tx.execute(insert(memberships), {"tenant_id": tenant_id, "user_id": user_id, "role": role})


def load_member(tx: Transaction, tenant_id: int, user_id: int) -> Member | None:
    query = (
        select(memberships.c.role, users.c.login, users.c.disabled_at)
        .join(users, users.c.id == memberships.c.user_id)
        .where((memberships.c.tenant_id == tenant_id) & (memberships.c.user_id == user_id))
    )
    row = tx.execute(query).first()
    if row is None:
        return None
    return Member(tenant_id, user_id, row.login, row.role, row.disabled_at is not None)


# ------------------------------------------------------------------ API tokens (tenant-owned)


def insert_token(
    tx: Transaction,
    *,
    tenant_id: int,
    user_id: int,
    name: str,
    prefix: str,
    secret_sha256: str,
    scopes: tuple[str, ...],
    now: datetime,
    expires_at: datetime | None,
) -> int:
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if unknown or not scopes:
        raise InputError(f"token scopes must be among {', '.join(SCOPES)}, not {unknown}")
    row = {
        "tenant_id": tenant_id,
        "user_id": user_id,
        "name": name,
        "prefix": prefix,
        "secret_sha256": secret_sha256,
        "scopes": " ".join(scopes),
        "created_at": now,
        "expires_at": expires_at,
    }
    return int(tx.execute(insert(api_tokens).returning(api_tokens.c.id), row).scalar_one())


def _token_query() -> Any:
    return select(api_tokens, users.c.login).join(users, users.c.id == api_tokens.c.user_id)


def _token(row: Any) -> TokenRecord:
    return TokenRecord(
        id=row.id,
        tenant_id=row.tenant_id,
        user_id=row.user_id,
        login=row.login,
        name=row.name,
        prefix=row.prefix,
        scopes=tuple(row.scopes.split()),
        created_at=_utc(row.created_at),
        expires_at=as_utc(row.expires_at),
        revoked_at=as_utc(row.revoked_at),
        last_used_at=as_utc(row.last_used_at),
    )


def find_token(tx: Transaction, tenant_id: int, secret_sha256: str) -> TokenRecord | None:
    query = _token_query().where(
        (api_tokens.c.tenant_id == tenant_id) & (api_tokens.c.secret_sha256 == secret_sha256)
    )
    row = tx.execute(query).first()
    return None if row is None else _token(row)


def load_token(tx: Transaction, tenant_id: int, token_id: int) -> TokenRecord | None:
    query = _token_query().where(
        (api_tokens.c.tenant_id == tenant_id) & (api_tokens.c.id == token_id)
    )
    row = tx.execute(query).first()
    return None if row is None else _token(row)


def list_tokens(
    tx: Transaction,
    tenant_id: int,
    *,
    user_id: int | None = None,
    after: int = 0,
    limit: int = 1000,
) -> tuple[TokenRecord, ...]:
    """The tenant's tokens (only ``user_id``'s when given) by id, those after id
    ``after``, at most ``limit``."""
    where = (api_tokens.c.tenant_id == tenant_id) & (api_tokens.c.id > after)
    if user_id is not None:
        where &= api_tokens.c.user_id == user_id
    query = _token_query().where(where).order_by(api_tokens.c.id).limit(limit)
    return tuple(_token(row) for row in tx.execute(query))


def revoke_token(tx: Transaction, tenant_id: int, token_id: int, now: datetime) -> bool:
    """Revoke the token; False when the tenant has no such token or it was revoked already."""
    where = (
        (api_tokens.c.tenant_id == tenant_id)
        & (api_tokens.c.id == token_id)
        & api_tokens.c.revoked_at.is_(None)
    )
    return bool(tx.execute(update(api_tokens).where(where).values(revoked_at=now)).rowcount)


def touch_token(tx: Transaction, tenant_id: int, token_id: int, now: datetime) -> None:
    where = (api_tokens.c.tenant_id == tenant_id) & (api_tokens.c.id == token_id)
    tx.execute(update(api_tokens).where(where).values(last_used_at=now))
