"""Accounts: tenants, users and their roles, API tokens, and who may do what.

Tokens look like ``osm_<tenant id>_<43 random characters>``: 256 random bits, shown once,
stored as their SHA-256. The tenant id in clear lets the service open the tenant's
transaction before it looks the token up, so the lookup itself runs under the tenant's
row-level policy; changing the id changes the hash, so it grants nothing.

Every change is written to the audit log in the transaction of the change.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ossmeta.errors import AuthenticationError, InputError, NotFoundError
from ossmeta.store.accounts import (
    ROLES,
    SCOPES,
    Tenant,
    TokenRecord,
    add_membership,
    find_token,
    insert_tenant,
    insert_token,
    insert_user,
    list_tenants,
    list_tokens,
    load_member,
    load_tenant,
    load_token,
    revoke_token,
    tenant_by_name,
    touch_token,
    user_id_by_login,
)
from ossmeta.store.accounts_audit import AuditEntry, append_audit, list_audit
from ossmeta.store.engine import Store
from ossmeta.store.tenancy import (
    Transaction,
    global_transaction,
    set_tenant,
    tenant_transaction,
)

__all__ = [
    "ROLES",
    "SCOPES",
    "Actor",
    "AuditEntry",
    "IssuedToken",
    "Principal",
    "Tenant",
    "TokenRecord",
    "allowed_scopes",
    "audit",
    "audit_entries",
    "authenticate",
    "check_login",
    "create_tenant",
    "create_token",
    "create_user",
    "has_scope",
    "hash_password",
    "list_all_tokens",
    "revoke",
    "tenant_named",
    "token_of",
    "tokens_of",
    "verify_password",
]

TOKEN_PREFIX = "osm_"
_TOKEN = re.compile(r"osm_([1-9][0-9]{0,17})_[A-Za-z0-9_-]{43}")
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,254}")
#: ``last_used_at`` is written at most this often per token (not on every request).
_TOUCH_EVERY = timedelta(minutes=1)
_MIN_PASSWORD = 8


@dataclass(frozen=True)
class Actor:
    """Who makes a change, as the audit log names them, and from where."""

    name: str  # "cli:<os user>", "token:<id>:<login>"
    remote_addr: str | None = None


@dataclass(frozen=True)
class Principal:
    """The caller an API token stands for, inside one tenant."""

    tenant_id: int
    tenant_name: str
    user_id: int
    login: str
    role: str
    scopes: tuple[str, ...]
    token_id: int

    @property
    def actor_name(self) -> str:
        return f"token:{self.token_id}:{self.login}"

    def actor(self, remote_addr: str | None = None) -> Actor:
        return Actor(self.actor_name, remote_addr)


@dataclass(frozen=True)
class IssuedToken:
    """A token just created: ``secret`` is shown once and never again."""

    record: TokenRecord
    secret: str


# ------------------------------------------------------------------ rules


def has_scope(scopes: tuple[str, ...], needed: str) -> bool:
    """Scopes include the ones below them: admin ⊃ write ⊃ read."""
    rank = SCOPES.index(needed)
    return any(SCOPES.index(scope) >= rank for scope in scopes if scope in SCOPES)


def allowed_scopes(role: str) -> tuple[str, ...]:
    """The scopes a member with ``role`` may hold: a viewer only reads, only an admin
    administers."""
    if role == "viewer":
        return ("read",)
    if role == "admin":
        return SCOPES
    return ("read", "write")


def _check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise InputError(
            f"tenant name {name!r} must be 1-64 lower-case letters, digits, '.', '_' or '-'"
        )
    return name


def check_login(login: str) -> str:
    """The login itself, or an ``InputError`` saying what a login may hold."""
    if not _LOGIN.fullmatch(login):
        raise InputError(f"login {login!r} must be 1-255 letters, digits or '._@+-'")
    return login


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    return role


def hash_password(password: str) -> str:
    """An argon2id hash (argon2-cffi's defaults follow RFC 9106's recommendation)."""
    from argon2 import PasswordHasher

    if len(password) < _MIN_PASSWORD:
        raise InputError(f"a password needs at least {_MIN_PASSWORD} characters")
    return PasswordHasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    from argon2 import PasswordHasher
    from argon2.exceptions import VerificationError, VerifyMismatchError

    try:
        return PasswordHasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError):
        return False


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def audit(
    tx: Transaction,
    tenant_id: int,
    actor: Actor,
    action: str,
    target: str,
    detail: dict[str, Any] | None = None,
    *,
    now: datetime | None = None,
) -> None:
    """Append an audit entry in the caller's transaction (the one making the change)."""
    entry = AuditEntry(
        tenant_id=tenant_id,
        actor=actor.name,
        action=action,
        target=target,
        detail=detail or {},
        at=now or datetime.now(UTC),
        remote_addr=actor.remote_addr,
    )
    append_audit(tx, entry)


