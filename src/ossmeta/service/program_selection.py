"""The two-way selection of a program year, from the stored applications and rankings:
run the matching, check it with the independent checker, let an admin edit it (a blocking
pair needs an explicit override with a reason), publish it, and read the results with each
pair's explanation. Every change is audited."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ossmeta.analyses.program import (
    Instance,
    Matching,
    Mentor,
    Pair,
    Task,
    Verdict,
    check,
    explain,
    solve_mentor_optimal,
    solve_pair_optimal,
)
from ossmeta.errors import InputError, NotFoundError
from ossmeta.service.program import require_phase, year_in
from ossmeta.store import program_rows as rows_store
from ossmeta.store.engine import Store
from ossmeta.store.program import Year, add_audit
from ossmeta.store.program_matchings import (
    StoredMatching,
    add_matching,
    current_matching,
    publish_matching,
)
from ossmeta.store.tenancy import Transaction, global_transaction

__all__ = ["Checked", "check_current", "edit_matching", "publish", "results", "run_matching"]

NONE = "none"  # the TASK of an edit that leaves the pair unmatched


@dataclass(frozen=True)
class Checked:
    year: Year
    matching: StoredMatching
    verdict: Verdict


def load_instance(connection: Transaction, year: Year) -> Instance:
    """The instance the stored tables describe (``InstanceError`` when they disagree)."""
    by_pair: dict[str, list[rows_store.ApplicationRow]] = defaultdict(list)
    for app in rows_store.read_applications(connection, year.id):
        by_pair[app.pair].append(app)
    pairs = tuple(
        Pair(
            pair,
            tuple(a.task for a in sorted(apps, key=lambda a: a.rank)),
            apps[0].student,
            apps[0].teacher,
        )
        for pair, apps in by_pair.items()
    )
    tasks = tuple(
        Task(t.key, t.mentor, t.capacity) for t in rows_store.read_tasks(connection, year.id)
    )
    tiers: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for ranking in rows_store.read_rankings(connection, year.id):
        tiers[ranking.mentor][ranking.rank].append(ranking.pair)
    mentors = tuple(
        Mentor(
            p.key,
            p.capacity or 1,
            tuple(tuple(tiers[p.key][r]) for r in sorted(tiers[p.key])),
        )
        for p in rows_store.read_people(connection, year.id)
        if p.role == "mentor"
    )
    return Instance(pairs, tasks, mentors, year.max_choices)


def _store(
    connection: Transaction,
    year: Year,
    matching: Matching,
    verdict: Verdict,
    variant: str,
    override: str | None,
    actor: str,
    now: datetime,
) -> StoredMatching:
    matching_id = add_matching(
        connection,
        year.id,
        variant=variant,
        seed=matching.seed,
        assignment=matching.assignment,
        problems=[(p.code, p.subject) for p in verdict.problems],
        blocking=[(b.pair, b.task, b.case) for b in verdict.blocking],
        override=override,
        actor=actor,
        now=now,
    )
    stored = current_matching(connection, year.id)
    assert stored is not None and stored.id == matching_id
    return stored


def run_matching(
    store: Store, year_name: str | None, *, mentor_optimal: bool, actor: str, now: datetime
) -> Checked:
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        require_phase(year, "match", now)
        instance = load_instance(connection, year)
        solve = solve_mentor_optimal if mentor_optimal else solve_pair_optimal
        matching = solve(instance, year.seed)
        verdict = check(instance, matching)
        variant = "mentor_optimal" if mentor_optimal else "pair_optimal"
        stored = _store(connection, year, matching, verdict, variant, None, actor, now)
        add_audit(
            connection,
            year.id,
            actor,
            "match",
            {"matching": stored.id, "variant": variant, "seed": year.seed, "ok": verdict.ok},
            now,
        )
        return Checked(year, stored, verdict)


def _current(connection: Transaction, year: Year) -> StoredMatching:
    found = current_matching(connection, year.id)
    if found is None:
        raise NotFoundError(f"program {year.name} has no matching yet (ossmeta program match)")
    return found


def check_current(store: Store, year_name: str | None, now: datetime) -> Checked:
    """Re-check the current matching against the stored tables as they are now."""
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        require_phase(year, "check", now)
        stored = _current(connection, year)
        instance = load_instance(connection, year)
        verdict = check(instance, Matching(instance, stored.assignment, stored.seed))
        return Checked(year, stored, verdict)


def edit_matching(
    store: Store,
    year_name: str | None,
    pair: str,
    task: str,
    *,
    override: str | None,
    actor: str,
    now: datetime,
) -> Checked:
    """Give ``pair`` the task ``task`` (``none``: no task). The result must be feasible; a
    result with blocking pairs is kept only with an override reason."""
    if override is not None and not override.strip():
        raise InputError("--override needs a reason")
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        require_phase(year, "edit", now)
        stored = _current(connection, year)
        instance = load_instance(connection, year)
        if pair not in {p.id for p in instance.pairs}:
            raise InputError(f"no pair {pair!r} in program {year.name}")
        assignment = dict(stored.assignment)
        if task == NONE:
            assignment.pop(pair, None)
        else:
            assignment[pair] = task
        verdict = check(instance, Matching(instance, assignment, stored.seed))
        if verdict.problems:
            first = verdict.problems[0]
            raise InputError(f"the edit is not feasible: {first.code} {first.subject}")
        if verdict.blocking and override is None:
            shown = ", ".join(f"{b.pair}→{b.task} ({b.case})" for b in verdict.blocking[:5])
            raise InputError(
                f"the edit leaves {len(verdict.blocking)} blocking pair(s): {shown}; keep it "
                "only with --override REASON"
            )
        reason = override.strip() if override and verdict.blocking else None
        edited = _store(
            connection,
            year,
            Matching(instance, assignment, stored.seed),
            verdict,
            "edit",
            reason,
            actor,
            now,
        )
        add_audit(
            connection,
            year.id,
            actor,
            "edit",
            {
                "matching": edited.id,
                "from_matching": stored.id,
                "pair": pair,
                "from": stored.assignment.get(pair),
                "to": None if task == NONE else task,
                "blocking": [[b.pair, b.task, b.case] for b in verdict.blocking],
                "override": reason,
            },
            now,
        )
        return Checked(year, edited, verdict)


def publish(store: Store, year_name: str | None, actor: str, now: datetime) -> StoredMatching:
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        require_phase(year, "publish", now)
        stored = _current(connection, year)
        instance = load_instance(connection, year)
        verdict = check(instance, Matching(instance, stored.assignment, stored.seed))
        if verdict.problems:
            raise InputError(
                "the tables changed since the matching and it is no longer feasible; run "
                "ossmeta program match again"
            )
        if verdict.blocking and not stored.override:
            raise InputError("the matching has blocking pairs and no override; match again")
        publish_matching(connection, stored.id, now)
        add_audit(connection, year.id, actor, "publish", {"matching": stored.id}, now)
        published = current_matching(connection, year.id, published=True)
        assert published is not None
        return published


def results(store: Store, year_name: str | None) -> dict[str, Any]:
    """The published result: per pair its task or none and why; the tasks with room."""
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        stored = current_matching(connection, year.id, published=True)
        if stored is None:
            raise NotFoundError(f"program {year.name} has published no results yet")
        instance = load_instance(connection, year)
    matching = Matching(instance, stored.assignment, stored.seed)
    explained = explain(instance, matching)
    held = Counter(stored.assignment.values())
    mentor_of = {t.id: t.mentor for t in instance.tasks}
    mentor_held = Counter(mentor_of[t] for t in stored.assignment.values())
    room = [
        {"task": t.id, "mentor": t.mentor, "free": t.capacity - held[t.id]}
        for t in instance.tasks
        if held[t.id] < t.capacity and mentor_held[t.mentor] < instance.mentor(t.mentor).capacity
    ]
    pairs = []
    for pair in instance.pairs:
        e = explained[pair.id]
        pairs.append(
            {
                "pair": pair.id,
                "student": pair.student,
                "teacher": pair.teacher,
                "task": e.task,
                "choice": e.choice,
                "message_key": e.message_key,
                "reasons": [
                    {
                        "task": r.task,
                        "choice": r.choice,
                        "code": r.code,
                        "count": r.count,
                        "message_key": r.message_key,
                    }
                    for r in e.reasons
                ],
                "open_tasks": list(e.open_tasks),
            }
        )
    return {
        "year": year.name,
        "matching": stored.id,
        "variant": stored.variant,
        "seed": stored.seed,
        "tie_rule": year.tie_rule,
        "override": stored.override,
        "published_at": stored.published_at.isoformat() if stored.published_at else None,
        "pairs": pairs,
        "tasks_with_room": room,
    }
