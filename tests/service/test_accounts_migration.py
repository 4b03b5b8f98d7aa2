"""Migration 0005 goes down and up again cleanly on both databases (policies, triggers and
tables removed and recreated), and the accounts work after the round trip."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from ossmeta.service import accounts
from ossmeta.store import Store
from ossmeta.store.engine import _alembic_config

TABLES = {"tenants", "users", "memberships", "api_tokens", "audit_log"}


def test_downgrade_to_0004_and_upgrade_again(store: Store) -> None:
    config = _alembic_config(store.engine)
    command.downgrade(config, "0004")
    with store.engine.connect() as connection:
        assert TABLES.isdisjoint(inspect(connection).get_table_names())
    assert store.current_revision() == "0004"
    store.upgrade()
    with store.engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) >= TABLES
    tenant = accounts.create_tenant(store, "acme", accounts.Actor("cli:tester"))
    assert [e.action for e in accounts.audit_entries(store, tenant.id)] == ["tenant.create"]
