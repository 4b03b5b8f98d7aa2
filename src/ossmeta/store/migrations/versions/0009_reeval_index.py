"""Re-evaluation: an index on a tenant's components by package key, so that re-evaluating
a few packages reads only that tenant's components of them (the index by package key
alone reads every tenant's, once per tenant).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_inventory_components_tenant_key",
        "inventory_components",
        ["tenant_id", "ecosystem_key", "name_key"],
    )


def downgrade() -> None:
    op.drop_index("ix_inventory_components_tenant_key", table_name="inventory_components")
