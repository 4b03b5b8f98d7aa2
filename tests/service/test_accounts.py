"""Accounts in the service: passwords, tokens, roles and scopes, audit entries; on SQLite and
PostgreSQL (the ``store`` fixture)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from ossmeta.errors import AuthenticationError, InputError, NotFoundError
from ossmeta.service import accounts
from ossmeta.service.accounts import Actor
from ossmeta.store import Store
from ossmeta.store.schema import api_tokens, users

OPERATOR = Actor("cli:tester")


def _member(store: Store, tenant: str, login: str, role: str) -> accounts.Tenant:
    try:
        found = accounts.tenant_named(store, tenant)
    except NotFoundError:
        found = accounts.create_tenant(store, tenant, OPERATOR)
    accounts.create_user(store, login, tenant, role, None, OPERATOR)
    return found


def test_passwords_are_argon2id_hashes_that_verify(store: Store) -> None:
    accounts.create_tenant(store, "acme", OPERATOR)
    accounts.create_user(store, "alice", "acme", "admin", "correct horse", OPERATOR)
    with store.engine.connect() as connection:
        stored = connection.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert accounts.verify_password(stored, "correct horse")
    assert not accounts.verify_password(stored, "correct horsE")
    with pytest.raises(InputError, match="at least 8"):
        accounts.create_user(store, "bob", "acme", "viewer", "short", OPERATOR)


def test_a_token_is_stored_as_its_hash_and_authenticates(store: Store) -> None:
    tenant = _member(store, "acme", "alice", "member")
    issued = accounts.create_token(
        store, "alice", actor=OPERATOR, scopes=("read", "write"), name="ci"
    )
    assert issued.secret.startswith(f"osm_{tenant.id}_")
    assert issued.record.prefix == issued.secret[: len(issued.record.prefix)]
    assert len(issued.secret) > len(issued.record.prefix) + 30
    with store.engine.connect() as connection:
        row = connection.execute(select(api_tokens)).one()
    assert issued.secret not in " ".join(str(value) for value in row)
    principal = accounts.authenticate(store, issued.secret)
    assert (principal.tenant_name, principal.login, principal.role) == ("acme", "alice", "member")
    assert principal.scopes == ("read", "write")
    assert principal.token_id == issued.record.id


@pytest.mark.parametrize(
    "mangle",
    [
        lambda s: s[:-1] + ("A" if s[-1] != "A" else "B"),  # one character off
        lambda s: s.replace("osm_", "osm_9", 1),  # another tenant's id
        lambda s: s + "x",
        lambda s: "",
        lambda s: "Bearer " + s,
    ],
)
def test_a_changed_token_is_unknown(store: Store, mangle: object) -> None:
    _member(store, "acme", "alice", "admin")
    secret = accounts.create_token(store, "alice", actor=OPERATOR).secret
    assert callable(mangle)
    with pytest.raises(AuthenticationError):
        accounts.authenticate(store, mangle(secret))


def test_expired_and_revoked_tokens_are_refused(store: Store) -> None:
    _member(store, "acme", "alice", "admin")
    now = datetime.now(UTC)
    soon = accounts.create_token(
        store, "alice", actor=OPERATOR, expires_at=now + timedelta(hours=1)
    )
    assert accounts.authenticate(store, soon.secret, now=now).login == "alice"
    with pytest.raises(AuthenticationError, match="expired"):
        accounts.authenticate(store, soon.secret, now=now + timedelta(hours=2))
    with pytest.raises(InputError, match="future"):
        accounts.create_token(store, "alice", actor=OPERATOR, expires_at=now - timedelta(1))
    revoked = accounts.create_token(store, "alice", actor=OPERATOR)
    accounts.revoke(store, revoked.record.id, OPERATOR)
    with pytest.raises(AuthenticationError, match="revoked"):
        accounts.authenticate(store, revoked.secret)
    with pytest.raises(InputError, match="revoked already"):
        accounts.revoke(store, revoked.record.id, OPERATOR)
    with pytest.raises(NotFoundError):
        accounts.revoke(store, 999_999, OPERATOR)


def test_roles_cap_the_scopes_a_token_may_hold(store: Store) -> None:
    _member(store, "acme", "vera", "viewer")
    _member(store, "acme", "mo", "member")
    _member(store, "acme", "ada", "admin")
    assert accounts.create_token(store, "vera", actor=OPERATOR).record.scopes == ("read",)
    with pytest.raises(InputError, match="viewer cannot hold the write scope"):
        accounts.create_token(store, "vera", actor=OPERATOR, scopes=("write",))
    with pytest.raises(InputError, match="member cannot hold the admin scope"):
        accounts.create_token(store, "mo", actor=OPERATOR, scopes=("admin",))
    admin = accounts.create_token(store, "ada", actor=OPERATOR, scopes=("admin",))
    assert accounts.has_scope(admin.record.scopes, "read")
    assert accounts.has_scope(admin.record.scopes, "write")
    assert not accounts.has_scope(("read",), "write")
    with pytest.raises(InputError, match="unknown scope"):
        accounts.create_token(store, "ada", actor=OPERATOR, scopes=("root",))


def test_a_user_in_two_tenants_needs_the_tenant_named(store: Store) -> None:
    first = _member(store, "acme", "alice", "admin")
    _member(store, "globex", "alice", "viewer")
    with pytest.raises(InputError, match="acme, globex; name the tenant"):
        accounts.create_token(store, "alice", actor=OPERATOR)
    issued = accounts.create_token(store, "alice", actor=OPERATOR, tenant_id=first.id)
    assert accounts.authenticate(store, issued.secret).tenant_name == "acme"
    with pytest.raises(NotFoundError, match="no user"):
        accounts.create_token(store, "nobody", actor=OPERATOR)
    with pytest.raises(NotFoundError, match="no tenant"):
        accounts.create_user(store, "bob", "initech", "admin", None, OPERATOR)


def test_names_roles_and_duplicates_are_checked(store: Store) -> None:
    accounts.create_tenant(store, "acme", OPERATOR)
    with pytest.raises(InputError, match="exists already"):
        accounts.create_tenant(store, "acme", OPERATOR)
    for bad in ("", "Acme", "a b", "x" * 65, "-acme"):
        with pytest.raises(InputError, match="tenant name"):
            accounts.create_tenant(store, bad, OPERATOR)
    with pytest.raises(InputError, match="unknown role 'owner'"):
        accounts.create_user(store, "alice", "acme", "owner", None, OPERATOR)
    with pytest.raises(InputError, match="login"):
        accounts.create_user(store, "al ice", "acme", "admin", None, OPERATOR)


def test_a_removed_member_or_disabled_user_cannot_authenticate(store: Store) -> None:
    _member(store, "acme", "alice", "admin")
    secret = accounts.create_token(store, "alice", actor=OPERATOR).secret
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE users SET disabled_at = CURRENT_TIMESTAMP"))
    with pytest.raises(AuthenticationError, match="disabled"):
        accounts.authenticate(store, secret)


def test_every_change_is_in_the_audit_log(store: Store) -> None:
    tenant = _member(store, "acme", "alice", "admin")
    issued = accounts.create_token(store, "alice", actor=OPERATOR, scopes=("read",))
    accounts.revoke(store, issued.record.id, Actor("token:1:alice", "127.0.0.1"))
    entries = accounts.audit_entries(store, tenant.id)
    assert [(e.action, e.target) for e in entries] == [
        ("tenant.create", "tenant:acme"),
        ("membership.set", "user:alice"),
        ("token.create", f"token:{issued.record.id}"),
        ("token.revoke", f"token:{issued.record.id}"),
    ]
    assert {e.actor for e in entries} == {"cli:tester", "token:1:alice"}
    assert entries[-1].remote_addr == "127.0.0.1"
    assert entries[1].detail == {"role": "admin", "created": True, "password": False}
    assert entries[2].detail["scopes"] == ["read"]
    assert issued.secret not in repr(entries)
    # Pages follow ids.
    later = accounts.audit_entries(store, tenant.id, after=entries[1].id or 0, limit=1)
    assert [e.action for e in later] == ["token.create"]
