"""Web sessions in the store: a login to the pages, found by the SHA-256 of its secret.

Like the API tokens, rows are tenant-owned: every function takes the tenant and filters on
it (row-level security on PostgreSQL is the second line). ``password_of`` reads the global
users table, so it runs in a global transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, update

from ossmeta.store.schema import users, web_sessions
from ossmeta.store.tenancy import Transaction
from ossmeta.times import as_utc

__all__ = [
    "SessionRecord",
    "UserLogin",
    "delete_ended",
    "find_session",
    "insert_session",
    "revoke_session",
    "user_for_login",
]


@dataclass(frozen=True)
class SessionRecord:
    id: int
    tenant_id: int
    user_id: int
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class UserLogin:
    """What a login needs to know of a user: never shown, never logged."""

    id: int
    password_hash: str | None
    disabled: bool


def user_for_login(tx: Transaction, login: str) -> UserLogin | None:
    query = select(users.c.id, users.c.password_hash, users.c.disabled_at).where(
        users.c.login == login
    )
    row = tx.execute(query).first()
    if row is None:
        return None
    return UserLogin(int(row.id), row.password_hash, row.disabled_at is not None)


def insert_session(
    tx: Transaction,
    *,
    tenant_id: int,
    user_id: int,
    secret_sha256: str,
    now: datetime,
    expires_at: datetime,
    remote_addr: str | None,
) -> int:
    row = {
        "tenant_id": tenant_id,
        "user_id": user_id,
        "secret_sha256": secret_sha256,
        "created_at": now,
        "expires_at": expires_at,
        "remote_addr": remote_addr,
    }
    return int(tx.execute(insert(web_sessions).returning(web_sessions.c.id), row).scalar_one())


def find_session(tx: Transaction, tenant_id: int, secret_sha256: str) -> SessionRecord | None:
    where = (web_sessions.c.tenant_id == tenant_id) & (
        web_sessions.c.secret_sha256 == secret_sha256
    )
    row = tx.execute(select(web_sessions).where(where)).first()
    if row is None:
        return None
    created, expires = as_utc(row.created_at), as_utc(row.expires_at)
    assert created is not None and expires is not None  # NOT NULL columns
    return SessionRecord(
        id=int(row.id),
        tenant_id=int(row.tenant_id),
        user_id=int(row.user_id),
        created_at=created,
        expires_at=expires,
        revoked_at=as_utc(row.revoked_at),
    )


def revoke_session(tx: Transaction, tenant_id: int, session_id: int, now: datetime) -> bool:
    """End the session; False when it was ended already (or is not the tenant's)."""
    where = (
        (web_sessions.c.tenant_id == tenant_id)
        & (web_sessions.c.id == session_id)
        & web_sessions.c.revoked_at.is_(None)
    )
    return bool(tx.execute(update(web_sessions).where(where).values(revoked_at=now)).rowcount)


def delete_ended(tx: Transaction, tenant_id: int, now: datetime) -> int:
    """Forget the tenant's expired and revoked sessions (kept bounded: run at each login)."""
    where = (web_sessions.c.tenant_id == tenant_id) & (
        (web_sessions.c.expires_at <= now) | web_sessions.c.revoked_at.is_not(None)
    )
    return int(tx.execute(delete(web_sessions).where(where)).rowcount)
