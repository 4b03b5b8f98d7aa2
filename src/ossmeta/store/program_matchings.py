"""The matchings of a program year: every solver run and every admin edit, with the
independent checker's verdict and, for an edit that keeps blocking pairs, the override
reason. The newest is the current one; publishing stamps it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import insert, select, update

from ossmeta.store.schema import program_matchings
from ossmeta.store.tenancy import Transaction
from ossmeta.times import as_utc

__all__ = ["StoredMatching", "add_matching", "current_matching", "publish_matching"]


@dataclass(frozen=True, slots=True)
class StoredMatching:
    id: int
    variant: str
    seed: int
    assignment: dict[str, str]
    problems: tuple[tuple[str, str], ...]
    blocking: tuple[tuple[str, str, str], ...]
    override: str | None
    created_at: datetime
    created_by: str
    published_at: datetime | None


def _of(row: Any) -> StoredMatching:
    return StoredMatching(
        row.id,
        row.variant,
        int(row.seed),
        orjson.loads(row.assignment),
        tuple(tuple(p) for p in orjson.loads(row.problems)),
        tuple(tuple(b) for b in orjson.loads(row.blocking)),
        row.override,
        as_utc(row.created_at) or row.created_at,
        row.created_by,
        as_utc(row.published_at),
    )


def add_matching(
    connection: Transaction,
    year_id: int,
    *,
    variant: str,
    seed: int,
    assignment: Mapping[str, str],
    problems: Sequence[tuple[str, str]],
    blocking: Sequence[tuple[str, str, str]],
    override: str | None,
    actor: str,
    now: datetime,
) -> int:
    return int(
        connection.execute(
            insert(program_matchings)
            .values(
                year_id=year_id,
                variant=variant,
                seed=seed,
                assignment=orjson.dumps(dict(assignment), option=orjson.OPT_SORT_KEYS).decode(),
                problems=orjson.dumps([list(p) for p in problems]).decode(),
                blocking=orjson.dumps([list(b) for b in blocking]).decode(),
                override=override,
                created_at=now,
                created_by=actor,
            )
            .returning(program_matchings.c.id)
        ).scalar_one()
    )


def current_matching(
    connection: Transaction, year_id: int, *, published: bool = False
) -> StoredMatching | None:
    """The newest matching of the year (with ``published``: the newest published one)."""
    query = select(program_matchings).where(program_matchings.c.year_id == year_id)
    if published:
        query = query.where(program_matchings.c.published_at.is_not(None))
    row = connection.execute(query.order_by(program_matchings.c.id.desc()).limit(1)).first()
    return None if row is None else _of(row)


def publish_matching(connection: Transaction, matching_id: int, now: datetime) -> None:
    connection.execute(
        update(program_matchings)
        .where(program_matchings.c.id == matching_id)
        .values(published_at=now)
    )