# ------------------------------------------------------------------ operator actions


def tenant_named(store: Store, name: str) -> Tenant:
    with global_transaction(store) as tx:
        found = tenant_by_name(tx, name)
    if found is None:
        raise NotFoundError(f"no tenant named {name!r}")
    return found


def create_tenant(store: Store, name: str, actor: Actor) -> Tenant:
    now = datetime.now(UTC)
    with global_transaction(store) as tx:
        tenant = insert_tenant(tx, _check_name(name), now)
        # The new tenant's first audit entry commits with it (or neither does).
        set_tenant(tx, tenant.id)
        audit(tx, tenant.id, actor, "tenant.create", f"tenant:{name}", now=now)
    return tenant


def create_user(
    store: Store, login: str, tenant_name: str, role: str, password: str | None, actor: Actor
) -> int:
    """Create the user (or take the existing one) and make them a member of the tenant."""
    check_login(login)
    _check_role(role)
    tenant = tenant_named(store, tenant_name)
    hashed = None if password is None else hash_password(password)
    now = datetime.now(UTC)
    with tenant_transaction(store, tenant.id) as tx:
        user_id = user_id_by_login(tx, login)
        created = user_id is None
        if user_id is None:
            user_id = insert_user(tx, login, hashed, now)
        elif hashed is not None:
            raise InputError(f"user {login!r} exists already; a password is set only on creation")
        add_membership(tx, tenant.id, user_id, role)
        detail = {"role": role, "created": created, "password": hashed is not None}
        audit(tx, tenant.id, actor, "membership.set", f"user:{login}", detail, now=now)
    return user_id


def _tenant_of_user(store: Store, user_id: int, login: str) -> Tenant:
    """The one tenant the user belongs to, when the operator named none."""
    member_of = []
    for tenant in _all_tenants(store):
        with tenant_transaction(store, tenant.id) as tx:
            if load_member(tx, tenant.id, user_id) is not None:
                member_of.append(tenant)
    if len(member_of) != 1:
        names = ", ".join(t.name for t in member_of) or "none"
        raise InputError(f"user {login!r} is a member of {names}; name the tenant with --tenant")
    return member_of[0]


def _all_tenants(store: Store) -> tuple[Tenant, ...]:
    with global_transaction(store) as tx:
        return list_tenants(tx)


def create_token(
    store: Store,
    login: str,
    *,
    actor: Actor,
    tenant_id: int | None = None,
    scopes: tuple[str, ...] = ("read",),
    expires_at: datetime | None = None,
    name: str = "",
) -> IssuedToken:
    """A new token for ``login`` in tenant ``tenant_id`` (their only tenant when None).
    The scopes must be within what the user's role allows."""
    now = datetime.now(UTC)
    with global_transaction(store) as tx:
        user_id = user_id_by_login(tx, login)
    if user_id is None:
        raise NotFoundError(f"no user with login {login!r}")
    if tenant_id is None:
        tenant_id = _tenant_of_user(store, user_id, login).id
    if expires_at is not None and expires_at <= now:
        raise InputError("a token's expiry must be in the future")
    wanted = tuple(dict.fromkeys(scopes)) or ("read",)
    for scope in wanted:
        if scope not in SCOPES:
            raise InputError(f"unknown scope {scope!r}; one of {', '.join(SCOPES)}")
    secret = f"{TOKEN_PREFIX}{tenant_id}_{secrets.token_urlsafe(32)}"
    with tenant_transaction(store, tenant_id) as tx:
        member = load_member(tx, tenant_id, user_id)
        if member is None:
            raise NotFoundError(f"user {login!r} is not a member of the tenant")
        beyond = [s for s in wanted if s not in allowed_scopes(member.role)]
        if beyond:
            raise InputError(f"a {member.role} cannot hold the {', '.join(beyond)} scope")
        token_id = insert_token(
            tx,
            tenant_id=tenant_id,
            user_id=user_id,
            name=name.strip()[:255] or f"{login} token",
            prefix=secret[: secret.index("_", len(TOKEN_PREFIX)) + 5],
            secret_sha256=_token_hash(secret),
            scopes=wanted,
            now=now,
            expires_at=expires_at,
        )
        detail = {"scopes": list(wanted), "expires_at": expires_at and expires_at.isoformat()}
        audit(tx, tenant_id, actor, "token.create", f"token:{token_id}", detail, now=now)
        record = load_token(tx, tenant_id, token_id)
    assert record is not None
    return IssuedToken(record, secret)


