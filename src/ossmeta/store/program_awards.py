"""Award titles, recommendations, cross-review rankings and certified awards of a program
year (migration 0019).

Titles, one community's recommendations and one reviewer's ranking are each replaced as a
whole, like the selection's tables; an award is written once when the admin certifies and
afterwards only revoked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import delete, insert, select, update

from ossmeta.store.schema import (
    program_award_titles,
    program_awards,
    program_cross_reviews,
    program_recommendations,
)
from ossmeta.store.tenancy import Transaction
from ossmeta.times import as_utc

__all__ = [
    "AwardRow",
    "RecommendationRow",
    "TitleRow",
    "add_awards",
    "find_award",
    "read_awards",
    "read_cross_reviews",
    "read_recommendations",
    "read_titles",
    "replace_community_recommendations",
    "replace_reviewer_ranking",
    "replace_titles",
    "revoke_award",
]


@dataclass(frozen=True, slots=True)
class TitleRow:
    key: str
    name: str
    name_zh: str
    per_community: int


@dataclass(frozen=True, slots=True)
class RecommendationRow:
    community: str
    pair: str
    title: str
    citation: str
    created_by: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AwardRow:
    year_id: int
    code: str
    place: int
    pair: str
    title: str
    facts: dict[str, Any]  # what the certificate and the verification page show
    certified_at: datetime
    certified_by: str
    revoked_at: datetime | None
    revoked_reason: str | None


def replace_titles(connection: Transaction, year_id: int, titles: Sequence[TitleRow]) -> None:
    connection.execute(
        delete(program_award_titles).where(program_award_titles.c.year_id == year_id)
    )
    if titles:
        connection.execute(
            insert(program_award_titles),
            [
                {
                    "year_id": year_id,
                    "position": position,
                    "key": t.key,
                    "name": t.name,
                    "name_zh": t.name_zh,
                    "per_community": t.per_community,
                }
                for position, t in enumerate(titles)
            ],
        )


def read_titles(connection: Transaction, year_id: int) -> list[TitleRow]:
    rows = connection.execute(
        select(program_award_titles)
        .where(program_award_titles.c.year_id == year_id)
        .order_by(program_award_titles.c.position)
    )
    return [TitleRow(r.key, r.name, r.name_zh, r.per_community) for r in rows]


def replace_community_recommendations(
    connection: Transaction, year_id: int, community: str, rows: Sequence[RecommendationRow]
) -> None:
    """Replace one community's recommendations, leaving every other community's."""
    table = program_recommendations
    connection.execute(
        delete(table).where(table.c.year_id == year_id, table.c.community == community)
    )
    if rows:
        connection.execute(
            insert(table),
            [{"year_id": year_id, **{n: getattr(r, n) for n in r.__slots__}} for r in rows],
        )


def read_recommendations(connection: Transaction, year_id: int) -> list[RecommendationRow]:
    table = program_recommendations
    rows = connection.execute(
        select(table).where(table.c.year_id == year_id).order_by(table.c.community, table.c.id)
    )
    return [
        RecommendationRow(
            r.community,
            r.pair,
            r.title,
            r.citation,
            r.created_by,
            as_utc(r.created_at) or r.created_at,
        )
        for r in rows
    ]


def replace_reviewer_ranking(
    connection: Transaction, year_id: int, reviewer: str, pairs: Sequence[str]
) -> None:
    """Replace one reviewer's ranking: ``pairs`` best first."""
    table = program_cross_reviews
    connection.execute(
        delete(table).where(table.c.year_id == year_id, table.c.reviewer == reviewer)
    )
    if pairs:
        connection.execute(
            insert(table),
            [
                {"year_id": year_id, "reviewer": reviewer, "pair": pair, "place": place}
                for place, pair in enumerate(pairs, 1)
            ],
        )


def read_cross_reviews(connection: Transaction, year_id: int) -> dict[str, list[str]]:
    """Each reviewer's ranking, best first, reviewers in login order."""
    table = program_cross_reviews
    rows = connection.execute(
        select(table.c.reviewer, table.c.pair)
        .where(table.c.year_id == year_id)
        .order_by(table.c.reviewer, table.c.place)
    )
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row.reviewer, []).append(row.pair)
    return found


def add_awards(connection: Transaction, year_id: int, awards: Sequence[AwardRow]) -> None:
    if awards:
        connection.execute(
            insert(program_awards),
            [
                {
                    "year_id": year_id,
                    "code": a.code,
                    "place": a.place,
                    "pair": a.pair,
                    "title": a.title,
                    "facts": orjson.dumps(a.facts, option=orjson.OPT_SORT_KEYS).decode(),
                    "certified_at": a.certified_at,
                    "certified_by": a.certified_by,
                }
                for a in awards
            ],
        )


def _award(row: Any) -> AwardRow:
    return AwardRow(
        row.year_id,
        row.code,
        row.place,
        row.pair,
        row.title,
        orjson.loads(row.facts),
        as_utc(row.certified_at) or row.certified_at,
        row.certified_by,
        as_utc(row.revoked_at),
        row.revoked_reason,
    )


def read_awards(connection: Transaction, year_id: int) -> list[AwardRow]:
    rows = connection.execute(
        select(program_awards)
        .where(program_awards.c.year_id == year_id)
        .order_by(program_awards.c.place)
    )
    return [_award(r) for r in rows]


def find_award(connection: Transaction, code: str) -> AwardRow | None:
    row = connection.execute(select(program_awards).where(program_awards.c.code == code)).first()
    return None if row is None else _award(row)


def revoke_award(connection: Transaction, code: str, reason: str, now: datetime) -> bool:
    """Revoke the award; False when there is no such award or it was revoked already."""
    done = connection.execute(
        update(program_awards)
        .where(program_awards.c.code == code, program_awards.c.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )
    return bool(done.rowcount)
