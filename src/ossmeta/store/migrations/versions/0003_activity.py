"""Activity and community health: identity overrides, computed metrics, git import state and
code-host repository facts. Events, commits and tags live in Parquet, not here.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _metric_table(name: str, subject: str) -> None:
    op.create_table(
        name,
        sa.Column(subject, sa.String(length=512), nullable=False),
        sa.Column("metric", sa.String(length=128), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("engine", sa.String(length=16), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(subject, "metric", "period", name=op.f(f"pk_{name}")),
    )


def upgrade() -> None:
    op.create_table(
        "identity_overrides",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("identity", sa.String(length=512), nullable=False),
        sa.Column("other", sa.String(length=512), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_overrides")),
    )
    _metric_table("repo_metrics", "repo")
    _metric_table("developer_metrics", "developer")
    op.create_table(
        "git_imports",
        sa.Column("repo", sa.String(length=512), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("heads", sa.Text(), nullable=False),
        sa.Column("commits", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("repo", name=op.f("pk_git_imports")),
    )
    op.create_table(
        "repo_facts",
        sa.Column("repo", sa.String(length=512), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("default_branch", sa.String(length=255), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("repo", name=op.f("pk_repo_facts")),
    )


def downgrade() -> None:
    op.drop_table("repo_facts")
    op.drop_table("git_imports")
    op.drop_table("developer_metrics")
    op.drop_table("repo_metrics")
    op.drop_table("identity_overrides")
