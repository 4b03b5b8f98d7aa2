"""Inventories: a tenant's projects, project versions with their uploaded inventory, the
components and findings of each, and VEX decisions (append-only). Every table is
tenant-owned: row-level security on PostgreSQL.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ossmeta.store.tenancy import append_only, disable_rls, drop_append_only, enable_rls

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TENANT_TABLES = (
    "projects",
    "project_versions",
    "inventory_components",
    "findings",
    "vex_decisions",
)


def _tenant(table: str) -> tuple[sa.Column[int], sa.ForeignKeyConstraint]:
    return (
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants")
        ),
    )


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        *_tenant("projects"),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("tenant_id", "name", name="uq_projects_tenant_name"),
    )
    op.create_table(
        "project_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        *_tenant("project_versions"),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by", sa.String(length=255), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_project_versions_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_versions")),
        sa.UniqueConstraint("project_id", "name", name="uq_project_versions_project_name"),
    )
    op.create_table(
        "inventory_components",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        *_tenant("inventory_components"),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("purl", sa.String(length=1024), nullable=True),
        sa.Column("package_purl", sa.String(length=1024), nullable=True),
        sa.Column("ecosystem", sa.String(length=64), nullable=True),
        sa.Column("ecosystem_key", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("name_key", sa.String(length=512), nullable=True),
        sa.Column("version", sa.String(length=256), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("direct", sa.Boolean(), nullable=True),
        sa.Column("requirement", sa.Text(), nullable=True),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("locations", sa.Text(), nullable=False),
        sa.Column("upgrade", sa.String(length=256), nullable=True),
        sa.Column("upgrade_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["project_versions.id"],
            name=op.f("fk_inventory_components_version_id_project_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_components")),
    )
    op.create_index(
        "ix_inventory_components_version", "inventory_components", ["version_id", "position"]
    )
    op.create_index(
        "ix_inventory_components_package", "inventory_components", ["tenant_id", "package_purl"]
    )
    op.create_index(
        "ix_inventory_components_key", "inventory_components", ["ecosystem_key", "name_key"]
    )
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        *_tenant("findings"),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("component_id", sa.Integer(), nullable=False),
        sa.Column("advisory_id", sa.String(length=128), nullable=False),
        sa.Column("aliases", sa.Text(), nullable=False),
        sa.Column("records", sa.Text(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("severity_level", sa.SmallInteger(), nullable=False),
        sa.Column("severity_score", sa.Float(), nullable=True),
        sa.Column("severity_vector", sa.Text(), nullable=True),
        sa.Column("severity_type", sa.String(length=32), nullable=True),
        sa.Column("severity_origin", sa.String(length=128), nullable=True),
        sa.Column("fixed", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["project_versions.id"],
            name=op.f("fk_findings_version_id_project_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["component_id"],
            ["inventory_components.id"],
            name=op.f("fk_findings_component_id_inventory_components"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
    )
    op.create_index("ix_findings_component", "findings", ["component_id"])
    op.create_index("ix_findings_version", "findings", ["version_id"])
    op.create_index("ix_findings_advisory", "findings", ["tenant_id", "advisory_id"])
    op.create_table(
        "vex_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        *_tenant("vex_decisions"),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("package_purl", sa.String(length=1024), nullable=False),
        sa.Column("component_version", sa.String(length=256), nullable=False),
        sa.Column("advisory_id", sa.String(length=128), nullable=False),
        sa.Column("advisory_ids", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("justification", sa.String(length=64), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("carry_over_versions", sa.Boolean(), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_vex_decisions_project_id_projects")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["project_versions.id"],
            name=op.f("fk_vex_decisions_version_id_project_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vex_decisions")),
    )
    op.create_index(
        "ix_vex_decisions_package", "vex_decisions", ["tenant_id", "project_id", "package_purl"]
    )
    append_only("vex_decisions")
    for table in TENANT_TABLES:
        enable_rls(table)


def downgrade() -> None:
    for table in TENANT_TABLES:
        disable_rls(table)
    drop_append_only("vex_decisions")
    op.drop_index("ix_vex_decisions_package", table_name="vex_decisions")
    op.drop_table("vex_decisions")
    op.drop_index("ix_findings_advisory", table_name="findings")
    op.drop_index("ix_findings_version", table_name="findings")
    op.drop_index("ix_findings_component", table_name="findings")
    op.drop_table("findings")
    op.drop_index("ix_inventory_components_key", table_name="inventory_components")
    op.drop_index("ix_inventory_components_package", table_name="inventory_components")
    op.drop_index("ix_inventory_components_version", table_name="inventory_components")
    op.drop_table("inventory_components")
    op.drop_table("project_versions")
    op.drop_table("projects")
