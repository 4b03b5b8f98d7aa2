"""Private data of a tenant: its own advisories (OSV records kept as given, with the
affected rows matching needs, as the public tables hold them), its own packages (purls
never looked up upstream) and its own curations (licence and repository corrections that
apply only in its component join). Every table is tenant-owned: row-level security on
PostgreSQL.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ossmeta.store.tenancy import disable_rls, enable_rls

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TENANT_TABLES = (
    "private_advisories",
    "private_affected",
    "private_packages",
    "private_curations",
)


def _tenant(table: str) -> tuple[sa.Column[int], sa.ForeignKeyConstraint]:
    return (
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants")
        ),
    )


def _severity() -> list[sa.Column[object]]:
    return [
        sa.Column("severity_level", sa.SmallInteger(), nullable=True),
        sa.Column("severity_score", sa.Float(), nullable=True),
        sa.Column("severity_vector", sa.Text(), nullable=True),
        sa.Column("severity_type", sa.String(length=32), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "private_advisories",
        *_tenant("private_advisories"),
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn", sa.DateTime(timezone=True), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        *_severity(),
        sa.Column("aliases", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("locator", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=255), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_private_advisories")),
    )
    op.create_table(
        "private_affected",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        *_tenant("private_affected"),
        sa.Column("advisory_id", sa.String(length=255), nullable=False),
        sa.Column("ecosystem", sa.String(length=64), nullable=False),
        sa.Column("ecosystem_full", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("name_key", sa.String(length=512), nullable=False),
        sa.Column("purl", sa.Text(), nullable=True),
        sa.Column("ranges", sa.Text(), nullable=False),
        sa.Column("uncovered_versions", sa.Text(), nullable=False),
        *_severity(),
        sa.ForeignKeyConstraint(
            ["tenant_id", "advisory_id"],
            ["private_advisories.tenant_id", "private_advisories.id"],
            name=op.f("fk_private_affected_tenant_id_private_advisories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_private_affected")),
    )
    op.create_index(
        "ix_private_affected_package", "private_affected", ["tenant_id", "ecosystem", "name_key"]
    )
    op.create_index(
        "ix_private_affected_advisory", "private_affected", ["tenant_id", "advisory_id"]
    )
    op.create_table(
        "private_packages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        *_tenant("private_packages"),
        sa.Column("purl", sa.String(length=1024), nullable=False),
        sa.Column("ecosystem", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("license", sa.String(length=512), nullable=True),
        sa.Column("repository", sa.String(length=1024), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_private_packages")),
        sa.UniqueConstraint("tenant_id", "purl", name="uq_private_packages_tenant_purl"),
    )
    op.create_table(
        "private_curations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        *_tenant("private_curations"),
        sa.Column("purl", sa.String(length=1024), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_private_curations")),
        sa.UniqueConstraint(
            "tenant_id", "purl", "field", name="uq_private_curations_tenant_purl_field"
        ),
    )
    for table in TENANT_TABLES:
        enable_rls(table)


def downgrade() -> None:
    for table in TENANT_TABLES:
        disable_rls(table)
    op.drop_table("private_curations")
    op.drop_table("private_packages")
    op.drop_index("ix_private_affected_advisory", table_name="private_affected")
    op.drop_index("ix_private_affected_package", table_name="private_affected")
    op.drop_table("private_affected")
    op.drop_table("private_advisories")
