"""npm index cache: upstream packuments as received (with their ETag) and the tarballs
verified against upstream integrity (bytes in the blob store).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "npm_packuments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("index_name", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("etag", sa.String(length=255), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_npm_packuments")),
        sa.UniqueConstraint("index_name", "name", name=op.f("uq_npm_packuments_index_name")),
    )
    op.create_table(
        "npm_tarballs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("index_name", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("version", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("integrity", sa.String(length=255), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_npm_tarballs")),
        sa.UniqueConstraint(
            "index_name", "name", "version", name=op.f("uq_npm_tarballs_index_name")
        ),
    )


def downgrade() -> None:
    op.drop_table("npm_tarballs")
    op.drop_table("npm_packuments")
