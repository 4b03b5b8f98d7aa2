"""On PostgreSQL the outbox tables are under row-level security: a role that is not a
superuser sees only its transaction's tenant, nothing without one, and every tenant only in
the worker's system transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from ossmeta.store import Store, open_store
from ossmeta.store.accounts import insert_tenant
from ossmeta.store.outbox import add_event
from ossmeta.store.schema import deliveries, outbox, webhooks
from ossmeta.store.system_access import set_system
from ossmeta.store.tenancy import Transaction, global_transaction, set_tenant, tenant_transaction
from ossmeta.store.webhooks import insert_webhook

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def pg_store(pg_url: str) -> Iterator[Store]:
    opened = open_store(pg_url)
    opened.upgrade()
    yield opened
    opened.dispose()


@pytest.fixture
def plain_role(pg_store: Store) -> Iterator[str]:
    """A role without superuser rights (superusers bypass every policy)."""
    role = f"r_{uuid.uuid4().hex[:12]}"
    with pg_store.engine.begin() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        connection.execute(text(f'CREATE ROLE "{role}" NOLOGIN'))
        connection.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"'))
        connection.execute(text(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"'))
    yield role
    with pg_store.engine.begin() as connection:
        connection.execute(text(f'DROP OWNED BY "{role}"'))
        connection.execute(text(f'DROP ROLE "{role}"'))


def _counts(tx: Transaction) -> tuple[int, ...]:
    return tuple(
        int(tx.execute(select(func.count()).select_from(table)).scalar_one())
        for table in (webhooks, outbox, deliveries)
    )


def test_outbox_rows_are_visible_per_tenant_and_to_the_worker_only(
    pg_store: Store, plain_role: str
) -> None:
    tenant_ids = []
    for name in ("acme", "globex"):
        with global_transaction(pg_store) as tx:
            tenant_ids.append(insert_tenant(tx, name, T0).id)
    for tenant in tenant_ids:
        with tenant_transaction(pg_store, tenant) as tx:
            insert_webhook(
                tx,
                tenant_id=tenant,
                url="http://h.example/",
                events=("finding.new",),
                secret="whsec_c2VjcmV0",
                now=T0,
            )
            add_event(tx, tenant_id=tenant, event_type="finding.new", data={}, now=T0)
    with pg_store.engine.begin() as tx:
        tx.execute(text(f'SET LOCAL ROLE "{plain_role}"'))
        assert _counts(tx) == (0, 0, 0)  # no tenant set: nothing
        set_tenant(tx, tenant_ids[0])
        assert _counts(tx) == (1, 1, 1)
    with pg_store.engine.begin() as tx:
        tx.execute(text(f'SET LOCAL ROLE "{plain_role}"'))
        set_system(tx)
        assert _counts(tx) == (2, 2, 2)
