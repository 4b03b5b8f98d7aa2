"""The audit log is append-only on both databases, and on PostgreSQL tenant-owned tables are
under row-level security: a session that is not a superuser sees only the rows of the
tenant set for its transaction, and none without one."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from ossmeta.service import accounts
from ossmeta.service.accounts import Actor
from ossmeta.store import Store
from ossmeta.store.schema import api_tokens, audit_log, memberships
from ossmeta.store.tenancy import set_tenant

OPERATOR = Actor("cli:tester")


def _two_tenants(store: Store) -> tuple[int, int]:
    ids = []
    for name, login in (("acme", "alice"), ("globex", "bob")):
        tenant = accounts.create_tenant(store, name, OPERATOR)
        accounts.create_user(store, login, name, "admin", None, OPERATOR)
        accounts.create_token(store, login, actor=OPERATOR, tenant_id=tenant.id)
        ids.append(tenant.id)
    return ids[0], ids[1]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE id = (SELECT MIN(id) FROM audit_log)",
    ],
)
def test_the_audit_log_refuses_updates_and_deletes(store: Store, statement: str) -> None:
    _two_tenants(store)
    with store.engine.connect() as connection:
        before = connection.execute(select(func.count()).select_from(audit_log)).scalar_one()
        actors = set(connection.execute(select(audit_log.c.actor)).scalars())
    assert before == 6 and actors == {"cli:tester"}
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as connection:
        connection.execute(text(statement))
    with store.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(audit_log)).scalar_one() == 6
        assert set(connection.execute(select(audit_log.c.actor)).scalars()) == actors


@pytest.mark.postgres
def test_truncate_is_refused_on_postgresql(pg_url: str) -> None:
    from ossmeta.store import open_store

    store = open_store(pg_url)
    store.upgrade()
    try:
        _two_tenants(store)
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as connection:
            connection.execute(text("TRUNCATE audit_log"))
    finally:
        store.dispose()


def _count(connection: object, table: object) -> int:
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[attr-defined]


@pytest.mark.postgres
def test_row_level_security_shows_only_the_tenant_set(pg_url: str) -> None:
    from ossmeta.store import open_store

    store = open_store(pg_url)
    store.upgrade()
    role = f"ossmeta_app_{uuid.uuid4().hex[:10]}"
    try:
        acme, globex = _two_tenants(store)
        with store.engine.begin() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar_one()
            connection.execute(text(f'CREATE ROLE "{role}" NOLOGIN'))
            connection.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"'))
            connection.execute(
                text(f'GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"')
            )
            connection.execute(
                text(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"')
            )
        tables = (memberships, api_tokens, audit_log)
        # As the superuser the tests run as, every row is visible (policies are bypassed):
        # the counts below are not empty for lack of rows.
        with store.engine.connect() as connection:
            assert [_count(connection, t) for t in tables] == [2, 2, 6]
        with store.engine.begin() as connection:
            connection.execute(text(f'SET LOCAL ROLE "{role}"'))
            assert [_count(connection, t) for t in tables] == [0, 0, 0]
            # Tenants and users are global: visible without a tenant.
            assert connection.execute(text("SELECT count(*) FROM tenants")).scalar_one() == 2
        for tenant_id in (acme, globex):
            with store.engine.begin() as connection:
                connection.execute(text(f'SET LOCAL ROLE "{role}"'))
                set_tenant(connection, tenant_id)
                assert [_count(connection, t) for t in tables] == [1, 1, 3]
                seen = set(connection.execute(select(audit_log.c.tenant_id)).scalars())
                assert seen == {tenant_id}
        # Writing another tenant's row is refused by the policy's check.
        refused = pytest.raises(DBAPIError, match="row-level security")
        with refused, store.engine.begin() as connection:
            connection.execute(text(f'SET LOCAL ROLE "{role}"'))
            set_tenant(connection, acme)
            connection.execute(
                audit_log.insert().values(
                    tenant_id=globex, actor="x", action="x", target="x", detail="{}", at=func.now()
                )
            )
        # The tenant setting ends with its transaction.
        with store.engine.begin() as connection:
            connection.execute(text(f'SET LOCAL ROLE "{role}"'))
            assert _count(connection, audit_log) == 0
    finally:
        with store.engine.begin() as connection:
            connection.execute(text(f'DROP OWNED BY "{role}"'))
            connection.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        store.dispose()


def test_the_service_works_the_same_under_row_level_security(store: Store) -> None:
    """What the service reads it reads inside the tenant's transaction: listing one
    tenant's tokens never shows another's (on PostgreSQL the policy agrees)."""
    acme, globex = _two_tenants(store)
    assert [t.login for t in accounts.tokens_of(store, acme)] == ["alice"]
    assert [t.login for t in accounts.tokens_of(store, globex)] == ["bob"]
    assert [(t.name, r.login) for t, r in accounts.list_all_tokens(store)] == [
        ("acme", "alice"),
        ("globex", "bob"),
    ]
