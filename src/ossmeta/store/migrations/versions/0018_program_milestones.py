"""The graduation program's milestones: the year's mid-term questions and defense rubric (as
their TOML text), the submitted mid-term forms, the ended pairs (append-only), the defense's
reviewer assignments and the reviewers' scores.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ossmeta.store.tenancy import append_only, drop_append_only

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_KEY = 128


def _common(name: str) -> list[sa.Column[object] | sa.PrimaryKeyConstraint]:
    return [
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    ]


def _when(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def _who(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.String(length=255), nullable=False)


def upgrade() -> None:
    op.create_table(
        "program_milestone_configs",
        *_common("program_milestone_configs"),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        _when("updated_at"),
        _who("updated_by"),
        sa.UniqueConstraint("year_id", "kind", name="uq_program_milestone_configs_kind"),
    )
    op.create_table(
        "program_midterm_forms",
        *_common("program_midterm_forms"),
        sa.Column("pair", sa.String(length=_KEY), nullable=False),
        sa.Column("form", sa.String(length=16), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        _when("submitted_at"),
        _who("submitted_by"),
        sa.UniqueConstraint("year_id", "pair", "form", name="uq_program_midterm_forms_form"),
    )
    op.create_table(
        "program_ended_pairs",
        *_common("program_ended_pairs"),
        sa.Column("pair", sa.String(length=_KEY), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _when("ended_at"),
        _who("ended_by"),
        sa.UniqueConstraint("year_id", "pair", name="uq_program_ended_pairs_pair"),
    )
    append_only("program_ended_pairs")
    op.create_table(
        "program_reviewers",
        *_common("program_reviewers"),
        sa.Column("pair", sa.String(length=_KEY), nullable=False),
        _who("reviewer"),
        _when("assigned_at"),
        _who("assigned_by"),
        sa.UniqueConstraint("year_id", "pair", "reviewer", name="uq_program_reviewers_pair"),
    )
    op.create_table(
        "program_scores",
        *_common("program_scores"),
        sa.Column("pair", sa.String(length=_KEY), nullable=False),
        _who("reviewer"),
        sa.Column("scores", sa.Text(), nullable=False),
        _when("scored_at"),
        sa.UniqueConstraint("year_id", "pair", "reviewer", name="uq_program_scores_pair"),
    )


def downgrade() -> None:
    drop_append_only("program_ended_pairs")
    for table in (
        "program_scores",
        "program_reviewers",
        "program_ended_pairs",
        "program_midterm_forms",
        "program_milestone_configs",
    ):
        op.drop_table(table)
