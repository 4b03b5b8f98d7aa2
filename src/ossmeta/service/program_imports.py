"""Import and export of a program year's tables (CSV or XLSX), each in its phase.

Columns (first row; any order; extra columns ignored):

* communities: ``community_id, name`` [``name_zh``]; universities: ``university_id, name``
  [``name_zh``]. Once a year has them, a project's ``community`` and a person's
  ``university`` must name one of them (and a new list must keep every key in use);
* projects: ``project_id, community, repository`` (``host/owner/name`` or a URL);
* mentors: ``mentor_id, capacity`` [``name, identities``];
* people: ``role`` (teacher|student), ``person_id`` [``name, university, identities``];
* tasks: ``task_id, mentor_id, capacity`` [``project_id, title, description, difficulty,
  skills, outcome, ai_policy``];
* applications and rankings: as :mod:`ossmeta.analyses.program.files` reads them.

``identities`` lists ``login:NAME`` / ``email:ADDRESS`` separated by ``;`` or spaces. An
import replaces the year's rows of its kind; every mistake names the file and line.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from ossmeta.analyses.program.files import (
    APPLICATION_COLUMNS,
    RANKING_COLUMNS,
    read_applications,
    read_rankings,
)
from ossmeta.analyses.program.tables import Row, TableError, read_rows, write_rows
from ossmeta.errors import InputError
from ossmeta.normalizers.identities import parse_identity
from ossmeta.normalizers.repos import canonical_repo_url
from ossmeta.service.program import get_year, require_phase, year_in
from ossmeta.service.program_committers import committer_reasons
from ossmeta.service.program_rules import check_applications
from ossmeta.store import program_rows as rows_store
from ossmeta.store.engine import Store
from ossmeta.store.program import Year, add_audit
from ossmeta.store.program_members import (
    Named,
    read_communities,
    read_universities,
    replace_communities,
    replace_universities,
)
from ossmeta.store.program_rows import (
    ApplicationRow,
    PersonRow,
    ProjectRow,
    RankingRow,
    TaskRow,
)
from ossmeta.store.tenancy import Transaction, global_transaction

__all__ = ["KINDS", "export_kind", "import_kind"]

KINDS = (
    "communities",
    "universities",
    "projects",
    "mentors",
    "people",
    "tasks",
    "applications",
    "rankings",
)

_TASK_TEXT = ("title", "description", "difficulty", "skills", "outcome", "ai_policy")
_COLUMNS: dict[str, tuple[str, ...]] = {
    "communities": ("community_id", "name", "name_zh"),
    "universities": ("university_id", "name", "name_zh"),
    "projects": ("project_id", "community", "repository"),
    "mentors": ("mentor_id", "capacity", "name", "identities"),
    "people": ("role", "person_id", "name", "university", "identities"),
    "tasks": ("task_id", "mentor_id", "capacity", "project_id", *_TASK_TEXT),
    "applications": APPLICATION_COLUMNS,
    "rankings": RANKING_COLUMNS,
}


def _identities(row: Row) -> tuple[str, ...]:
    found: list[str] = []
    for text in re.split(r"[;,\s]+", row.text("identities", required=False)):
        if text:
            try:
                identity = parse_identity(text)
            except InputError as error:
                raise row.error(str(error)) from None
            if identity not in found:
                found.append(identity)
    return tuple(found)


def _unique(rows: list[Row], key: str, what: str) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        ident = row.text(key)
        if ident in seen:
            raise row.error(f"{what} {ident!r} is given already on line {seen[ident]}")
        seen[ident] = row.line


def _named(kind: str, in_use: set[str], path: Path) -> list[Any]:
    key = _COLUMNS[kind][0]
    rows = list(read_rows(path, _COLUMNS[kind][:2]))
    what = kind.removesuffix("ies") + "y"
    _unique(rows, key, what)
    found = [
        Named(row.text(key), row.text("name"), row.text("name_zh", required=False)) for row in rows
    ]
    # Removing a key still in use would leave projects or people pointing at nothing.
    missing = sorted(in_use - {n.key for n in found})
    if missing:
        raise TableError(
            f"{what} {missing[0]!r} is in use by the year's "
            f"{'projects' if kind == 'communities' else 'people'} but not in this file",
            path=str(path),
        )
    return found


def _communities(connection: Transaction, year: Year, path: Path) -> list[Any]:
    used = {p.community for p in rows_store.read_projects(connection, year.id)}
    return _named("communities", used, path)


def _universities(connection: Transaction, year: Year, path: Path) -> list[Any]:
    used = {p.university for p in rows_store.read_people(connection, year.id) if p.university}
    return _named("universities", used, path)


def _known(row: Row, column: str, keys: set[str], kind: str) -> str:
    """The row's ``column``, which must be one of ``keys`` once the year lists any."""
    value = row.text(column, required=column == "community")
    if keys and value and value not in keys:
        raise row.error(f"{column} {value!r} is not one of the year's {kind} (import {kind})")
    return value


