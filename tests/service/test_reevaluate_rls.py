"""On PostgreSQL the inventories are under row-level security: a re-evaluation run by a role
that is not a superuser (as the worker should be) still sees and updates every tenant's
components, each in that tenant's own transaction, and notifies each tenant of its own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from ossmeta.service.reevaluate import Reevaluated, reevaluate
from ossmeta.store import Store, open_store
from ossmeta.store.outbox import list_events
from ossmeta.store.tenancy import tenant_transaction
from tests.service.inventories_data import import_records
from tests.service.test_reevaluate import click_record, tenants  # noqa: F401 - fixture

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_store(pg_url: str) -> Iterator[Store]:
    opened = open_store(pg_url)
    opened.upgrade()
    yield opened
    opened.dispose()


@pytest.fixture
def store(pg_store: Store) -> Store:
    return pg_store


@pytest.fixture
def plain_store(pg_store: Store, pg_url: str) -> Iterator[Store]:
    """The same store, opened as a role without superuser rights."""
    role = f"r_{uuid.uuid4().hex[:12]}"
    with pg_store.engine.begin() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        connection.execute(text(f'CREATE ROLE "{role}" NOLOGIN'))
        connection.execute(text(f'GRANT "{role}" TO CURRENT_USER'))
        connection.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"'))
        connection.execute(
            text(
                f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" '
                f'TO "{role}"'
            )
        )
        connection.execute(text(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"'))
    opened = open_store(pg_url + f"%20-crole%3D{role}")
    yield opened
    opened.dispose()
    with pg_store.engine.begin() as connection:
        connection.execute(text(f'DROP OWNED BY "{role}"'))
        connection.execute(text(f'DROP ROLE "{role}"'))


def test_a_plain_role_re_evaluates_every_tenant(
    store: Store,
    plain_store: Store,
    tenants: tuple[int, int],  # noqa: F811
    tmp_path: Path,
) -> None:
    with plain_store.engine.connect() as connection:
        assert (
            connection.execute(
                text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            ).scalar_one()
            is False
        )
    import_records(store, tmp_path / "click", click_record())
    assert reevaluate(plain_store, [("PyPI", "click")]) == Reevaluated(2, 2, 2, 0, 0)
    for tenant, purl in zip(tenants, ("pkg:pypi/click@8.1.7", "pkg:pypi/click@8.0.0"), strict=True):
        with tenant_transaction(store, tenant) as tx:
            assert [(e.event_type, e.data["purl"]) for e in list_events(tx, tenant)] == [
                ("finding.new", purl)
            ]
    assert reevaluate(plain_store, None).events == 0
