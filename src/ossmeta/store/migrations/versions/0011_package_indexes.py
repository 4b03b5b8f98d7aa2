"""Package indexes: the pip/uv and npm indexes ossmeta serves, each a proxy of one upstream
gated by a named policy. Operator-level, not tenant-owned.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "package_indexes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("ecosystem", sa.String(length=16), nullable=False),
        sa.Column("upstream", sa.String(length=1024), nullable=False),
        sa.Column("policy", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_package_indexes")),
        sa.UniqueConstraint("name", name=op.f("uq_package_indexes_name")),
    )


def downgrade() -> None:
    op.drop_table("package_indexes")
