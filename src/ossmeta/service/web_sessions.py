"""Logins to the web pages: server-side sessions, revocable and expiring.

The cookie holds ``<tenant id>.<43 random characters>`` (256 random bits) and nothing else;
the store keeps its SHA-256. As with API tokens, the tenant id in clear lets the lookup run
under the tenant's row-level policy; changing it changes nothing the hash grants. A login
always makes a new session (no fixation: an id planted before the login is never
promoted), a logout revokes it, and it expires ``SESSION_HOURS`` after the login.

The CSRF token of a session is an HMAC of its secret: tied to the session, different for
each, and needing no storage. A wrong password, an unknown login and a user without a
password fail alike and take the same time (an argon2id verification each).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from ossmeta.errors import AuthenticationError, InputError
from ossmeta.service.accounts import (
    Actor,
    allowed_scopes,
    audit,
    has_scope,
    hash_password,
    tenant_named,
    verify_password,
)
from ossmeta.store.accounts import Tenant, list_tenants, load_member, load_tenant
from ossmeta.store.engine import Store
from ossmeta.store.tenancy import global_transaction, tenant_transaction
from ossmeta.store.web_sessions import (
    delete_ended,
    find_session,
    insert_session,
    revoke_session,
    user_for_login,
)

__all__ = [
    "SESSION_HOURS",
    "IssuedSession",
    "WebUser",
    "csrf_matches",
    "csrf_token",
    "log_in",
    "log_out",
    "session_user",
]

SESSION_HOURS = 8
_SECRET = re.compile(r"([1-9][0-9]{0,17})\.[A-Za-z0-9_-]{43}")
#: The one message of every failed login: it says nothing of which part was wrong.
FAILED = "wrong login or password"


@dataclass(frozen=True)
class WebUser:
    """Who is logged in, inside one tenant; what they may do follows from the role exactly
    as for an API token of every scope the role allows."""

    session_id: int
    tenant_id: int
    tenant_name: str
    user_id: int
    login: str
    role: str

    @property
    def scopes(self) -> tuple[str, ...]:
        return allowed_scopes(self.role)

    def may(self, scope: str, roles: tuple[str, ...] | None = None) -> bool:
        """The API's rule: the scope must be within the role's, and the role one of
        ``roles`` when the route names some."""
        return has_scope(self.scopes, scope) and (roles is None or self.role in roles)

    def actor(self, remote_addr: str | None = None) -> Actor:
        return Actor(f"session:{self.session_id}:{self.login}", remote_addr)


@dataclass(frozen=True)
class IssuedSession:
    """A session just made: ``secret`` goes into the cookie and nowhere else."""

    user: WebUser
    secret: str
    expires_at: datetime


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@cache
def _decoy_hash() -> str:
    """A hash to verify against when there is no user, so that failing costs the same."""
    return hash_password(secrets.token_urlsafe(16))


def csrf_token(secret: str) -> str:
    return hmac.new(secret.encode(), b"ossmeta-csrf", hashlib.sha256).hexdigest()


def csrf_matches(secret: str, offered: str | None) -> bool:
    return offered is not None and hmac.compare_digest(csrf_token(secret), offered)


def _tenants_of(store: Store, user_id: int) -> list[Tenant]:
    with global_transaction(store) as tx:
        every = list_tenants(tx)
    member_of = []
    for tenant in every:
        with tenant_transaction(store, tenant.id) as tx:
            if load_member(tx, tenant.id, user_id) is not None:
                member_of.append(tenant)
    return member_of


def _tenant_for(store: Store, user_id: int, tenant_name: str) -> Tenant:
    if tenant_name:
        try:
            named = tenant_named(store, tenant_name)
        except InputError:
            raise AuthenticationError(FAILED) from None
        with tenant_transaction(store, named.id) as tx:
            if load_member(tx, named.id, user_id) is None:
                raise AuthenticationError(FAILED)
        return named
    member_of = _tenants_of(store, user_id)
    if not member_of:
        raise AuthenticationError(FAILED)
    if len(member_of) > 1:
        # Said only once the password is right: the user may know their own tenants.
        names = ", ".join(t.name for t in member_of)
        raise InputError(f"you are a member of {names}; name the tenant")
    return member_of[0]


def _audit_failure(
    store: Store, user_id: int, login: str, remote_addr: str | None, now: datetime
) -> None:
    """A failed login of an existing user, in the audit log of each tenant they belong to
    (the login throttle bounds how often this runs)."""
    actor = Actor(f"login:{login}", remote_addr)
    for tenant in _tenants_of(store, user_id):
        with tenant_transaction(store, tenant.id) as tx:
            audit(tx, tenant.id, actor, "session.login_failed", f"user:{login}", now=now)


def log_in(
    store: Store,
    login: str,
    password: str,
    tenant_name: str = "",
    *,
    remote_addr: str | None = None,
    now: datetime | None = None,
) -> IssuedSession:
    """A new session for the user, or ``AuthenticationError(FAILED)``."""
    now = now or datetime.now(UTC)
    with global_transaction(store) as tx:
        found = user_for_login(tx, login[:255])
    stored = found.password_hash if found is not None else None
    right = verify_password(stored or _decoy_hash(), password)
    if found is None or stored is None or found.disabled or not right:
        if found is not None:
            _audit_failure(store, found.id, login, remote_addr, now)
        raise AuthenticationError(FAILED)
    tenant = _tenant_for(store, found.id, tenant_name)
    secret = f"{tenant.id}.{secrets.token_urlsafe(32)}"
    expires_at = now + timedelta(hours=SESSION_HOURS)
    with tenant_transaction(store, tenant.id) as tx:
        member = load_member(tx, tenant.id, found.id)
        if member is None or member.disabled:
            raise AuthenticationError(FAILED)
        delete_ended(tx, tenant.id, now)
        session_id = insert_session(
            tx,
            tenant_id=tenant.id,
            user_id=found.id,
            secret_sha256=_hash(secret),
            now=now,
            expires_at=expires_at,
            remote_addr=remote_addr,
        )
        user = WebUser(session_id, tenant.id, tenant.name, found.id, member.login, member.role)
        audit(tx, tenant.id, user.actor(remote_addr), "session.login", f"user:{login}", now=now)
    return IssuedSession(user, secret, expires_at)


def session_user(store: Store, secret: str, *, now: datetime | None = None) -> WebUser | None:
    """The user a session cookie stands for; None when it is malformed, unknown, ended,
    expired, or its user was disabled or left the tenant."""
    match = _SECRET.fullmatch(secret)
    if match is None:
        return None
    tenant_id = int(match.group(1))
    now = now or datetime.now(UTC)
    with tenant_transaction(store, tenant_id) as tx:
        record = find_session(tx, tenant_id, _hash(secret))
        if record is None or record.revoked_at is not None or record.expires_at <= now:
            return None
        member = load_member(tx, tenant_id, record.user_id)
        tenant = load_tenant(tx, tenant_id)
    if member is None or member.disabled or tenant is None:
        return None
    return WebUser(record.id, tenant_id, tenant.name, record.user_id, member.login, member.role)


def log_out(store: Store, user: WebUser, *, remote_addr: str | None = None) -> None:
    now = datetime.now(UTC)
    with tenant_transaction(store, user.tenant_id) as tx:
        if revoke_session(tx, user.tenant_id, user.session_id, now):
            target = f"user:{user.login}"
            audit(tx, user.tenant_id, user.actor(remote_addr), "session.logout", target, now=now)
