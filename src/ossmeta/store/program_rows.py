"""The tables a program year imports: projects, people, tasks, applications, rankings.

An import replaces the year's rows of that kind in one transaction, so importing a corrected
file again is the way to fix a mistake; the audit keeps what was imported when."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Table, delete, insert, select

from ossmeta.store.schema import (
    program_applications,
    program_people,
    program_projects,
    program_rankings,
    program_tasks,
)
from ossmeta.store.tenancy import Transaction

__all__ = [
    "ApplicationRow",
    "PersonRow",
    "ProjectRow",
    "RankingRow",
    "TaskRow",
    "read_applications",
    "read_people",
    "read_projects",
    "read_rankings",
    "read_tasks",
    "replace_mentor_rankings",
    "replace_pair_applications",
    "replace_rows",
]


@dataclass(frozen=True, slots=True)
class ProjectRow:
    key: str
    community: str
    repository: str


@dataclass(frozen=True, slots=True)
class PersonRow:
    role: str  # mentor | teacher | student
    key: str
    name: str
    university: str
    capacity: int | None
    identities: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TaskRow:
    key: str
    project: str
    mentor: str
    capacity: int
    title: str
    description: str
    difficulty: str
    skills: str
    outcome: str
    ai_policy: str


@dataclass(frozen=True, slots=True)
class ApplicationRow:
    pair: str
    student: str
    teacher: str
    rank: int
    task: str
    plan: str
    timeline: str


@dataclass(frozen=True, slots=True)
class RankingRow:
    mentor: str
    pair: str
    rank: int


_TABLES: Mapping[str, Table] = {
    "projects": program_projects,
    "people": program_people,
    "tasks": program_tasks,
    "applications": program_applications,
    "rankings": program_rankings,
}


def replace_rows(
    connection: Transaction,
    year_id: int,
    kind: str,
    rows: Sequence[Any],
    *,
    roles: Sequence[str] = (),
) -> None:
    """Replace the year's rows of ``kind`` (for people: only those of ``roles``)."""
    table = _TABLES[kind]
    gone = delete(table).where(table.c.year_id == year_id)
    if roles:
        gone = gone.where(table.c.role.in_(roles))
    connection.execute(gone)
    if not rows:
        return
    values = []
    for row in rows:
        value = {name: getattr(row, name) for name in row.__slots__}
        if kind == "people":
            value["identities"] = orjson.dumps(list(row.identities)).decode()
        values.append({"year_id": year_id, **value})
    connection.execute(insert(table), values)


def _select(connection: Transaction, table: Table, year_id: int) -> Any:
    return connection.execute(select(table).where(table.c.year_id == year_id).order_by(table.c.id))


def read_projects(connection: Transaction, year_id: int) -> list[ProjectRow]:
    return [
        ProjectRow(r.key, r.community, r.repository)
        for r in _select(connection, program_projects, year_id)
    ]


def read_people(connection: Transaction, year_id: int) -> list[PersonRow]:
    return [
        PersonRow(
            r.role,
            r.key,
            r.name,
            r.university,
            r.capacity,
            tuple(orjson.loads(r.identities)),
        )
        for r in _select(connection, program_people, year_id)
    ]


def read_tasks(connection: Transaction, year_id: int) -> list[TaskRow]:
    return [
        TaskRow(
            r.key,
            r.project,
            r.mentor,
            r.capacity,
            r.title,
            r.description,
            r.difficulty,
            r.skills,
            r.outcome,
            r.ai_policy,
        )
        for r in _select(connection, program_tasks, year_id)
    ]


def read_applications(connection: Transaction, year_id: int) -> list[ApplicationRow]:
    return [
        ApplicationRow(r.pair, r.student, r.teacher, r.rank, r.task, r.plan, r.timeline)
        for r in _select(connection, program_applications, year_id)
    ]


def read_rankings(connection: Transaction, year_id: int) -> list[RankingRow]:
    return [
        RankingRow(r.mentor, r.pair, r.rank) for r in _select(connection, program_rankings, year_id)
    ]


def replace_pair_applications(
    connection: Transaction, year_id: int, pair: str, rows: Sequence[ApplicationRow]
) -> None:
    """Replace one pair's applications (its ranked choices), leaving every other pair's."""
    connection.execute(
        delete(program_applications).where(
            program_applications.c.year_id == year_id, program_applications.c.pair == pair
        )
    )
    if rows:
        values = [{"year_id": year_id, **{n: getattr(r, n) for n in r.__slots__}} for r in rows]
        connection.execute(insert(program_applications), values)


def replace_mentor_rankings(
    connection: Transaction, year_id: int, mentor: str, rows: Sequence[RankingRow]
) -> None:
    """Replace one mentor's ranking of pairs, leaving every other mentor's."""
    connection.execute(
        delete(program_rankings).where(
            program_rankings.c.year_id == year_id, program_rankings.c.mentor == mentor
        )
    )
    if rows:
        values = [{"year_id": year_id, **{n: getattr(r, n) for n in r.__slots__}} for r in rows]
        connection.execute(insert(program_rankings), values)
