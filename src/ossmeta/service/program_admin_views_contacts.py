"""What a community contact and a university admin see of a program year.

A community contact sees its projects and their tasks with how many pairs applied to each,
and, once the result is published, the pairs matched to its tasks. A university admin sees
its teachers and students, the pairs they form with each pair's ranked applications, and,
once published, each pair's result. Names come from ``program_communities`` /
``program_universities`` when imported there, else the key stands for the name."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ossmeta.errors import NotFoundError
from ossmeta.service.program import year_in
from ossmeta.service.program_access import Access
from ossmeta.store import program_rows as rows_store
from ossmeta.store.engine import Store
from ossmeta.store.program_matchings import current_matching
from ossmeta.store.program_members import Named, read_communities, read_universities
from ossmeta.store.tenancy import global_transaction

__all__ = ["community_view", "university_view"]


def _named(found: list[Named], key: str) -> dict[str, str]:
    for named in found:
        if named.key == key:
            return {"key": key, "name": named.name or key, "name_zh": named.name_zh or named.name}
    return {"key": key, "name": key, "name_zh": key}


def community_view(store: Store, year_name: str | None, access: Access, key: str) -> dict[str, Any]:
    access.require("community", key)
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        names = read_communities(connection, year.id)
        projects = [p for p in rows_store.read_projects(connection, year.id) if p.community == key]
        if not projects and all(n.key != key for n in names):
            raise NotFoundError(f"no community {key!r} in program {year.name}")
        mine = {p.key for p in projects}
        tasks = [t for t in rows_store.read_tasks(connection, year.id) if t.project in mine]
        applicants: dict[str, set[str]] = defaultdict(set)
        pairs: dict[str, tuple[str, str]] = {}
        for app in rows_store.read_applications(connection, year.id):
            applicants[app.task].add(app.pair)
            pairs[app.pair] = (app.student, app.teacher)
        published = current_matching(connection, year.id, published=True)
    task_keys = {t.key for t in tasks}
    matched = (
        None
        if published is None
        else [
            {"pair": pair, "student": pairs[pair][0], "teacher": pairs[pair][1], "task": task}
            for pair, task in sorted(published.assignment.items())
            if task in task_keys and pair in pairs
        ]
    )
    return {
        "year": year.name,
        "community": _named(names, key),
        "projects": [{"key": p.key, "repository": p.repository} for p in projects],
        "tasks": [
            {
                "key": t.key,
                "project": t.project,
                "title": t.title,
                "mentor": t.mentor,
                "capacity": t.capacity,
                "applicants": len(applicants[t.key]),
            }
            for t in tasks
        ],
        "published": published is not None,
        "matched": matched,
    }


def university_view(
    store: Store, year_name: str | None, access: Access, key: str
) -> dict[str, Any]:
    access.require("university", key)
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        names = read_universities(connection, year.id)
        people = [p for p in rows_store.read_people(connection, year.id) if p.university == key]
        if not people and all(n.key != key for n in names):
            raise NotFoundError(f"no university {key!r} in program {year.name}")
        titles = {t.key: t.title for t in rows_store.read_tasks(connection, year.id)}
        ours = {(p.role, p.key) for p in people}
        choices: dict[str, list[dict[str, Any]]] = defaultdict(list)
        members: dict[str, tuple[str, str]] = {}
        for app in rows_store.read_applications(connection, year.id):
            if ("student", app.student) in ours or ("teacher", app.teacher) in ours:
                members[app.pair] = (app.student, app.teacher)
                choices[app.pair].append(
                    {"rank": app.rank, "task": app.task, "title": titles.get(app.task, "")}
                )
        published = current_matching(connection, year.id, published=True)
    return {
        "year": year.name,
        "university": _named(names, key),
        "teachers": [{"key": p.key, "name": p.name} for p in people if p.role == "teacher"],
        "students": [{"key": p.key, "name": p.name} for p in people if p.role == "student"],
        "pairs": [
            {
                "pair": pair,
                "student": members[pair][0],
                "teacher": members[pair][1],
                "choices": sorted(choices[pair], key=lambda c: int(c["rank"])),
                "task": None if published is None else published.assignment.get(pair),
            }
            for pair in sorted(members)
        ],
        "published": published is not None,
    }
