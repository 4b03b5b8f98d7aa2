"""The two-way selection as its people do it, one at a time (the API and the web pages): a
teacher+student pair applies with up to ``max_choices`` ranked tasks, each with a proposal;
a mentor ranks the pairs that applied to any of their tasks, in one list.

The admin's bulk imports (``program_imports``) apply the same rules; here a mistake names
the form field (``choice 2``, ``pair P7``) instead of a file line, and a login acts only for
the pair or the mentor the program gave it (``program_access``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ossmeta.analyses.program.files import Application
from ossmeta.analyses.program.tables import TableError
from ossmeta.errors import InputError
from ossmeta.service.program import get_year, require_phase, year_in
from ossmeta.service.program_access import Access
from ossmeta.service.program_committers import committer_reasons
from ossmeta.service.program_rules import check_applications
from ossmeta.store import program_rows as rows_store
from ossmeta.store.engine import Store
from ossmeta.store.program import add_audit
from ossmeta.store.program_rows import ApplicationRow, RankingRow
from ossmeta.store.tenancy import global_transaction

__all__ = ["Choice", "apply_pair", "rank_pairs"]

_MAX_TEXT = 20_000


@dataclass(frozen=True, slots=True)
class Choice:
    """One ranked choice of a pair: the task and the proposal for it."""

    task: str
    plan: str = ""
    timeline: str = ""  # week-level, as the pair writes it


def apply_pair(
    store: Store,
    year_name: str | None,
    access: Access,
    pair: str,
    student: str,
    teacher: str,
    choices: Sequence[Choice],
    now: datetime,
) -> int:
    """Record (or replace) the pair's ranked choices; the number recorded. Allowed to the
    pair's student or teacher (or an admin), in the application phase."""
    if not (access.holds("student", student) or access.holds("teacher", teacher)):
        access.require("student", student)
    if not pair or len(pair) > 128:
        raise InputError("a pair needs a key of 1 to 128 characters")
    # the top committers come from the git data, read before the transaction
    before = get_year(store, year_name)
    committers = committer_reasons(store, before.id, before.rules)
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        require_phase(year, "apply", now)
        if not 1 <= len(choices) <= year.max_choices:
            raise InputError(f"pair {pair}: choose 1 to {year.max_choices} tasks")
        tasks = [c.task for c in choices]
        if len(set(tasks)) != len(tasks):
            raise InputError(f"pair {pair}: each task may be chosen once")
        for position, choice in enumerate(choices, 1):
            if len(choice.plan) > _MAX_TEXT or len(choice.timeline) > _MAX_TEXT:
                raise InputError(f"choice {position}: a proposal is at most {_MAX_TEXT} characters")
        mine = [
            Application(pair, student, teacher, rank, c.task, c.plan, c.timeline, line=rank)
            for rank, c in enumerate(choices, 1)
        ]
        recorded = rows_store.read_applications(connection, year.id)
        # A pair key already taken is its own student's and teacher's: nobody else's
        # application may replace it (checked here, in the write, not only by the surfaces).
        for taken in (a for a in recorded if a.pair == pair):
            if not (
                access.holds("student", taken.student) or access.holds("teacher", taken.teacher)
            ):
                access.require("student", taken.student)
        others = [
            Application(a.pair, a.student, a.teacher, a.rank, a.task, line=0)
            for a in recorded
            if a.pair != pair
        ]
        try:
            check_applications(
                connection,
                "choice",
                [*others, *mine],
                rules=year.rules,
                people=rows_store.read_people(connection, year.id),
                tasks=rows_store.read_tasks(connection, year.id),
                projects=rows_store.read_projects(connection, year.id),
                committers=committers,
            )
        except TableError as error:
            # check_applications names a line: here, the choice's position (0: another pair's)
            where = f"choice {error.line}" if error.line else "another pair"
            raise InputError(f"pair {pair}, {where}: {error.message}") from None
        rows = [
            ApplicationRow(a.pair, a.student, a.teacher, a.rank, a.task, a.plan, a.timeline)
            for a in mine
        ]
        rows_store.replace_pair_applications(connection, year.id, pair, rows)
        detail = {"pair": pair, "tasks": tasks, "login": access.login}
        add_audit(connection, year.id, access.login, "apply", detail, now)
        return len(rows)


def rank_pairs(
    store: Store,
    year_name: str | None,
    access: Access,
    mentor: str,
    ranking: Sequence[tuple[str, int]],
    now: datetime,
) -> int:
    """Record (or replace) the mentor's ranking: ``(pair, rank)`` with rank 1 the best and
    equal ranks a tie (broken by the year's published rule). Only pairs that applied to one
    of the mentor's tasks may be ranked; an unranked applicant is not acceptable to the
    mentor. Allowed to the mentor (or an admin), in the selection phase."""
    access.require("mentor", mentor)
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        require_phase(year, "rank", now)
        mine = {t.key for t in rows_store.read_tasks(connection, year.id) if t.mentor == mentor}
        applied = {
            a.pair for a in rows_store.read_applications(connection, year.id) if a.task in mine
        }
        seen: set[str] = set()
        rows: list[RankingRow] = []
        for pair, rank in ranking:
            if pair not in applied:
                raise InputError(f"pair {pair}: it applied to none of mentor {mentor}'s tasks")
            if pair in seen:
                raise InputError(f"pair {pair}: ranked twice")
            if rank < 1:
                raise InputError(f"pair {pair}: a rank is a whole number from 1")
            seen.add(pair)
            rows.append(RankingRow(mentor, pair, rank))
        rows_store.replace_mentor_rankings(connection, year.id, mentor, rows)
        detail = {"mentor": mentor, "ranked": len(rows), "unranked": len(applied - seen)}
        add_audit(connection, year.id, access.login, "rank", detail, now)
        return len(rows)
