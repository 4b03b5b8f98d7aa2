"""The defense (program issue §4): the year's rubric, reviewers assigned to matched pairs,
each reviewer's scores, and the published aggregation rule (``DEFENSE_RULE``).

Conflict of interest: a reviewer is never assigned to, and never scores, a pair whose task's
project belongs to the reviewer's community (the subject of their ``reviewer`` role), nor a
pair whose mentor or teacher they are. An ended pair takes no part."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

from ossmeta.analyses.program.rubric import (
    DEFENSE_RULE,
    Criterion,
    check_scores,
    parse_rubric,
    rank,
    reviewer_score,
)
from ossmeta.analyses.program_evidence import Evidence
from ossmeta.errors import ForbiddenError, InputError, NotFoundError
from ossmeta.service.program import require_phase, year_in
from ossmeta.service.program_access import Access
from ossmeta.service.program_evidence import EvidenceRequest, program_evidence
from ossmeta.service.program_midterm import MatchedPair, matched_pairs
from ossmeta.store import program_rows as rows_store
from ossmeta.store.engine import Store
from ossmeta.store.program import Year, add_audit
from ossmeta.store.program_defense import (
    add_reviewer,
    read_assignments,
    read_scores,
    remove_reviewer,
    save_score,
)
from ossmeta.store.program_matchings import current_matching
from ossmeta.store.program_members import roles_of
from ossmeta.store.program_midterm import (
    ended_pairs,
    read_config_text,
    save_config_text,
)
from ossmeta.store.tenancy import Transaction, global_transaction

__all__ = [
    "DEFENSE_RULE",
    "assign_reviewer",
    "conflict_of",
    "defended_pair",
    "defense_evidence",
    "defense_results",
    "reviewer_pairs",
    "rubric",
    "score_pair",
    "set_rubric",
    "unassign_reviewer",
]


def _rubric(connection: Transaction, year: Year) -> tuple[Criterion, ...]:
    text = read_config_text(connection, year.id, "rubric")
    return () if text is None else parse_rubric(text, "rubric")


def rubric(store: Store, year_name: str | None) -> tuple[Criterion, ...]:
    """The year's rubric (empty until an admin sets one)."""
    with global_transaction(store) as connection:
        return _rubric(connection, year_in(connection, year_name))


def set_rubric(
    store: Store, year_name: str | None, access: Access, text: str, where: str, now: datetime
) -> tuple[Criterion, ...]:
    """Configure the year's rubric (admins; audited); refused once a reviewer has scored."""
    access.require_admin()
    criteria = parse_rubric(text, where)
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        if read_scores(connection, year.id):
            raise InputError(f"program {year.name}: reviewers have scored; the rubric stays")
        save_config_text(connection, year.id, "rubric", text, access.login, now)
        detail = {"criteria": [c.key for c in criteria]}
        add_audit(connection, year.id, access.login, "defense rubric", detail, now)
    return criteria


def conflict_of(connection: Transaction, year: Year, pair: MatchedPair, login: str) -> str | None:
    """Why ``login`` may not review ``pair`` (None: no conflict). Raises when the login is
    not a reviewer of the year at all."""
    members = roles_of(connection, year.id, login)
    communities = {m.subject for m in members if m.role == "reviewer"}
    if not any(m.role == "reviewer" for m in members):
        raise InputError(f"{login} is not a reviewer of program {year.name}")
    if pair.community and pair.community in communities:
        return f"{login} belongs to community {pair.community}, whose project {pair.project} it is"
    # The pair's mentor or teacher: by the program role, or by the login among the person's
    # registered identities (a reviewer account nobody gave the mentor role).
    people = {(p.role, p.key): p for p in rows_store.read_people(connection, year.id)}
    for role, key in (("mentor", pair.mentor), ("teacher", pair.teacher)):
        person = people.get((role, key))
        named = {i.casefold() for i in person.identities} if person else set()
        if f"login:{login}".casefold() in named or any(
            m.role == role and m.subject == key for m in members
        ):
            return f"{login} is the pair's {role}"
    return None


