"""The graduation program's awards: the year's award titles, each community's
recommendations, the reviewers' cross-review rankings, and the certified awards with their
verification codes.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def _id(table: str) -> list[Any]:
    return [
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "program_award_titles",
        *_id("program_award_titles"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("name_zh", sa.String(length=255), nullable=False),
        sa.Column("per_community", sa.Integer(), nullable=False),
        sa.UniqueConstraint("year_id", "key", name="uq_program_award_titles_key"),
    )
    op.create_table(
        "program_recommendations",
        *_id("program_recommendations"),
        sa.Column("community", sa.String(length=128), nullable=False),
        sa.Column("pair", sa.String(length=128), nullable=False),
        sa.Column("title", sa.String(length=64), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("year_id", "pair", name="uq_program_recommendations_pair"),
    )
    op.create_table(
        "program_cross_reviews",
        *_id("program_cross_reviews"),
        sa.Column("reviewer", sa.String(length=255), nullable=False),
        sa.Column("pair", sa.String(length=128), nullable=False),
        sa.Column("place", sa.Integer(), nullable=False),
        sa.UniqueConstraint("year_id", "reviewer", "pair", name="uq_program_cross_reviews"),
    )
    op.create_table(
        "program_awards",
        *_id("program_awards"),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("place", sa.Integer(), nullable=False),
        sa.Column("pair", sa.String(length=128), nullable=False),
        sa.Column("title", sa.String(length=64), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("certified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("certified_by", sa.String(length=255), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.Text(), nullable=True),
        sa.UniqueConstraint("code", name="uq_program_awards_code"),
        sa.UniqueConstraint("year_id", "pair", name="uq_program_awards_pair"),
    )


def downgrade() -> None:
    for table in (
        "program_awards",
        "program_cross_reviews",
        "program_recommendations",
        "program_award_titles",
    ):
        op.drop_table(table)
