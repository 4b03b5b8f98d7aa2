"""Hardened releases: the foundation's patched rebuilds of upstream releases (a PEP 440
local version or an npm prerelease), with the advisories they fix and their patches.
Operator-level, not tenant-owned.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hardened_releases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ecosystem", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("name_key", sa.String(length=512), nullable=False),
        sa.Column("upstream_version", sa.String(length=256), nullable=False),
        sa.Column("version", sa.String(length=256), nullable=False),
        sa.Column("filename", sa.String(length=512), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("sha512", sa.String(length=128), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("fixes", sa.Text(), nullable=False),
        sa.Column("patches", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hardened_releases")),
        sa.UniqueConstraint("ecosystem", "name_key", "filename", name="uq_hardened_releases_file"),
    )
    op.create_index("ix_hardened_releases_package", "hardened_releases", ["ecosystem", "name_key"])


def downgrade() -> None:
    op.drop_index("ix_hardened_releases_package", table_name="hardened_releases")
    op.drop_table("hardened_releases")
