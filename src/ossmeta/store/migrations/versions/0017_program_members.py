"""The graduation program's communities and universities as tables of their own, and its
members: which account login acts in which program role (admin, community contact,
university admin, mentor, teacher, student, reviewer) for which subject.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def _keyed(name: str) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("name_zh", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("year_id", "key", name=f"uq_{name}_key"),
    )


def upgrade() -> None:
    _keyed("program_communities")
    _keyed("program_universities")
    op.create_table(
        "program_members",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year_id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_members")),
        sa.UniqueConstraint("year_id", "login", "role", "subject", name="uq_program_members"),
    )
    op.create_index("ix_program_members_login", "program_members", ["login"])


def downgrade() -> None:
    op.drop_index("ix_program_members_login", table_name="program_members")
    for table in ("program_members", "program_universities", "program_communities"):
        op.drop_table(table)
