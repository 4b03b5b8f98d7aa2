"""Raw records and OSV advisories.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "raw_records",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("external_id", sa.String(255), nullable=False),
        sa.Column("modified", sa.String(64)),
        sa.Column("locator", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("data_license", sa.String(128)),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.UniqueConstraint("source", "content_hash", name="uq_raw_records_source_hash"),
    )
    op.create_index("ix_raw_records_external_id", "raw_records", ["kind", "external_id"])
    op.create_table(
        "advisories",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("raw_record_id", sa.Integer, sa.ForeignKey("raw_records.id"), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published", sa.DateTime(timezone=True)),
        sa.Column("withdrawn", sa.DateTime(timezone=True)),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("severity_level", sa.SmallInteger, nullable=False),
        sa.Column("severity_score", sa.Float),
        sa.Column("severity_vector", sa.Text),
        sa.Column("severity_type", sa.String(32)),
    )
    op.create_table(
        "advisory_aliases",
        sa.Column(
            "advisory_id",
            sa.String(255),
            sa.ForeignKey("advisories.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("alias", sa.String(255), primary_key=True),
    )
    op.create_table(
        "alias_groups",
        sa.Column("member", sa.String(255), primary_key=True),
        sa.Column("group_key", sa.String(255), nullable=False),
    )
    op.create_index("ix_alias_groups_group_key", "alias_groups", ["group_key"])
    op.create_table(
        "affected",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "advisory_id",
            sa.String(255),
            sa.ForeignKey("advisories.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("ecosystem", sa.String(64), nullable=False),
        sa.Column("ecosystem_full", sa.String(255), nullable=False),
        sa.Column("name", sa.String(512), nullable=False),
        sa.Column("name_key", sa.String(512), nullable=False),
        sa.Column("purl", sa.Text),
        sa.Column("ranges", sa.Text, nullable=False),
        sa.Column("uncovered_versions", sa.Text, nullable=False),
        sa.Column("severity_level", sa.SmallInteger),
        sa.Column("severity_score", sa.Float),
        sa.Column("severity_vector", sa.Text),
        sa.Column("severity_type", sa.String(32)),
    )
    op.create_index("ix_affected_advisory_id", "affected", ["advisory_id"])
    op.create_index("ix_affected_package", "affected", ["ecosystem", "name_key"])


def downgrade() -> None:
    op.drop_table("affected")
    op.drop_table("alias_groups")
    op.drop_table("advisory_aliases")
    op.drop_table("advisories")
    op.drop_index("ix_raw_records_external_id", "raw_records")
    op.drop_table("raw_records")
