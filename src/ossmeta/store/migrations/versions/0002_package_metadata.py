"""Package metadata: current raw records, packages, versions, dependencies, curations and
the sync bookkeeping (cursors, validators, runs, per-package status).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "curations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("purl", sa.String(length=1024), nullable=False),
        sa.Column("versions", sa.String(length=255), nullable=True),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reviewer", sa.String(length=255), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_curations")),
    )
    with op.batch_alter_table("curations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_curations_purl"), ["purl"], unique=False)

    op.create_table(
        "fetch_validators",
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.String(length=64), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("url", name=op.f("pk_fetch_validators")),
    )
    op.create_table(
        "packages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("purl", sa.String(length=1024), nullable=False),
        sa.Column("ecosystem", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("repository", sa.String(length=1024), nullable=True),
        sa.Column("repository_raw", sa.Text(), nullable=True),
        sa.Column("homepage", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("license_spdx", sa.Text(), nullable=True),
        sa.Column("license_raw", sa.Text(), nullable=True),
        sa.Column("license_confidence", sa.String(length=16), nullable=True),
        sa.Column("license_source", sa.String(length=64), nullable=True),
        sa.Column("maintainers", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("normalized_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_packages")),
        sa.UniqueConstraint("purl", name=op.f("uq_packages_purl")),
    )
    op.create_table(
        "sync_cursors",
        sa.Column("registry", sa.String(length=32), nullable=False),
        sa.Column("cursor", sa.String(length=255), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("registry", name=op.f("pk_sync_cursors")),
    )
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("registry", sa.String(length=32), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("target_cursor", sa.String(length=255), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_runs")),
    )
    op.create_table(
        "sync_status",
        sa.Column("registry", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("purl", sa.String(length=1024), nullable=True),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error_kind", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("registry", "name", name=op.f("pk_sync_status")),
    )
    op.create_table(
        "current_records",
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column("package", sa.String(length=1024), nullable=False),
        sa.Column("raw_record_id", sa.Integer(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["raw_record_id"],
            ["raw_records.id"],
            name=op.f("fk_current_records_raw_record_id_raw_records"),
        ),
        sa.PrimaryKeyConstraint("source", "kind", "external_id", name=op.f("pk_current_records")),
    )
    with op.batch_alter_table("current_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_current_records_package"), ["package"], unique=False)

    op.create_table(
        "package_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=255), nullable=False),
        sa.Column("published", sa.DateTime(timezone=True), nullable=True),
        sa.Column("yanked", sa.Boolean(), nullable=False),
        sa.Column("yanked_reason", sa.Text(), nullable=True),
        sa.Column("deprecated", sa.Text(), nullable=True),
        sa.Column("license_spdx", sa.Text(), nullable=True),
        sa.Column("license_raw", sa.Text(), nullable=True),
        sa.Column("license_confidence", sa.String(length=16), nullable=True),
        sa.Column("license_source", sa.String(length=64), nullable=True),
        sa.Column("files", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["packages.id"],
            name=op.f("fk_package_versions_package_id_packages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_package_versions")),
        sa.UniqueConstraint("package_id", "version", name="uq_package_versions_package_version"),
    )
    with op.batch_alter_table("package_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_package_versions_package_id"), ["package_id"], unique=False
        )

    op.create_table(
        "sync_run_items",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["sync_runs.id"],
            name=op.f("fk_sync_run_items_run_id_sync_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "position", name=op.f("pk_sync_run_items")),
    )
    op.create_table(
        "package_dependencies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=1024), nullable=False),
        sa.Column("requirement", sa.Text(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("markers", sa.Text(), nullable=True),
        sa.Column("extra", sa.String(length=255), nullable=True),
        sa.Column("flags", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["package_versions.id"],
            name=op.f("fk_package_dependencies_version_id_package_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_package_dependencies")),
    )
    with op.batch_alter_table("package_dependencies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_package_dependencies_package_id"), ["package_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_package_dependencies_target"), ["target"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_package_dependencies_version_id"), ["version_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("package_dependencies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_package_dependencies_version_id"))
        batch_op.drop_index(batch_op.f("ix_package_dependencies_target"))
        batch_op.drop_index(batch_op.f("ix_package_dependencies_package_id"))

    op.drop_table("package_dependencies")
    op.drop_table("sync_run_items")
    with op.batch_alter_table("package_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_package_versions_package_id"))

    op.drop_table("package_versions")
    with op.batch_alter_table("current_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_current_records_package"))

    op.drop_table("current_records")
    op.drop_table("sync_status")
    op.drop_table("sync_runs")
    op.drop_table("sync_cursors")
    op.drop_table("packages")
    op.drop_table("fetch_validators")
    with op.batch_alter_table("curations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_curations_purl"))

    op.drop_table("curations")
