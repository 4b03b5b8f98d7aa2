"""What the program's API and pages show to pairs and mentors, read once here so both
surfaces say the same: the year with its phases and the caller's roles, the published tasks
with the center's activity for each task's repository, a pair's applications and published
result with its explanation, and a mentor's applicants and ranking.

Every view checks the caller's program access first (``ForbiddenError``, a 403) and says
"no data" (``None``) rather than inventing a value the center does not hold."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from ossmeta.errors import NotFoundError, UsageError
from ossmeta.service import public
from ossmeta.service.program import PhaseError, year_in
from ossmeta.service.program_access import Access, access_of
from ossmeta.service.program_selection import results
from ossmeta.store import program_rows as rows_store
from ossmeta.store.engine import Store
from ossmeta.store.metrics import MetricValue
from ossmeta.store.program import Year
from ossmeta.store.tenancy import global_transaction
from ossmeta.times import utc_text

__all__ = [
    "ACTIVITY_MONTHS",
    "RepositoryActivity",
    "member_access",
    "mentor_applicants",
    "mentor_ranking",
    "pair_applications",
    "pair_view",
    "pairs_of",
    "published_result",
    "repository_activity",
    "tasks_published",
    "tasks_view",
    "year_view",
]

#: Months of activity shown beside a task (the newest ones the center holds).
ACTIVITY_MONTHS = 12
_PUBLISHED_AFTER = "tasks_fixed"


def member_access(store: Store, year_name: str | None, login: str) -> Access:
    """The login's access to the year, for the member-only views. A login without any role
    in the year is told the year does not exist, as another tenant's object is: the year's
    pairs and mentors are its members' business."""
    access = access_of(store, year_name, login)
    if not access.is_admin and not access.members:
        shown = year_name if year_name is not None else "current"
        raise NotFoundError(f"no program year {shown!r}")
    return access


def year_view(access: Access) -> dict[str, Any]:
    """The year, its phases with deadlines, the current phase and the caller's roles."""
    year = access.year
    return {
        "name": year.name,
        "phase": year.current.name,
        "deadline": utc_text(year.current.deadline),
        "phases": [
            {"name": p.name, "deadline": utc_text(p.deadline), "current": p.position == year.phase}
            for p in year.phases
        ],
        "max_choices": year.max_choices,
        "tie_rule": year.tie_rule,
        "tasks_published": tasks_published(year),
        "is_admin": access.is_admin,
        "roles": [{"role": m.role, "subject": m.subject} for m in access.members],
    }


def tasks_published(year: Year) -> bool:
    """Tasks are public once the year has moved past ``tasks_fixed`` (or, for a year without
    that phase, past its first phase)."""
    names = [p.name for p in year.phases]
    fixed = names.index(_PUBLISHED_AFTER) if _PUBLISHED_AFTER in names else 0
    return year.phase > fixed


@dataclass(frozen=True, slots=True)
class RepositoryActivity:
    """The center's stored metrics of a task's repository: ``None`` where it holds none."""

    repository: str
    last_month: str | None
    activity: float | None
    openrank: float | None
    maintenance: str | None
    months: tuple[tuple[str, float], ...]  # (month, activity), oldest first

    def document(self) -> dict[str, Any]:
        return {
            "repository": self.repository,
            "last_month": self.last_month,
            "activity": self.activity,
            "openrank": self.openrank,
            "maintenance": self.maintenance,
            "monthly_activity": [{"month": m, "value": v} for m, v in self.months],
        }


def _monthly(values: list[MetricValue], metric: str) -> dict[str, MetricValue]:
    return {
        v.period: v
        for v in values
        if v.metric == metric and len(v.period) == 7 and v.period[4] == "-"
    }


def repository_activity(store: Store, repository: str) -> RepositoryActivity | None:
    """The repository's latest activity, OpenRank and maintenance status, and its recent
    monthly activity (``metrics compute`` and OpenDigger imports fill them); ``None`` for a
    task without a repository or a link the center cannot read as one."""
    if not repository:
        return None
    try:
        key, values = public.repository_metrics(store, repository)
    except UsageError:
        return None
    activity, openrank = _monthly(values, "activity"), _monthly(values, "openrank")
    status = _monthly(values, "maintenance_status")
    months = sorted({*activity, *openrank, *status})

    def latest(series: dict[str, MetricValue]) -> float | None:
        return series[max(series)].value if series else None

    return RepositoryActivity(
        key,
        months[-1] if months else None,
        latest(activity),
        latest(openrank),
        str(status[max(status)].detail) if status else None,
        tuple(
            (m, value)
            for m in sorted(activity)[-ACTIVITY_MONTHS:]
            if (value := activity[m].value) is not None
        ),
    )


