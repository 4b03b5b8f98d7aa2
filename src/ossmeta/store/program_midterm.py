"""The mid-term check's rows (migration 0018): the year's configured texts (questions and
rubric), the submitted forms and the ended pairs.

A form submitted again replaces the earlier one (the audit keeps both); an ended pair is
final (its table is append-only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import delete, insert, select

from ossmeta.store.schema import (
    program_ended_pairs,
    program_midterm_forms,
    program_milestone_configs,
)
from ossmeta.store.tenancy import Transaction
from ossmeta.times import as_utc

__all__ = [
    "EndedPair",
    "SubmittedForm",
    "end_pair",
    "ended_pairs",
    "ended_rows",
    "read_config_text",
    "read_forms",
    "save_config_text",
    "save_form",
]


@dataclass(frozen=True, slots=True)
class SubmittedForm:
    pair: str
    form: str  # university | mentor
    answers: dict[str, Any]
    passed: bool
    submitted_at: datetime
    submitted_by: str


@dataclass(frozen=True, slots=True)
class EndedPair:
    pair: str
    reason: str
    ended_at: datetime
    ended_by: str


def save_config_text(
    connection: Transaction, year_id: int, kind: str, source: str, actor: str, now: datetime
) -> None:
    table = program_milestone_configs
    connection.execute(delete(table).where(table.c.year_id == year_id, table.c.kind == kind))
    connection.execute(
        insert(table).values(
            year_id=year_id, kind=kind, source=source, updated_at=now, updated_by=actor
        )
    )


def read_config_text(connection: Transaction, year_id: int, kind: str) -> str | None:
    table = program_milestone_configs
    return connection.execute(
        select(table.c.source).where(table.c.year_id == year_id, table.c.kind == kind)
    ).scalar_one_or_none()


def save_form(connection: Transaction, year_id: int, form: SubmittedForm) -> None:
    table = program_midterm_forms
    connection.execute(
        delete(table).where(
            table.c.year_id == year_id, table.c.pair == form.pair, table.c.form == form.form
        )
    )
    connection.execute(
        insert(table).values(
            year_id=year_id,
            pair=form.pair,
            form=form.form,
            answers=orjson.dumps(form.answers, option=orjson.OPT_SORT_KEYS).decode(),
            passed=form.passed,
            submitted_at=form.submitted_at,
            submitted_by=form.submitted_by,
        )
    )


def read_forms(connection: Transaction, year_id: int) -> list[SubmittedForm]:
    table = program_midterm_forms
    rows = connection.execute(
        select(table).where(table.c.year_id == year_id).order_by(table.c.pair, table.c.form)
    )
    return [
        SubmittedForm(
            r.pair,
            r.form,
            orjson.loads(r.answers),
            bool(r.passed),
            as_utc(r.submitted_at) or r.submitted_at,
            r.submitted_by,
        )
        for r in rows
    ]


def end_pair(connection: Transaction, year_id: int, ended: EndedPair) -> None:
    connection.execute(
        insert(program_ended_pairs).values(
            year_id=year_id,
            pair=ended.pair,
            reason=ended.reason,
            ended_at=ended.ended_at,
            ended_by=ended.ended_by,
        )
    )


def ended_rows(connection: Transaction, year_id: int) -> list[EndedPair]:
    table = program_ended_pairs
    rows = connection.execute(
        select(table).where(table.c.year_id == year_id).order_by(table.c.pair)
    )
    return [EndedPair(r.pair, r.reason, as_utc(r.ended_at) or r.ended_at, r.ended_by) for r in rows]


def ended_pairs(connection: Transaction, year_id: int) -> set[str]:
    """The pairs of the year an admin ended: they take no further part (defense, awards)."""
    table = program_ended_pairs
    return set(connection.execute(select(table.c.pair).where(table.c.year_id == year_id)).scalars())