def _live_pair(connection: Transaction, year: Year, pair: str) -> MatchedPair:
    found = matched_pairs(connection, year).get(pair)
    if found is None:
        raise NotFoundError(
            f"pair {pair!r} holds no task in program {year.name}'s published result"
        )
    if pair in ended_pairs(connection, year.id):
        raise InputError(f"pair {pair} was ended; it takes no further part")
    return found


def assign_reviewer(
    store: Store, year_name: str | None, access: Access, pair: str, reviewer: str, now: datetime
) -> bool:
    """Assign ``reviewer`` (a login) to ``pair`` (admins; audited). False when assigned
    already; an ``InputError`` when the conflict-of-interest rule forbids it."""
    access.require_admin()
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        require_phase(year, "assign reviewers", now)
        matched = _live_pair(connection, year, pair)
        conflict = conflict_of(connection, year, matched, reviewer)
        if conflict is not None:
            raise InputError(f"pair {pair}: conflict of interest: {conflict}")
        added = add_reviewer(connection, year.id, pair, reviewer, access.login, now)
        if added:
            detail = {"pair": pair, "reviewer": reviewer}
            add_audit(connection, year.id, access.login, "assign reviewer", detail, now)
        return added


def unassign_reviewer(
    store: Store, year_name: str | None, access: Access, pair: str, reviewer: str, now: datetime
) -> bool:
    """Take ``reviewer`` off ``pair``, with the scores they gave it (admins; audited, in the
    phases reviewers are assigned in). False when they were not assigned."""
    access.require_admin()
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        require_phase(year, "assign reviewers", now)
        removed = remove_reviewer(connection, year.id, pair, reviewer)
        if removed:
            detail = {"pair": pair, "reviewer": reviewer}
            add_audit(connection, year.id, access.login, "unassign reviewer", detail, now)
        return removed


def score_pair(
    store: Store,
    year_name: str | None,
    access: Access,
    pair: str,
    scores: Mapping[str, object],
    now: datetime,
) -> Fraction:
    """Record (or replace) the scores of the reviewer ``access.login`` for ``pair``; the
    reviewer's number (0 to 100). Only an assigned reviewer without a conflict, in phase
    ``defense``."""
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        if not any(m.role == "reviewer" for m in access.members):
            raise ForbiddenError(f"{access.login} is not a reviewer of program {year.name}")
        require_phase(year, "score", now)
        matched = _live_pair(connection, year, pair)
        assigned = {a.reviewer for a in read_assignments(connection, year.id) if a.pair == pair}
        if access.login not in assigned:
            raise ForbiddenError(f"{access.login} is not assigned to review pair {pair}")
        conflict = conflict_of(connection, year, matched, access.login)
        if conflict is not None:
            raise ForbiddenError(f"pair {pair}: conflict of interest: {conflict}")
        criteria = _rubric(connection, year)
        if not criteria:
            raise InputError(
                f"program {year.name} has no rubric yet (ossmeta program defense rubric)"
            )
        checked = check_scores(criteria, scores)
        save_score(connection, year.id, pair, access.login, checked, now)
        number = reviewer_score(criteria, checked)
        detail = {"pair": pair, "scores": {k: str(v) for k, v in checked.items()}}
        add_audit(connection, year.id, access.login, "score", detail, now)
        return number


def _number(value: Fraction) -> float:
    return round(float(value), 2)


def _scored(connection: Transaction, year: Year) -> tuple[dict[str, list[Fraction]], Any]:
    criteria = _rubric(connection, year)
    ended = ended_pairs(connection, year.id)
    scores = [s for s in read_scores(connection, year.id) if s.pair not in ended]
    numbers: dict[str, list[Fraction]] = defaultdict(list)
    for score in scores:
        if criteria and all(c.key in score.scores for c in criteria):
            numbers[score.pair].append(reviewer_score(criteria, score.scores))
    return numbers, scores


