"""Facts about maintainers and files as numbers beside their JSON, so that no query depends
on how the JSON happens to be written (spacing, key order, escapes): the data-quality report
counted ``'[]'`` and ``'"hashes":[]'`` in the text. Existing rows are filled by parsing their
JSON here, in Python.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_PAGE = 5000  # rows read and updated at a time, so a large store needs no large memory


def _maintainers(text: str) -> dict[str, int]:
    entries = json.loads(text)
    return {
        "maintainers_count": len(entries),
        "maintainers_with_email": sum(1 for entry in entries if "@" in str(entry)),
    }


def _files(text: str) -> dict[str, int]:
    entries = json.loads(text)
    return {
        "files_count": len(entries),
        "files_without_hash": sum(1 for entry in entries if not entry.get("hashes")),
    }


def _backfill(table: str, column: str, facts: Any) -> None:
    """Fill the new columns of ``table`` from its JSON ``column``, a page of ids at a time."""
    bind = op.get_bind()
    rows = sa.table(table, sa.column("id", sa.Integer), sa.column(column, sa.Text))
    last = 0
    while True:
        page = bind.execute(
            sa.select(rows.c.id, rows.c[column])
            .where(rows.c.id > last)
            .order_by(rows.c.id)
            .limit(_PAGE)
        ).all()
        if not page:
            return
        values = [{"row_id": row_id, **facts(text)} for row_id, text in page]
        names = [name for name in values[0] if name != "row_id"]
        target = sa.table(table, sa.column("id", sa.Integer), *(sa.column(n) for n in names))
        bind.execute(
            sa.update(target)
            .where(target.c.id == sa.bindparam("row_id"))
            .values({name: sa.bindparam(name) for name in names}),
            values,
        )
        last = page[-1][0]


def upgrade() -> None:
    with op.batch_alter_table("packages") as batch:
        batch.add_column(
            sa.Column("maintainers_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("maintainers_with_email", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("package_versions") as batch:
        batch.add_column(sa.Column("files_count", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(
            sa.Column("files_without_hash", sa.Integer(), nullable=False, server_default="0")
        )
    _backfill("packages", "maintainers", _maintainers)
    _backfill("package_versions", "files", _files)


def downgrade() -> None:
    with op.batch_alter_table("package_versions") as batch:
        batch.drop_column("files_without_hash")
        batch.drop_column("files_count")
    with op.batch_alter_table("packages") as batch:
        batch.drop_column("maintainers_with_email")
        batch.drop_column("maintainers_count")
