"""Tenancy in the store: the tenant transaction every tenant-side query runs in, and the
migration helpers that put tenant-owned tables under row-level security.

On PostgreSQL tenancy is enforced twice: by the application's own ``WHERE tenant_id = ...``
and by a policy on each tenant-owned table that shows only the rows of the tenant set for
the transaction (``ossmeta.tenant``). A query that forgets its tenant filter then sees
nothing rather than another tenant's rows. SQLite has no row-level security; there the
application's filter is the only line.

A later migration adds a tenant-owned table with one line::

    from ossmeta.store.tenancy import enable_rls
    enable_rls("projects")          # the table has an integer ``tenant_id`` column
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

from ossmeta.store.engine import Store

__all__ = [
    "TENANT_SETTING",
    "Transaction",
    "append_only",
    "disable_rls",
    "drop_append_only",
    "enable_rls",
    "global_transaction",
    "set_tenant",
    "tenant_transaction",
]

#: The PostgreSQL setting the policies read; set for one transaction at a time.
TENANT_SETTING = "ossmeta.tenant"

#: What the store's functions take: an open transaction (callers outside ``ossmeta.store``
#: pass it along and never run SQL on it).
Transaction = Connection


def set_tenant(connection: Connection, tenant_id: int) -> None:
    """Make ``tenant_id`` the tenant of the current transaction (PostgreSQL: the policies'
    ``ossmeta.tenant``, reset when the transaction ends; SQLite: nothing to do)."""
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT set_config(:name, :value, true)"),
            {"name": TENANT_SETTING, "value": str(int(tenant_id))},
        )


@contextmanager
def tenant_transaction(store: Store, tenant_id: int) -> Iterator[Transaction]:
    """One transaction on behalf of ``tenant_id``: committed when the block ends, rolled back
    if it raises. Every read or write of tenant-owned rows runs in one."""
    with store.engine.begin() as connection:
        set_tenant(connection, tenant_id)
        yield connection


@contextmanager
def global_transaction(store: Store) -> Iterator[Transaction]:
    """A transaction on no tenant's behalf: for global tables (tenants, users, public
    metadata). Tenant-owned rows are invisible in it on PostgreSQL."""
    with store.engine.begin() as connection:
        yield connection


# ------------------------------------------------------------------ migration helpers


def _policy(table: str) -> str:
    return f"{table}_tenant_isolation"


def enable_rls(table: str, column: str = "tenant_id") -> None:
    """In a migration: on PostgreSQL, only the rows whose ``column`` is the transaction's
    tenant are visible or writable in ``table``, also for the table's owner (``FORCE``).
    Superusers bypass every policy, so the service should not run as one in production.
    Nothing on SQLite."""
    from alembic import op

    if op.get_bind().dialect.name != "postgresql":
        return
    tenant = f"NULLIF(current_setting('{TENANT_SETTING}', true), '')::integer"
    op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
    op.execute(
        f'CREATE POLICY "{_policy(table)}" ON "{table}" '
        f'USING ("{column}" = {tenant}) WITH CHECK ("{column}" = {tenant})'
    )


def disable_rls(table: str) -> None:
    """In a migration's downgrade: undo ``enable_rls``."""
    from alembic import op

    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f'DROP POLICY IF EXISTS "{_policy(table)}" ON "{table}"')
    op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')


_REFUSE_FUNCTION = "ossmeta_refuse_change"


def append_only(table: str) -> None:
    """In a migration: triggers that refuse every UPDATE and DELETE on ``table`` (and
    TRUNCATE on PostgreSQL), on both databases."""
    from alembic import op

    message = f"{table} is append-only"
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE OR REPLACE FUNCTION {_REFUSE_FUNCTION}() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION '% is append-only', TG_TABLE_NAME "
            "USING ERRCODE = 'insufficient_privilege'; END $$"
        )
        op.execute(
            f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION {_REFUSE_FUNCTION}()"
        )
        op.execute(
            f'CREATE TRIGGER "{table}_no_truncate" BEFORE TRUNCATE ON "{table}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION {_REFUSE_FUNCTION}()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f'CREATE TRIGGER "{table}_no_{event.lower()}" BEFORE {event} ON "{table}" '
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )


def drop_append_only(table: str) -> None:
    """In a migration's downgrade: undo ``append_only`` (the shared function stays)."""
    from alembic import op

    if op.get_bind().dialect.name == "postgresql":
        op.execute(f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}"')
        op.execute(f'DROP TRIGGER IF EXISTS "{table}_no_truncate" ON "{table}"')
        return
    for event in ("update", "delete"):
        op.execute(f'DROP TRIGGER IF EXISTS "{table}_no_{event}"')
