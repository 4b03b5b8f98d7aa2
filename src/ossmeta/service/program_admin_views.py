"""What a program admin sees of a year: its phases and deadlines, its members, how many rows
each table holds, the current matching with the independent checker's verdict (infeasible
entries, blocking pairs with their case, the override), and the audit.

Every view takes the caller's ``Access`` and refuses a login without the admin role
(``ForbiddenError``); the API and the web pages render the same dictionaries. The verdict is
computed again from the tables as they are now, so an import after the matching shows up as
the problems it causes rather than as a stale "ok"."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ossmeta.analyses.program import InstanceError, Matching, check
from ossmeta.service.program import year_in
from ossmeta.service.program_access import Access
from ossmeta.service.program_selection import load_instance
from ossmeta.store import program_rows as rows_store
from ossmeta.store.engine import Store
from ossmeta.store.program import AuditEntry, Year, newest_audit
from ossmeta.store.program_matchings import StoredMatching, current_matching
from ossmeta.store.program_members import (
    Member,
    Named,
    members_of,
    read_communities,
    read_universities,
)
from ossmeta.store.tenancy import Transaction, global_transaction

__all__ = [
    "admin_overview",
    "audit_page",
    "audit_row",
    "matching_view",
    "members_view",
    "year_row",
]

#: Audit entries the overview shows; the rest are a page away (``audit_page``).
RECENT_AUDIT = 20


def year_row(year: Year) -> dict[str, Any]:
    return {
        "name": year.name,
        "phase": year.current.name,
        "deadline": year.current.deadline.isoformat() if year.current.deadline else None,
        "phases": [
            {
                "name": p.name,
                "deadline": p.deadline.isoformat() if p.deadline else None,
                "current": p.position == year.phase,
            }
            for p in year.phases
        ],
        "seed": year.seed,
        "tie_rule": year.tie_rule,
        "max_choices": year.max_choices,
        "rules": dict(year.rules),
    }


def audit_row(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "detail": entry.detail,
    }


def _counts(connection: Transaction, year: Year) -> dict[str, int]:
    people = Counter(p.role for p in rows_store.read_people(connection, year.id))
    applications = rows_store.read_applications(connection, year.id)
    return {
        "projects": len(rows_store.read_projects(connection, year.id)),
        "mentors": people["mentor"],
        "teachers": people["teacher"],
        "students": people["student"],
        "tasks": len(rows_store.read_tasks(connection, year.id)),
        "pairs": len({a.pair for a in applications}),
        "applications": len(applications),
        "rankings": len(rows_store.read_rankings(connection, year.id)),
    }


def _orgs(named: list[Named], keys: set[str]) -> list[dict[str, str]]:
    """Every community (or university) the year names or its tables use, by key; a key
    without a name stands for its name."""
    names = {n.key: n for n in named}
    return [
        {
            "key": key,
            "name": names[key].name if key in names else key,
            "name_zh": (names[key].name_zh or names[key].name) if key in names else key,
        }
        for key in sorted(keys | set(names))
    ]


def _matching(connection: Transaction, year: Year, stored: StoredMatching) -> dict[str, Any]:
    try:
        instance = load_instance(connection, year)
        verdict = check(instance, Matching(instance, stored.assignment, stored.seed))
        problems = [{"code": p.code, "subject": p.subject} for p in verdict.problems]
        blocking = [{"pair": b.pair, "task": b.task, "case": b.case} for b in verdict.blocking]
        pairs = [p.id for p in instance.pairs]
    except InstanceError as error:  # the tables no longer form an instance at all
        problems, blocking, pairs = [{"code": "instance", "subject": error.message}], [], []
    return {
        "id": stored.id,
        "variant": stored.variant,
        "seed": stored.seed,
        "created_at": stored.created_at.isoformat(),
        "created_by": stored.created_by,
        "override": stored.override,
        "published_at": stored.published_at.isoformat() if stored.published_at else None,
        "assignment": [
            {"pair": pair, "task": task} for pair, task in sorted(stored.assignment.items())
        ],
        "unmatched": sorted(p for p in pairs if p not in stored.assignment),
        "verdict": {
            "ok": not problems and not blocking,
            "problems": problems,
            "blocking": blocking,
        },
    }


def matching_view(store: Store, year_name: str | None, access: Access) -> dict[str, Any] | None:
    """The current matching with the checker's verdict on it now; None before the first."""
    access.require_admin()
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        stored = current_matching(connection, year.id)
        return None if stored is None else _matching(connection, year, stored)


def admin_overview(store: Store, year_name: str | None, access: Access) -> dict[str, Any]:
    """The admin's page in one answer: the year, members, counts, matching, recent audit."""
    access.require_admin()
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        stored = current_matching(connection, year.id)
        audit = newest_audit(connection, year.id, before=None, limit=RECENT_AUDIT)
        return {
            "year": year_row(year),
            "members": [
                {"login": m.login, "role": m.role, "subject": m.subject}
                for m in members_of(connection, year.id)
            ],
            "counts": _counts(connection, year),
            "communities": _orgs(
                read_communities(connection, year.id),
                {p.community for p in rows_store.read_projects(connection, year.id)},
            ),
            "universities": _orgs(
                read_universities(connection, year.id),
                {p.university for p in rows_store.read_people(connection, year.id) if p.university},
            ),
            "matching": None if stored is None else _matching(connection, year, stored),
            "audit": [audit_row(e) for e in audit],
        }


def audit_page(
    store: Store, year_name: str | None, access: Access, *, before: int | None, limit: int
) -> list[AuditEntry]:
    """The audit newest first, from below the entry id ``before`` (None: the newest);
    at most ``limit`` entries."""
    access.require_admin()
    with global_transaction(store) as connection:
        year_id = year_in(connection, year_name).id
        return newest_audit(connection, year_id, before=before, limit=limit)


def members_view(store: Store, year_name: str | None, access: Access) -> list[Member]:
    """The year's members by login, role and subject."""
    access.require_admin()
    with global_transaction(store) as connection:
        return members_of(connection, year_in(connection, year_name).id)
