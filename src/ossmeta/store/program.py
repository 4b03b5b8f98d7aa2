"""The graduation program's years, phases and audit (migration 0016).

A year's phases are an ordered list with deadlines; ``program_years.phase`` is the position
of the current one. The audit is append-only (triggers refuse UPDATE and DELETE)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import insert, select, update

from ossmeta.store.schema import program_audit, program_phases, program_years
from ossmeta.store.tenancy import Transaction
from ossmeta.times import as_utc

__all__ = [
    "AuditEntry",
    "Phase",
    "Year",
    "add_audit",
    "add_year",
    "audit_entries",
    "find_year",
    "latest_year",
    "newest_audit",
    "set_deadline",
    "set_phase",
]


@dataclass(frozen=True, slots=True)
class Phase:
    position: int
    name: str
    deadline: datetime | None


@dataclass(frozen=True, slots=True)
class Year:
    id: int
    name: str
    seed: int
    tie_rule: str
    max_choices: int
    rules: dict[str, int]  # eligibility switches (0/1) and top_committers
    phase: int  # position of the current phase
    phases: tuple[Phase, ...]

    @property
    def current(self) -> Phase:
        return self.phases[self.phase]


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any]


def add_year(
    connection: Transaction,
    name: str,
    *,
    seed: int,
    tie_rule: str,
    max_choices: int,
    rules: dict[str, int],
    phases: Sequence[tuple[str, datetime | None]],
    now: datetime,
) -> int:
    year_id = connection.execute(
        insert(program_years)
        .values(
            name=name,
            seed=seed,
            tie_rule=tie_rule,
            max_choices=max_choices,
            rules=orjson.dumps(rules).decode(),
            phase=0,
            created_at=now,
        )
        .returning(program_years.c.id)
    ).scalar_one()
    connection.execute(
        insert(program_phases),
        [
            {"year_id": year_id, "position": n, "name": phase, "deadline": deadline}
            for n, (phase, deadline) in enumerate(phases)
        ],
    )
    return int(year_id)


def _year(connection: Transaction, row: Any) -> Year:
    phases = tuple(
        Phase(p.position, p.name, as_utc(p.deadline))
        for p in connection.execute(
            select(program_phases)
            .where(program_phases.c.year_id == row.id)
            .order_by(program_phases.c.position)
        )
    )
    return Year(
        row.id,
        row.name,
        int(row.seed),
        row.tie_rule,
        row.max_choices,
        orjson.loads(row.rules),
        row.phase,
        phases,
    )


def find_year(connection: Transaction, name: str) -> Year | None:
    row = connection.execute(select(program_years).where(program_years.c.name == name)).first()
    return None if row is None else _year(connection, row)


def latest_year(connection: Transaction) -> Year | None:
    row = connection.execute(
        select(program_years).order_by(program_years.c.id.desc()).limit(1)
    ).first()
    return None if row is None else _year(connection, row)


def set_phase(connection: Transaction, year_id: int, position: int) -> None:
    connection.execute(
        update(program_years).where(program_years.c.id == year_id).values(phase=position)
    )


def set_deadline(connection: Transaction, year_id: int, position: int, deadline: datetime) -> None:
    connection.execute(
        update(program_phases)
        .where(program_phases.c.year_id == year_id, program_phases.c.position == position)
        .values(deadline=deadline)
    )


def add_audit(
    connection: Transaction,
    year_id: int,
    actor: str,
    action: str,
    detail: dict[str, Any],
    now: datetime,
) -> None:
    connection.execute(
        insert(program_audit).values(
            year_id=year_id,
            at=now,
            actor=actor,
            action=action,
            detail=orjson.dumps(detail, option=orjson.OPT_SORT_KEYS).decode(),
        )
    )


def audit_entries(connection: Transaction, year_id: int) -> list[AuditEntry]:
    rows = connection.execute(
        select(program_audit).where(program_audit.c.year_id == year_id).order_by(program_audit.c.id)
    )
    return [
        AuditEntry(r.id, as_utc(r.at) or r.at, r.actor, r.action, orjson.loads(r.detail))
        for r in rows
    ]


def newest_audit(
    connection: Transaction, year_id: int, *, before: int | None, limit: int
) -> list[AuditEntry]:
    """The year's audit newest first, below the entry id ``before`` (None: from the newest),
    at most ``limit`` entries: one page read by the index, not the whole log."""
    query = select(program_audit).where(program_audit.c.year_id == year_id)
    if before is not None:
        query = query.where(program_audit.c.id < before)
    rows = connection.execute(query.order_by(program_audit.c.id.desc()).limit(limit))
    return [
        AuditEntry(r.id, as_utc(r.at) or r.at, r.actor, r.action, orjson.loads(r.detail))
        for r in rows
    ]