def tasks_view(store: Store, access: Access) -> list[dict[str, Any]]:
    """The year's tasks with their project, community, mentor and repository activity, in
    the order they were imported. Before the tasks are fixed only admins see them."""
    with global_transaction(store) as connection:
        year = year_in(connection, access.year.name)
        if not tasks_published(year) and not access.is_admin:
            raise PhaseError(
                f"the tasks of program {year.name} are published after phase "
                f"{_PUBLISHED_AFTER}; it is in phase {year.current.name}"
            )
        tasks = rows_store.read_tasks(connection, year.id)
        projects = {p.key: p for p in rows_store.read_projects(connection, year.id)}
        names = {
            p.key: p.name for p in rows_store.read_people(connection, year.id) if p.role == "mentor"
        }
    activities: dict[str, RepositoryActivity | None] = {}
    shown = []
    for task in tasks:
        project = projects.get(task.project)
        repository = project.repository if project else ""
        if repository not in activities:
            activities[repository] = repository_activity(store, repository)
        found = activities[repository]
        shown.append(
            {
                "key": task.key,
                "title": task.title,
                "description": task.description,
                "difficulty": task.difficulty,
                "skills": task.skills,
                "outcome": task.outcome,
                "ai_policy": task.ai_policy,
                "capacity": task.capacity,
                "mentor": task.mentor,
                "mentor_name": names.get(task.mentor, ""),
                "project": task.project or None,
                "community": project.community if project else None,
                "repository": repository or None,
                "activity": None if found is None else found.document(),
            }
        )
    return shown


def _pair_owner(access: Access, student: str, teacher: str) -> bool:
    return access.holds("student", student) or access.holds("teacher", teacher)


def pair_applications(store: Store, access: Access, pair: str) -> list[dict[str, Any]]:
    """The pair's ranked choices with their proposals. A pair that has not applied yet has
    none; only its student, its teacher or an admin reads them."""
    with global_transaction(store) as connection:
        year = year_in(connection, access.year.name)
        mine = sorted(
            (a for a in rows_store.read_applications(connection, year.id) if a.pair == pair),
            key=lambda a: a.rank,
        )
        titles = {t.key: t.title for t in rows_store.read_tasks(connection, year.id)}
    if mine and not _pair_owner(access, mine[0].student, mine[0].teacher):
        access.require("student", mine[0].student)
    if not mine and not (
        access.is_admin or access.subjects("student") or access.subjects("teacher")
    ):
        access.require("student")
    return [
        {
            "rank": a.rank,
            "task": a.task,
            "title": titles.get(a.task, ""),
            "student": a.student,
            "teacher": a.teacher,
            "plan": a.plan,
            "timeline": a.timeline,
        }
        for a in mine
    ]


def published_result(store: Store, year_name: str, pair: str) -> dict[str, Any] | None:
    """The pair's published result with its explanation, the tie rule and the tasks with
    room; ``None`` before publication or for a pair that was not in the matching."""
    try:
        published = results(store, year_name)
    except NotFoundError:
        return None
    mine = next((p for p in published["pairs"] if p["pair"] == pair), None)
    if mine is None:
        return None
    return {
        **mine,
        "published_at": published["published_at"],
        "tie_rule": published["tie_rule"],
        "seed": published["seed"],
        "tasks_with_room": published["tasks_with_room"] if mine["task"] is None else [],
    }


def pair_view(store: Store, access: Access, pair: str) -> dict[str, Any]:
    """The pair's applications and, once published, its result."""
    applications = pair_applications(store, access, pair)
    result = published_result(store, access.year.name, pair) if applications else None
    return {
        "pair": pair,
        "year": access.year.name,
        "phase": access.year.current.name,
        "applications": applications,
        "result": result,
    }


def mentor_applicants(store: Store, access: Access, mentor: str) -> list[dict[str, Any]]:
    """The pairs that applied to any of the mentor's tasks: student, teacher, their proposal
    for each of the mentor's tasks with its choice rank, and the mentor's current rank."""
    access.require("mentor", mentor)
    with global_transaction(store) as connection:
        year = year_in(connection, access.year.name)
        tasks = {t.key: t for t in rows_store.read_tasks(connection, year.id) if t.mentor == mentor}
        people = {(p.role, p.key): p.name for p in rows_store.read_people(connection, year.id)}
        ranked = {
            r.pair: r.rank
            for r in rows_store.read_rankings(connection, year.id)
            if r.mentor == mentor
        }
        by_pair: dict[str, list[rows_store.ApplicationRow]] = defaultdict(list)
        for application in rows_store.read_applications(connection, year.id):
            if application.task in tasks:
                by_pair[application.pair].append(application)
    shown = []
    for pair, applications in sorted(by_pair.items()):
        first = applications[0]
        shown.append(
            {
                "pair": pair,
                "student": first.student,
                "student_name": people.get(("student", first.student), ""),
                "teacher": first.teacher,
                "teacher_name": people.get(("teacher", first.teacher), ""),
                "rank": ranked.get(pair),
                "proposals": [
                    {
                        "task": a.task,
                        "title": tasks[a.task].title,
                        "choice": a.rank,
                        "plan": a.plan,
                        "timeline": a.timeline,
                    }
                    for a in sorted(applications, key=lambda a: a.rank)
                ],
            }
        )
    return shown


def mentor_ranking(store: Store, access: Access, mentor: str) -> list[dict[str, Any]]:
    """The mentor's current ranking, best first (equal ranks are a tie)."""
    access.require("mentor", mentor)
    with global_transaction(store) as connection:
        year = year_in(connection, access.year.name)
        rows = [r for r in rows_store.read_rankings(connection, year.id) if r.mentor == mentor]
    return [{"pair": r.pair, "rank": r.rank} for r in sorted(rows, key=lambda r: (r.rank, r.pair))]


def pairs_of(store: Store, access: Access) -> list[str]:
    """The pairs the login is the student or the teacher of (by their applications)."""
    students, teachers = access.subjects("student"), access.subjects("teacher")
    with global_transaction(store) as connection:
        year = year_in(connection, access.year.name)
        found = rows_store.read_applications(connection, year.id)
    return sorted({a.pair for a in found if a.student in students or a.teacher in teachers})