def revoke(store: Store, token_id: int, actor: Actor, tenant_id: int | None = None) -> TokenRecord:
    """Revoke a token of tenant ``tenant_id`` (of any tenant when None: the operator's
    view)."""
    now = datetime.now(UTC)
    candidates = (tenant_id,) if tenant_id is not None else [t.id for t in _all_tenants(store)]
    for candidate in candidates:
        with tenant_transaction(store, candidate) as tx:
            record = load_token(tx, candidate, token_id)
            if record is None:
                continue
            if not revoke_token(tx, candidate, token_id, now):
                raise InputError(f"token {token_id} is revoked already")
            audit(tx, candidate, actor, "token.revoke", f"token:{token_id}", now=now)
            return record
    raise NotFoundError(f"no token {token_id}")


def token_of(store: Store, tenant_id: int, token_id: int) -> TokenRecord | None:
    with tenant_transaction(store, tenant_id) as tx:
        return load_token(tx, tenant_id, token_id)


def tokens_of(
    store: Store,
    tenant_id: int,
    *,
    user_id: int | None = None,
    after: int = 0,
    limit: int = 1000,
) -> tuple[TokenRecord, ...]:
    """The tenant's tokens (only ``user_id``'s when given) by id, after id ``after``."""
    with tenant_transaction(store, tenant_id) as tx:
        return list_tokens(tx, tenant_id, user_id=user_id, after=after, limit=limit)


def list_all_tokens(store: Store) -> list[tuple[Tenant, TokenRecord]]:
    """Every tenant's tokens (the operator's view), by tenant then id."""
    found: list[tuple[Tenant, TokenRecord]] = []
    for tenant in _all_tenants(store):
        after = 0
        while page := tokens_of(store, tenant.id, after=after):
            found.extend((tenant, record) for record in page)
            after = page[-1].id
    return found


def audit_entries(
    store: Store, tenant_id: int, *, after: int = 0, limit: int = 100
) -> tuple[AuditEntry, ...]:
    with tenant_transaction(store, tenant_id) as tx:
        return list_audit(tx, tenant_id, after=after, limit=limit)


# ------------------------------------------------------------------ authentication


def authenticate(store: Store, secret: str, *, now: datetime | None = None) -> Principal:
    """The principal a bearer token stands for; ``AuthenticationError`` when the token is
    malformed, unknown, revoked or expired, or its user disabled or no longer a member."""
    match = _TOKEN.fullmatch(secret)
    if match is None:
        raise AuthenticationError("the bearer token is not an ossmeta API token")
    tenant_id = int(match.group(1))
    now = now or datetime.now(UTC)
    with tenant_transaction(store, tenant_id) as tx:
        record = find_token(tx, tenant_id, _token_hash(secret))
        if record is None:
            raise AuthenticationError("unknown API token")
        if record.revoked_at is not None:
            raise AuthenticationError("the API token was revoked")
        if record.expires_at is not None and record.expires_at <= now:
            raise AuthenticationError("the API token has expired")
        member = load_member(tx, tenant_id, record.user_id)
        if member is None or member.disabled:
            raise AuthenticationError("the token's user is disabled or no longer a member")
        tenant = load_tenant(tx, tenant_id)
        if record.last_used_at is None or now - record.last_used_at >= _TOUCH_EVERY:
            touch_token(tx, tenant_id, record.id, now)
    assert tenant is not None  # a token's tenant is a foreign key
    scopes = tuple(s for s in record.scopes if s in allowed_scopes(member.role))
    return Principal(
        tenant_id=tenant_id,
        tenant_name=tenant.name,
        user_id=record.user_id,
        login=member.login,
        role=member.role,
        scopes=scopes,
        token_id=record.id,
    )
