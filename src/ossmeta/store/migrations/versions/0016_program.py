"""The graduation program: program years, phases and deadlines, projects, people, tasks,
applications, mentor rankings, matchings and an append-only program audit.
Operator-level, not tenant-owned.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ossmeta.store.tenancy import append_only, drop_append_only

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_KEY = 128


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), autoincrement=True, nullable=False)


def _year() -> sa.Column[int]:
    return sa.Column("year_id", sa.Integer(), nullable=False)


def _text(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=False)


def _key(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.String(length=_KEY), nullable=False)


def upgrade() -> None:
    op.create_table(
        "program_years",
        _id(),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        _text("tie_rule"),
        sa.Column("max_choices", sa.Integer(), nullable=False),
        _text("rules"),
        sa.Column("phase", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_years")),
        sa.UniqueConstraint("name", name=op.f("uq_program_years_name")),
    )
    op.create_table(
        "program_phases",
        _id(),
        _year(),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["year_id"],
            ["program_years.id"],
            name=op.f("fk_program_phases_year_id_program_years"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_phases")),
        sa.UniqueConstraint("year_id", "name", name="uq_program_phases_name"),
    )
    op.create_table(
        "program_projects",
        _id(),
        _year(),
        _key("key"),
        sa.Column("community", sa.String(length=255), nullable=False),
        sa.Column("repository", sa.String(length=512), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_projects")),
        sa.UniqueConstraint("year_id", "key", name="uq_program_projects_key"),
    )
    op.create_table(
        "program_people",
        _id(),
        _year(),
        sa.Column("role", sa.String(length=16), nullable=False),
        _key("key"),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("university", sa.String(length=255), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        _text("identities"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_people")),
        sa.UniqueConstraint("year_id", "role", "key", name="uq_program_people_key"),
    )
    op.create_table(
        "program_tasks",
        _id(),
        _year(),
        _key("key"),
        _key("project"),
        _key("mentor"),
        sa.Column("capacity", sa.Integer(), nullable=False),
        _text("title"),
        _text("description"),
        sa.Column("difficulty", sa.String(length=32), nullable=False),
        _text("skills"),
        _text("outcome"),
        _text("ai_policy"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_tasks")),
        sa.UniqueConstraint("year_id", "key", name="uq_program_tasks_key"),
    )
    op.create_table(
        "program_applications",
        _id(),
        _year(),
        _key("pair"),
        _key("student"),
        _key("teacher"),
        sa.Column("rank", sa.Integer(), nullable=False),
        _key("task"),
        _text("plan"),
        _text("timeline"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_applications")),
        sa.UniqueConstraint("year_id", "pair", "rank", name="uq_program_applications_rank"),
    )
    op.create_table(
        "program_rankings",
        _id(),
        _year(),
        _key("mentor"),
        _key("pair"),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_rankings")),
        sa.UniqueConstraint("year_id", "mentor", "pair", name="uq_program_rankings_pair"),
    )
    op.create_table(
        "program_matchings",
        _id(),
        _year(),
        sa.Column("variant", sa.String(length=32), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        _text("assignment"),
        _text("problems"),
        _text("blocking"),
        sa.Column("override", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_matchings")),
    )
    op.create_index("ix_program_matchings_year_id", "program_matchings", ["year_id"])
    op.create_table(
        "program_audit",
        _id(),
        _year(),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        _text("detail"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_audit")),
    )
    op.create_index("ix_program_audit_year_id", "program_audit", ["year_id"])
    append_only("program_audit")


def downgrade() -> None:
    drop_append_only("program_audit")
    op.drop_index("ix_program_audit_year_id", table_name="program_audit")
    op.drop_table("program_audit")
    op.drop_index("ix_program_matchings_year_id", table_name="program_matchings")
    for table in (
        "program_matchings",
        "program_rankings",
        "program_applications",
        "program_tasks",
        "program_people",
        "program_projects",
        "program_phases",
        "program_years",
    ):
        op.drop_table(table)
