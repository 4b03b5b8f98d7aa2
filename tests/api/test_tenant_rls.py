"""PostgreSQL: every tenant-owned table (any table of the schema metadata with a
``tenant_id`` column, so tables added later are included) is under row-level security keyed
on the transaction's tenant, also for its owner; with two tenants' data written through the
API, a role that is not a superuser sees nothing of any such table without a tenant set, and
only that tenant's rows with one. No table refers to tenant-owned rows without being
tenant-owned itself."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import Table, func, select, text

from ossmeta.store import open_store
from ossmeta.store.schema import metadata
from ossmeta.store.tenancy import TENANT_SETTING, Transaction, set_tenant
from ossmeta.surfaces.api.app import create_app
from ossmeta.surfaces.api.settings import ApiSettings
from tests.api.conftest import ApiServer
from tests.api.world import populate, seed_public

pytestmark = pytest.mark.postgres

OWNED: list[Table] = [t for t in metadata.sorted_tables if "tenant_id" in t.c]


@pytest.fixture
def pg_api(pg_url: str, serve_app: Callable[[FastAPI], str]) -> Iterator[ApiServer]:
    store = open_store(pg_url)
    store.upgrade()
    app = create_app(ApiSettings(database_url=store.url), store=store)
    yield ApiServer(serve_app(app), store)
    store.dispose()


@pytest.fixture
def plain_role(pg_api: ApiServer) -> Iterator[str]:
    """A role without superuser rights (a superuser bypasses every policy)."""
    role = f"r_{uuid.uuid4().hex[:12]}"
    with pg_api.store.engine.begin() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        connection.execute(text(f'CREATE ROLE "{role}" NOLOGIN'))
        connection.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"'))
        connection.execute(text(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"'))
    yield role
    with pg_api.store.engine.begin() as connection:
        connection.execute(text(f'DROP OWNED BY "{role}"'))
        connection.execute(text(f'DROP ROLE "{role}"'))


def _counts(tx: Transaction) -> dict[str, int]:
    return {
        table.name: int(tx.execute(select(func.count()).select_from(table)).scalar_one())
        for table in OWNED
    }


def test_tenant_owned_tables_are_found_in_the_schema() -> None:
    names = {table.name for table in OWNED}
    assert {"projects", "api_tokens", "audit_log", "findings"} <= names
    tenant_keyed = names | {"tenants"}
    orphans = [
        f"{table.name} refers to {sorted(refs)} but has no tenant_id column"
        for table in metadata.sorted_tables
        if table.name not in tenant_keyed
        and (refs := {fk.column.table.name for fk in table.foreign_keys} & names)
    ]
    assert not orphans, orphans


def test_every_tenant_owned_table_has_a_forced_policy_on_the_tenant(pg_api: ApiServer) -> None:
    with pg_api.store.engine.connect() as connection:
        flags = dict(
            connection.execute(
                text(
                    "SELECT c.relname, c.relrowsecurity AND c.relforcerowsecurity "
                    "FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace"
                )
            ).all()
        )
        policies: dict[str, list[str]] = {}
        for table, qual in connection.execute(
            text("SELECT tablename, qual FROM pg_policies WHERE schemaname = current_schema()")
        ):
            policies.setdefault(table, []).append(str(qual))
    wrong = [t.name for t in OWNED if not flags.get(t.name)]
    assert not wrong, f"row-level security not enabled and forced on {wrong}"
    unkeyed = [
        t.name
        for t in OWNED
        if not any(TENANT_SETTING in qual and "tenant_id" in qual for qual in policies[t.name])
    ]
    assert not unkeyed, f"no policy keyed on the tenant on {unkeyed}"


def test_without_the_tenant_set_no_tenant_owned_row_is_seen(
    pg_api: ApiServer, plain_role: str, tmp_path: Path
) -> None:
    seed_public(pg_api, tmp_path)
    acme, globex = populate(pg_api, "acme"), populate(pg_api, "globex")
    ids = {pg_api.tenant(t.name).id for t in (acme, globex)}
    with pg_api.store.engine.connect() as connection:
        everything = _counts(connection)  # as the superuser: policies bypassed
    filled = sorted(name for name, count in everything.items() if count)
    # Not empty for lack of rows: the API wrote to most tenant-owned tables.
    assert {"projects", "project_versions", "inventory_components", "findings"} <= set(filled)
    assert {"api_tokens", "audit_log", "memberships", "vex_decisions"} <= set(filled)
    with pg_api.store.engine.begin() as tx:
        tx.execute(text(f'SET LOCAL ROLE "{plain_role}"'))
        seen = _counts(tx)
    assert {name: count for name, count in seen.items() if count} == {}
    per_tenant: dict[str, int] = dict.fromkeys(everything, 0)
    for tenant_id in ids:
        with pg_api.store.engine.begin() as tx:
            tx.execute(text(f'SET LOCAL ROLE "{plain_role}"'))
            set_tenant(tx, tenant_id)
            for table in OWNED:
                owners = set(tx.execute(select(table.c.tenant_id).distinct()).scalars())
                assert owners <= {tenant_id}, (table.name, owners)
            for name, count in _counts(tx).items():
                per_tenant[name] += count
    assert per_tenant == everything  # each row is seen by its own tenant