def defense_results(
    store: Store, year_name: str | None, *, with_reviewers: bool = False
) -> dict[str, Any]:
    """The rule, the rubric and each defended pair's score, reviewer count and rank (with
    ``with_reviewers``, for admins: each reviewer's number too)."""
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        criteria = _rubric(connection, year)
        numbers, scores = _scored(connection, year)
        assigned = read_assignments(connection, year.id)
    pairs = []
    for ranked in rank(numbers):
        entry: dict[str, Any] = {
            "pair": ranked.subject,
            "score": _number(ranked.score),
            "exact": str(ranked.score),
            "reviewers": ranked.reviewers,
            "rank": ranked.rank,
        }
        if with_reviewers:
            entry["by_reviewer"] = {
                s.reviewer: _number(reviewer_score(criteria, s.scores))
                for s in scores
                if s.pair == ranked.subject
            }
        pairs.append(entry)
    return {
        "year": year.name,
        "rule": DEFENSE_RULE,
        "rubric": [
            {
                "key": c.key,
                "label": c.label,
                "label_zh": c.label_zh,
                "weight": float(c.weight),
                "max": float(c.max),
            }
            for c in criteria
        ],
        "assignments": len(assigned) if with_reviewers else None,
        "pairs": pairs,
    }


def defended_pair(store: Store, year_name: str | None, pair: str) -> dict[str, Any]:
    """The public facts of one defended pair: its task, people, score and reviewer count."""
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        numbers, _ = _scored(connection, year)
        matched = matched_pairs(connection, year).get(pair)
        published = None
        if matched is not None:
            stored = current_matching(connection, year.id, published=True)
            published = stored.published_at if stored else None
    if matched is None or not numbers.get(pair):
        raise NotFoundError(f"pair {pair!r} has no defense in program {year.name}")
    ranked = {r.subject: r for r in rank(numbers)}[pair]
    return {
        "year": year.name,
        "pair": pair,
        "student": matched.student,
        "teacher": matched.teacher,
        "task": matched.task,
        "title": matched.title,
        "mentor": matched.mentor,
        "project": matched.project,
        "community": matched.community,
        "repository": matched.repository,
        "score": _number(ranked.score),
        "reviewers": ranked.reviewers,
        "rank": ranked.rank,
        "rule": DEFENSE_RULE,
        "published_at": published,
    }


def reviewer_pairs(store: Store, year_name: str | None, access: Access) -> list[dict[str, Any]]:
    """The pairs assigned to the reviewer ``access.login``, with the scores they gave."""
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        matched = matched_pairs(connection, year)
        ended = ended_pairs(connection, year.id)
        mine = [a.pair for a in read_assignments(connection, year.id) if a.reviewer == access.login]
        given = {
            s.pair: s.scores for s in read_scores(connection, year.id) if s.reviewer == access.login
        }
    return [
        {
            "pair": pair,
            "task": matched[pair].task,
            "title": matched[pair].title,
            "ended": pair in ended,
            "scores": {k: float(v) for k, v in given.get(pair, {}).items()},
        }
        for pair in mine
        if pair in matched
    ]


def defense_evidence(
    store: Store, year_name: str | None, pair: str, root: Path, now: datetime
) -> Evidence:
    """The student's upstream contributions to the task's repository, from the published
    result (the announcement) until ``now``; an ``InputError`` says why there are none (no
    repository, no identities, an unreadable activity store)."""
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        matched = matched_pairs(connection, year).get(pair)
        stored = current_matching(connection, year.id, published=True)
        people = {(p.role, p.key): p for p in rows_store.read_people(connection, year.id)}
    if matched is None or stored is None or stored.published_at is None:
        raise NotFoundError(f"pair {pair!r} holds no task in program {year.name}")
    if not matched.repository:
        raise InputError(f"task {matched.task} names no repository")
    student = people.get(("student", matched.student))
    mentor = people.get(("mentor", matched.mentor))
    request = EvidenceRequest(
        matched.repository.removeprefix("https://").removeprefix("http://"),
        student.identities if student else (),
        mentor.identities if mentor else (),
        stored.published_at,
        stored.published_at,
        max(now, stored.published_at + timedelta(seconds=1)),
    )
    return program_evidence(store, root, request)