def _projects(connection: Transaction, year: Year, path: Path) -> list[Any]:
    rows = list(read_rows(path, _COLUMNS["projects"]))
    _unique(rows, "project_id", "project")
    communities = {c.key for c in read_communities(connection, year.id)}
    found = []
    for row in rows:
        _known(row, "community", communities, "communities")
        canonical = canonical_repo_url(row.text("repository")).canonical
        if canonical is None:
            raise row.error(f"{row.text('repository')!r} is not a repository (host/owner/name)")
        found.append(ProjectRow(row.text("project_id"), row.text("community"), canonical.lower()))
    return found


def _mentors(connection: Transaction, year: Year, path: Path) -> list[Any]:
    rows = list(read_rows(path, _COLUMNS["mentors"][:2]))
    _unique(rows, "mentor_id", "mentor")
    return [
        PersonRow(
            "mentor",
            row.text("mentor_id"),
            row.text("name", required=False),
            "",
            row.integer("capacity"),
            _identities(row),
        )
        for row in rows
    ]


def _people(connection: Transaction, year: Year, path: Path) -> list[Any]:
    rows = list(read_rows(path, _COLUMNS["people"][:2]))
    found: list[Any] = []
    seen: dict[tuple[str, str], int] = {}
    universities = {u.key for u in read_universities(connection, year.id)}
    for row in rows:
        role, key = row.text("role").lower(), row.text("person_id")
        if role not in ("teacher", "student"):
            raise row.error(f"role must be teacher or student, not {role!r}")
        if (role, key) in seen:
            raise row.error(f"{role} {key!r} is given already on line {seen[role, key]}")
        seen[role, key] = row.line
        name = row.text("name", required=False)
        university = _known(row, "university", universities, "universities")
        found.append(PersonRow(role, key, name, university, None, _identities(row)))
    return found


def _tasks(connection: Transaction, year: Year, path: Path) -> list[Any]:
    rows = list(read_rows(path, _COLUMNS["tasks"][:3]))
    _unique(rows, "task_id", "task")
    mentors = {p.key for p in rows_store.read_people(connection, year.id) if p.role == "mentor"}
    projects = {p.key for p in rows_store.read_projects(connection, year.id)}
    found: list[Any] = []
    for row in rows:
        mentor, project = row.text("mentor_id"), row.text("project_id", required=False)
        if mentor not in mentors:
            raise row.error(f"mentor {mentor!r} is not registered (import mentors first)")
        if project and project not in projects:
            raise row.error(f"project {project!r} is not registered (import projects first)")
        texts = [row.text(column, required=False) for column in _TASK_TEXT]
        found.append(TaskRow(row.text("task_id"), project, mentor, row.integer("capacity"), *texts))
    return found


def _applications(
    connection: Transaction,
    year: Year,
    path: Path,
    committers: dict[str, dict[str, str]] | None = None,
) -> list[Any]:
    apps = read_applications(path, max_choices=year.max_choices)
    ranks: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for app in apps:
        ranks[app.pair].append((app.rank, app.line))
    for pair, given in ranks.items():
        if sorted(r for r, _ in given) != list(range(1, len(given) + 1)):
            line = max(line for _, line in given)
            raise TableError(f"pair {pair!r}: ranks must be 1, 2, …", path=str(path), line=line)
    check_applications(
        connection,
        str(path),
        apps,
        rules=year.rules,
        people=rows_store.read_people(connection, year.id),
        tasks=rows_store.read_tasks(connection, year.id),
        projects=rows_store.read_projects(connection, year.id),
        committers=committers,
    )
    return [
        ApplicationRow(a.pair, a.student, a.teacher, a.rank, a.task, a.plan, a.timeline)
        for a in apps
    ]


