"""Import and export of the selection's tables (CSV or XLSX), with line-precise errors.

* applications: ``pair_id, student, teacher, rank, task_id, plan, timeline`` — one row per
  application; ``rank`` 1 is the pair's first choice; ``plan`` and ``timeline`` are the
  proposal (technical plan, week-level timeline).
* rankings: ``mentor_id, pair_id, rank`` — one row per applicant of the mentor; 1 is best,
  equal ranks are a tie (broken by the published rule, see ``model.tie_rule``).
* tasks: ``task_id, mentor_id, capacity``; mentors: ``mentor_id, capacity``.

A cross-file mistake names the row that makes it: a ranking of a pair that did not apply
to the mentor names the rankings row; an applicant the mentor did not rank names the
application's row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ossmeta.analyses.program.model import (
    DEFAULT_MAX_CHOICES,
    Instance,
    Mentor,
    Pair,
    Task,
)
from ossmeta.analyses.program.tables import Row, TableError, read_rows, write_rows

__all__ = [
    "APPLICATION_COLUMNS",
    "Application",
    "load_instance",
    "read_applications",
    "read_rankings",
    "write_applications",
    "write_rankings",
]

APPLICATION_COLUMNS = ("pair_id", "student", "teacher", "rank", "task_id", "plan", "timeline")
RANKING_COLUMNS = ("mentor_id", "pair_id", "rank")


@dataclass(frozen=True)
class Application:
    pair: str
    student: str
    teacher: str
    rank: int
    task: str
    plan: str = ""
    timeline: str = ""
    line: int = 0  # where it was read, for later cross-file errors


@dataclass(frozen=True)
class Ranking:
    mentor: str
    pair: str
    rank: int
    line: int = 0


def read_applications(
    path: Path, *, max_choices: int = DEFAULT_MAX_CHOICES
) -> tuple[Application, ...]:
    found: list[Application] = []
    seen: dict[tuple[str, int], int] = {}
    seen_task: dict[tuple[str, str], int] = {}
    people: dict[str, tuple[str, str, int]] = {}
    for row in read_rows(path, APPLICATION_COLUMNS[:5]):
        pair, task = row.text("pair_id"), row.text("task_id")
        rank = row.integer("rank")
        if rank > max_choices:
            raise row.error(f"rank {rank}: a pair ranks at most {max_choices} tasks")
        if (pair, rank) in seen:
            raise row.error(f"pair {pair!r} has rank {rank} already on line {seen[pair, rank]}")
        if (pair, task) in seen_task:
            raise row.error(
                f"pair {pair!r} applied to task {task!r} already on line {seen_task[pair, task]}"
            )
        student, teacher = row.text("student"), row.text("teacher")
        if pair in people and people[pair][:2] != (student, teacher):
            raise row.error(
                f"pair {pair!r} has another student or teacher than on line {people[pair][2]}"
            )
        seen[pair, rank] = seen_task[pair, task] = row.line
        people.setdefault(pair, (student, teacher, row.line))
        found.append(
            Application(
                pair,
                student,
                teacher,
                rank,
                task,
                row.text("plan", required=False),
                row.text("timeline", required=False),
                row.line,
            )
        )
    return tuple(found)


def read_rankings(path: Path) -> tuple[Ranking, ...]:
    found: list[Ranking] = []
    seen: dict[tuple[str, str], int] = {}
    for row in read_rows(path, RANKING_COLUMNS):
        mentor, pair, rank = row.text("mentor_id"), row.text("pair_id"), row.integer("rank")
        if (mentor, pair) in seen:
            raise row.error(
                f"mentor {mentor!r} ranks pair {pair!r} already on line {seen[mentor, pair]}"
            )
        seen[mentor, pair] = row.line
        found.append(Ranking(mentor, pair, rank, row.line))
    return tuple(found)


def _capacities(path: Path, key: str, extra: Sequence[str]) -> list[tuple[Row, str, int]]:
    rows: list[tuple[Row, str, int]] = []
    seen: dict[str, int] = {}
    for row in read_rows(path, (key, *extra, "capacity")):
        ident = row.text(key)
        if ident in seen:
            raise row.error(f"{key} {ident!r} is given already on line {seen[ident]}")
        seen[ident] = row.line
        rows.append((row, ident, row.integer("capacity")))
    return rows


def load_instance(
    applications: Path,
    rankings: Path,
    tasks: Path,
    mentors: Path,
    *,
    max_choices: int = DEFAULT_MAX_CHOICES,
) -> tuple[Instance, tuple[Application, ...]]:
    """The instance the four files describe, checked across files row by row."""
    mentor_rows = _capacities(mentors, "mentor_id", ())
    mentor_ids = {ident for _, ident, _ in mentor_rows}
    task_mentor: dict[str, str] = {}
    task_objs: list[Task] = []
    for row, ident, capacity in _capacities(tasks, "task_id", ("mentor_id",)):
        mentor = row.text("mentor_id")
        if mentor not in mentor_ids:
            raise row.error(f"task {ident!r} names mentor {mentor!r}, who is not in {mentors}")
        task_mentor[ident] = mentor
        task_objs.append(Task(ident, mentor, capacity))
    apps = read_applications(applications, max_choices=max_choices)
    by_pair: dict[str, list[Application]] = defaultdict(list)
    applied: dict[tuple[str, str], Application] = {}
    for app in apps:
        if app.task not in task_mentor:
            raise TableError(f"unknown task {app.task!r}", path=str(applications), line=app.line)
        by_pair[app.pair].append(app)
        applied.setdefault((task_mentor[app.task], app.pair), app)
    pairs: list[Pair] = []
    for pair_id, rows in by_pair.items():
        rows.sort(key=lambda a: a.rank)
        if [a.rank for a in rows] != list(range(1, len(rows) + 1)):
            raise TableError(
                f"pair {pair_id!r} has ranks {[a.rank for a in rows]}; they must be 1, 2, …",
                path=str(applications),
                line=rows[-1].line,
            )
        head = rows[0]
        pairs.append(Pair(pair_id, tuple(a.task for a in rows), head.student, head.teacher))
    tiers: dict[str, dict[int, list[str]]] = {m: defaultdict(list) for m in mentor_ids}
    for ranking in read_rankings(rankings):
        if ranking.mentor not in mentor_ids:
            raise TableError(
                f"unknown mentor {ranking.mentor!r}", path=str(rankings), line=ranking.line
            )
        if (ranking.mentor, ranking.pair) not in applied:
            raise TableError(
                f"mentor {ranking.mentor!r} ranks pair {ranking.pair!r}, which applied to none "
                f"of the mentor's tasks",
                path=str(rankings),
                line=ranking.line,
            )
        tiers[ranking.mentor][ranking.rank].append(ranking.pair)
    ranked = {(m, p) for m, by_rank in tiers.items() for tier in by_rank.values() for p in tier}
    for (mentor, pair), app in applied.items():
        if (mentor, pair) not in ranked:
            raise TableError(
                f"mentor {mentor!r} did not rank pair {pair!r} (no row in {rankings})",
                path=str(applications),
                line=app.line,
            )
    mentor_objs = [
        Mentor(ident, capacity, tuple(tuple(tiers[ident][r]) for r in sorted(tiers[ident])))
        for _, ident, capacity in mentor_rows
    ]
    instance = Instance(tuple(pairs), tuple(task_objs), tuple(mentor_objs), max_choices)
    return instance, apps


def write_applications(path: Path, applications: Sequence[Application]) -> None:
    rows = [
        (a.pair, a.student, a.teacher, a.rank, a.task, a.plan, a.timeline) for a in applications
    ]
    write_rows(path, APPLICATION_COLUMNS, rows)


def write_rankings(path: Path, instance: Instance) -> None:
    """Each mentor's list, tiers as equal ranks (1 is best)."""
    rows = [
        (mentor.id, pair, rank)
        for mentor in instance.mentors
        for rank, tier in enumerate(mentor.ranking, start=1)
        for pair in tier
    ]
    write_rows(path, RANKING_COLUMNS, rows)
