"""The defense's rows (migration 0018): which reviewer (an account login) is assigned to
which pair, and each reviewer's scores per criterion, kept as exact fractions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

import orjson
from sqlalchemy import delete, insert, select

from ossmeta.store.schema import program_reviewers, program_scores
from ossmeta.store.tenancy import Transaction
from ossmeta.times import as_utc

__all__ = [
    "Assignment",
    "Score",
    "add_reviewer",
    "read_assignments",
    "read_scores",
    "remove_reviewer",
    "save_score",
]


@dataclass(frozen=True, slots=True)
class Assignment:
    pair: str
    reviewer: str
    assigned_at: datetime
    assigned_by: str


@dataclass(frozen=True, slots=True)
class Score:
    pair: str
    reviewer: str
    scores: dict[str, Fraction]
    scored_at: datetime


def add_reviewer(
    connection: Transaction, year_id: int, pair: str, reviewer: str, actor: str, now: datetime
) -> bool:
    """Assign ``reviewer`` to ``pair``; False when assigned already."""
    table = program_reviewers
    found = connection.execute(
        select(table.c.id).where(
            table.c.year_id == year_id, table.c.pair == pair, table.c.reviewer == reviewer
        )
    ).first()
    if found is not None:
        return False
    connection.execute(
        insert(table).values(
            year_id=year_id, pair=pair, reviewer=reviewer, assigned_at=now, assigned_by=actor
        )
    )
    return True


def remove_reviewer(connection: Transaction, year_id: int, pair: str, reviewer: str) -> bool:
    """Take ``reviewer`` off ``pair`` (and drop the scores they gave it)."""
    done = False
    for table in (program_reviewers, program_scores):
        result = connection.execute(
            delete(table).where(
                table.c.year_id == year_id, table.c.pair == pair, table.c.reviewer == reviewer
            )
        )
        done = done or bool(result.rowcount)
    return done


def read_assignments(connection: Transaction, year_id: int) -> list[Assignment]:
    table = program_reviewers
    rows = connection.execute(
        select(table).where(table.c.year_id == year_id).order_by(table.c.pair, table.c.reviewer)
    )
    return [
        Assignment(r.pair, r.reviewer, as_utc(r.assigned_at) or r.assigned_at, r.assigned_by)
        for r in rows
    ]


def save_score(
    connection: Transaction,
    year_id: int,
    pair: str,
    reviewer: str,
    scores: Mapping[str, Fraction],
    now: datetime,
) -> None:
    """Record (or replace) one reviewer's scores for one pair."""
    table = program_scores
    connection.execute(
        delete(table).where(
            table.c.year_id == year_id, table.c.pair == pair, table.c.reviewer == reviewer
        )
    )
    text = orjson.dumps({k: str(v) for k, v in scores.items()}, option=orjson.OPT_SORT_KEYS)
    connection.execute(
        insert(table).values(
            year_id=year_id, pair=pair, reviewer=reviewer, scores=text.decode(), scored_at=now
        )
    )


def read_scores(connection: Transaction, year_id: int) -> list[Score]:
    table = program_scores
    rows = connection.execute(
        select(table).where(table.c.year_id == year_id).order_by(table.c.pair, table.c.reviewer)
    )
    return [
        Score(
            r.pair,
            r.reviewer,
            {k: Fraction(v) for k, v in orjson.loads(r.scores).items()},
            as_utc(r.scored_at) or r.scored_at,
        )
        for r in rows
    ]
