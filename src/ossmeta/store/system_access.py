"""The worker's access across tenants.

A worker delivers every tenant's notifications and re-evaluates every tenant's inventories,
so on PostgreSQL it must see rows that the tenant policy (``ossmeta.store.tenancy``) hides.
A second, permissive policy on such tables admits a transaction that has set
``ossmeta.system``; only ``system_transaction`` sets it, and only the worker opens one. The
API never does: a request always runs as one tenant.

A later migration opens a tenant-owned table to the worker with one line after
``enable_rls``::

    enable_system_access("projects")
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

from ossmeta.store.engine import Store
from ossmeta.store.tenancy import Transaction

__all__ = [
    "SYSTEM_SETTING",
    "disable_system_access",
    "enable_system_access",
    "set_system",
    "system_transaction",
]

#: The PostgreSQL setting the worker's policies read; set for one transaction at a time.
SYSTEM_SETTING = "ossmeta.system"


def set_system(connection: Connection) -> None:
    """Let the current transaction see every tenant's rows of the tables opened with
    ``enable_system_access`` (PostgreSQL; reset when the transaction ends)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT set_config(:name, 'on', true)"), {"name": SYSTEM_SETTING})


@contextmanager
def system_transaction(store: Store) -> Iterator[Transaction]:
    """One transaction on behalf of the worker, across tenants: committed when the block
    ends, rolled back if it raises."""
    with store.engine.begin() as connection:
        set_system(connection)
        yield connection


def _policy(table: str) -> str:
    return f"{table}_system_access"


def enable_system_access(table: str) -> None:
    """In a migration, after ``enable_rls(table)``: on PostgreSQL, a transaction that set
    ``ossmeta.system`` sees and writes every row of ``table``. Nothing on SQLite."""
    from alembic import op

    if op.get_bind().dialect.name != "postgresql":
        return
    admitted = f"current_setting('{SYSTEM_SETTING}', true) = 'on'"
    op.execute(
        f'CREATE POLICY "{_policy(table)}" ON "{table}" USING ({admitted}) WITH CHECK ({admitted})'
    )


def disable_system_access(table: str) -> None:
    """In a migration's downgrade: undo ``enable_system_access``."""
    from alembic import op

    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f'DROP POLICY IF EXISTS "{_policy(table)}" ON "{table}"')
