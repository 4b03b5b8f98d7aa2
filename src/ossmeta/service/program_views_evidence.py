"""A matched pair's evidence for the program's API and pages: the student's upstream
contributions to the task's repository (``program_evidence``), with the program's window.

The window: results announced when the matching was published, work counted from then until
the deadline of the year's last phase (or until now when that phase has none). The student's
and the mentor's identities are the ones registered with the program (``login:``/``email:``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ossmeta.analyses.program_evidence import Contribution, Evidence
from ossmeta.errors import NotFoundError, UsageError
from ossmeta.service.program import year_in
from ossmeta.service.program_access import Access
from ossmeta.service.program_evidence import EvidenceRequest, program_evidence
from ossmeta.store import program_rows as rows_store
from ossmeta.store.engine import Store
from ossmeta.store.program_matchings import current_matching
from ossmeta.store.tenancy import global_transaction
from ossmeta.times import utc_text

__all__ = ["evidence_document", "hours_of", "pair_evidence"]


def hours_of(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 2)


def _item(item: Contribution) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "id": item.id,
        "at": utc_text(item.at),
        "url": item.url,
        "number": item.number,
        "title": item.title,
        "identity": item.who,
    }


def evidence_document(found: Evidence, *, identities: bool = False) -> dict[str, Any]:
    """The evidence as the CLI's JSON, the API and the pages give it (times ISO 8601 UTC,
    waits in hours); ``identities`` adds the student's and mentor's matched logins and
    e-mails (the operator's CLI; the API leaves them out)."""
    responsiveness = found.responsiveness
    document: dict[str, Any] = {
        "repository": found.repository,
        "announced": utc_text(found.window.announced),
        "from": utc_text(found.window.start),
        "to": utc_text(found.window.end),
        "totals": dict(found.totals),
        "contributions": [_item(i) for i in found.counted],
        "before_announcement": [_item(i) for i in found.before_announcement],
        "outside_window": [_item(i) for i in found.outside_window],
        "mentor_commits": [
            {
                "pull_number": c.pull_number,
                "pull_url": c.pull_url,
                "sha": c.sha,
                "author_email": c.author_email,
                "at": utc_text(c.at),
            }
            for c in found.mentor_commits
        ],
        "unchecked_pulls": list(found.unchecked_pulls),
        "mentor_responsiveness": {
            "median_hours": hours_of(responsiveness.median),
            "max_hours": hours_of(responsiveness.max),
            "unanswered": responsiveness.unanswered,
            "pulls": [
                {
                    "number": r.pull_number,
                    "url": r.pull_url,
                    "opened_at": utc_text(r.opened_at),
                    "first_response_at": utc_text(r.first_response_at),
                    "hours": hours_of(r.waited),
                }
                for r in responsiveness.responses
            ],
        },
    }
    if identities:
        document["student"] = {
            "logins": sorted(found.student.logins),
            "emails": sorted(found.student.emails),
        }
        document["mentor"] = {
            "logins": sorted(found.mentor.logins),
            "emails": sorted(found.mentor.emails),
        }
    return document


def pair_evidence(
    store: Store, root: Path, access: Access, pair: str, now: datetime
) -> dict[str, Any]:
    """The evidence of a matched pair, for its student, its teacher, its task's mentor or an
    admin. ``NotFoundError`` before publication or for an unmatched pair."""
    with global_transaction(store) as connection:
        year = year_in(connection, access.year.name)
        published = current_matching(connection, year.id, published=True)
        mine = [a for a in rows_store.read_applications(connection, year.id) if a.pair == pair]
        if not mine:
            raise NotFoundError(f"no pair {pair!r} in program {year.name}")
        student, teacher = mine[0].student, mine[0].teacher
        task_key = None if published is None else published.assignment.get(pair)
        tasks = {t.key: t for t in rows_store.read_tasks(connection, year.id)}
        task = tasks.get(task_key) if task_key else None
        if not (
            access.holds("student", student)
            or access.holds("teacher", teacher)
            or (task is not None and access.holds("mentor", task.mentor))
        ):
            access.require("student", student)
        if published is None or published.published_at is None or task is None:
            raise NotFoundError(f"pair {pair} has no published task in program {year.name}")
        projects = {p.key: p.repository for p in rows_store.read_projects(connection, year.id)}
        people = {(p.role, p.key): p for p in rows_store.read_people(connection, year.id)}
    repository = projects.get(task.project, "")
    if not repository:
        raise NotFoundError(f"task {task.key} names no repository, so it has no evidence")
    student_ids = people[("student", student)].identities if ("student", student) in people else ()
    mentor_ids = (
        people[("mentor", task.mentor)].identities if ("mentor", task.mentor) in people else ()
    )
    if not student_ids or not mentor_ids:
        raise NotFoundError(
            f"pair {pair}: the student or the mentor registered no upstream identity"
        )
    end = year.phases[-1].deadline or now
    announced = published.published_at
    request = EvidenceRequest(
        repository, student_ids, mentor_ids, announced, announced, max(end, announced)
    )
    try:
        found = program_evidence(store, root, request)
    except UsageError as error:
        raise NotFoundError(f"pair {pair}: {error}") from None
    return {"pair": pair, "task": task.key, "mentor": task.mentor, **evidence_document(found)}