def _rankings(connection: Transaction, year: Year, path: Path) -> list[Any]:
    mentor_of = {t.key: t.mentor for t in rows_store.read_tasks(connection, year.id)}
    applied = {
        (mentor_of.get(a.task), a.pair) for a in rows_store.read_applications(connection, year.id)
    }
    mentors = {m for m, _ in applied}
    found: list[Any] = []
    for ranking in read_rankings(path):
        if (ranking.mentor, ranking.pair) not in applied:
            what = "pair" if ranking.mentor in mentors else "mentor"
            raise TableError(
                f"mentor {ranking.mentor!r} ranks pair {ranking.pair!r}, which applied to none "
                f"of the mentor's tasks"
                if what == "pair"
                else f"mentor {ranking.mentor!r} has no applicants",
                path=str(path),
                line=ranking.line,
            )
        found.append(RankingRow(ranking.mentor, ranking.pair, ranking.rank))
    return found


_READERS: dict[str, Callable[[Transaction, Year, Path], list[Any]]] = {
    "communities": _communities,
    "universities": _universities,
    "projects": _projects,
    "mentors": _mentors,
    "people": _people,
    "tasks": _tasks,
    "applications": _applications,
    "rankings": _rankings,
}


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise InputError(f"unknown table {kind!r}; one of {', '.join(KINDS)}")
    return kind


def import_kind(
    store: Store,
    year_name: str | None,
    kind: str,
    path: Path,
    actor: str,
    now: datetime,
    *,
    root: Path | None = None,
) -> int:
    """Replace the year's ``kind`` rows with the file's; the number of rows imported.
    ``root``: the activity data the top committers come from (applications only)."""
    kind = _kind(kind)
    reader = _READERS[kind]
    if kind == "applications":  # the git data is read before the transaction, not in it
        year = get_year(store, year_name)
        require_phase(year, f"import {kind}", now)
        reader = partial(
            _applications, committers=committer_reasons(store, year.id, year.rules, root)
        )
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        require_phase(year, f"import {kind}", now)
        found = reader(connection, year, path)
        if kind == "communities":
            replace_communities(connection, year.id, found)
        elif kind == "universities":
            replace_universities(connection, year.id, found)
        else:
            table = "people" if kind == "mentors" else kind
            roles = {"mentors": ("mentor",), "people": ("teacher", "student")}.get(kind, ())
            rows_store.replace_rows(connection, year.id, table, found, roles=roles)
        add_audit(
            connection,
            year.id,
            actor,
            f"import {kind}",
            {"file": path.name, "rows": len(found)},
            now,
        )
        return len(found)


def export_kind(store: Store, year_name: str | None, kind: str, path: Path) -> int:
    """Write the year's ``kind`` rows in the columns import reads; the number of rows."""
    kind = _kind(kind)
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        people = rows_store.read_people(connection, year.id)
        data: list[tuple[object, ...]]
        if kind in ("communities", "universities"):
            read = read_communities if kind == "communities" else read_universities
            data = [(n.key, n.name, n.name_zh) for n in read(connection, year.id)]
        elif kind == "projects":
            data = [
                (p.key, p.community, p.repository)
                for p in rows_store.read_projects(connection, year.id)
            ]
        elif kind in ("mentors", "people"):
            data = [
                (p.key, p.capacity, p.name, "; ".join(p.identities))
                if kind == "mentors"
                else (p.role, p.key, p.name, p.university, "; ".join(p.identities))
                for p in people
                if (p.role == "mentor") == (kind == "mentors")
            ]
        elif kind == "tasks":
            data = [
                (
                    t.key,
                    t.mentor,
                    t.capacity,
                    t.project,
                    t.title,
                    t.description,
                    t.difficulty,
                    t.skills,
                    t.outcome,
                    t.ai_policy,
                )
                for t in rows_store.read_tasks(connection, year.id)
            ]
        elif kind == "applications":
            data = [
                (a.pair, a.student, a.teacher, a.rank, a.task, a.plan, a.timeline)
                for a in rows_store.read_applications(connection, year.id)
            ]
        else:
            data = [
                (r.mentor, r.pair, r.rank) for r in rows_store.read_rankings(connection, year.id)
            ]
    write_rows(path, _COLUMNS[kind], data)
    return len(data)
