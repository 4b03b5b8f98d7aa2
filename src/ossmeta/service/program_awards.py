"""Awards of a program year: the titles, each community's recommendations, the central
cross-review, the admin's certification and the public verification of an award.

- A community contact recommends at most N pairs (the titles file's ``per_community``),
  each under one title with a citation; only pairs the published matching gave a task of
  one of that community's projects, and never an ended pair (``ended_pairs``).
- A reviewer ranks the recommended pairs of the OTHER communities (never those of a
  community it belongs to: a conflict of interest); the rankings are aggregated by the
  published rule (``analyses.program.awards.aggregation_rule``).
- The admin certifies: each award is fixed with its facts and an unguessable verification
  code; a certified award can later only be revoked, with a reason.

Every change is audited."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ossmeta.analyses.program.awards import Ranked, TitlesError, aggregate, aggregation_rule
from ossmeta.analyses.program.awards import read_titles as parse_titles
from ossmeta.errors import InputError, NotFoundError
from ossmeta.service.program import require_phase, year_in
from ossmeta.service.program_access import Access
from ossmeta.store import program_awards as awards_store
from ossmeta.store import program_rows as rows_store
from ossmeta.store.engine import Store
from ossmeta.store.program import Year, add_audit
from ossmeta.store.program_awards import AwardRow, RecommendationRow, TitleRow
from ossmeta.store.program_matchings import current_matching
from ossmeta.store.program_members import read_communities, read_universities, roles_of
from ossmeta.store.program_midterm import ended_pairs
from ossmeta.store.tenancy import Transaction, global_transaction

__all__ = [
    "AwardRow",
    "EndedPairs",
    "Nomination",
    "Standing",
    "TitleRow",
    "awards",
    "certify",
    "community_pairs",
    "ended_pairs",
    "recommend",
    "recommendations",
    "review",
    "review_sheet",
    "revoke",
    "set_titles",
    "standings",
    "titles",
    "verify",
]

_MAX_CITATION = 4000

#: Which pairs of a year an admin ended (at the mid-term): they cannot be recommended nor
#: awarded. The mid-term's ``ended_pairs(connection, year_id)`` has this shape.
EndedPairs = Callable[[Transaction, int], set[str]]


@dataclass(frozen=True, slots=True)
class Nomination:
    """One pair a community recommends: under which title, and why."""

    pair: str
    title: str
    citation: str


@dataclass(frozen=True, slots=True)
class Standing:
    """A recommended pair, where the cross-review puts it, and its facts."""

    ranked: Ranked
    recommendation: RecommendationRow
    facts: dict[str, Any]


# ------------------------------------------------------------------ titles


def set_titles(
    store: Store, year_name: str | None, access: Access, text: str, where: str, now: datetime
) -> list[TitleRow]:
    """Replace the year's award titles with those of a titles file (``where`` names it in
    errors). Admins only; not once the awards are certified."""
    access.require_admin()
    try:
        parsed = parse_titles(text)
    except TitlesError as error:
        raise InputError(error.message, path=where, line=error.line) from None
    rows = [TitleRow(t.key, t.name, t.name_zh, t.per_community) for t in parsed]
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        _not_certified(connection, year)
        awards_store.replace_titles(connection, year.id, rows)
        detail = {"titles": [r.key for r in rows], "per_community": rows[0].per_community}
        add_audit(connection, year.id, access.login, "award titles", detail, now)
    return rows


def titles(store: Store, year_name: str | None) -> list[TitleRow]:
    with global_transaction(store) as connection:
        return awards_store.read_titles(connection, year_in(connection, year_name).id)


# ------------------------------------------------------------------ facts of the pairs


def _pair_facts(connection: Transaction, year: Year) -> dict[str, dict[str, Any]]:
    """Each pair the published matching gave a task: who, which task, project, community."""
    matching = current_matching(connection, year.id, published=True)
    if matching is None:
        return {}
    tasks = {t.key: t for t in rows_store.read_tasks(connection, year.id)}
    projects = {p.key: p for p in rows_store.read_projects(connection, year.id)}
    people = {(p.role, p.key): p for p in rows_store.read_people(connection, year.id)}
    communities = {c.key: c for c in read_communities(connection, year.id)}
    universities = {u.key: u for u in read_universities(connection, year.id)}
    who = {
        a.pair: (a.student, a.teacher) for a in rows_store.read_applications(connection, year.id)
    }
    facts: dict[str, dict[str, Any]] = {}
    for pair, task_key in matching.assignment.items():
        task = tasks.get(task_key)
        if task is None or pair not in who:
            continue
        project = projects.get(task.project)
        community_key = project.community if project else ""
        community = communities.get(community_key)
        student_key, teacher_key = who[pair]
        student = people.get(("student", student_key))
        teacher = people.get(("teacher", teacher_key))
        university_key = student.university if student else ""
        university = universities.get(university_key)
        facts[pair] = {
            "year": year.name,
            "pair": pair,
            "task": task.key,
            "task_title": task.title,
            "project": task.project,
            "repository": project.repository if project else "",
            "community": community_key,
            "community_name": community.name if community else community_key,
            "community_name_zh": community.name_zh if community else community_key,
            "student": student_key,
            "student_name": student.name if student else student_key,
            "teacher": teacher_key,
            "teacher_name": teacher.name if teacher else teacher_key,
            "university": university_key,
            "university_name": university.name if university else university_key,
            "university_name_zh": university.name_zh if university else university_key,
        }
    return facts


def _not_certified(connection: Transaction, year: Year) -> None:
    if awards_store.read_awards(connection, year.id):
        raise InputError(
            f"the awards of program {year.name} are certified; they can only be revoked now"
        )


# ------------------------------------------------------------------ recommendation


def recommend(
    store: Store,
    year_name: str | None,
    access: Access,
    community: str,
    nominations: Sequence[Nomination],
    now: datetime,
    *,
    ended: EndedPairs | None = None,
) -> int:
    """Record (or replace) the community's recommendations; how many. Allowed to the
    community's contact (or an admin) in the awards phase, before certification."""
    access.require("community", community)
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        require_phase(year, "recommend", now)
        _not_certified(connection, year)
        known = {t.key: t for t in awards_store.read_titles(connection, year.id)}
        if not known:
            raise InputError(f"program {year.name} has no award titles yet (award titles FILE)")
        limit = next(iter(known.values())).per_community
        if len(nominations) > limit:
            raise InputError(
                f"community {community}: at most {limit} pairs may be recommended, "
                f"not {len(nominations)}"
            )
        facts = _pair_facts(connection, year)
        gone = (ended or ended_pairs)(connection, year.id)
        seen: set[str] = set()
        rows: list[RecommendationRow] = []
        for position, nomination in enumerate(nominations, 1):
            where = f"recommendation {position} (pair {nomination.pair})"
            if nomination.pair in seen:
                raise InputError(f"{where}: the pair is recommended twice")
            seen.add(nomination.pair)
            if nomination.title not in known:
                raise InputError(
                    f"{where}: no award title {nomination.title!r} (one of {', '.join(known)})"
                )
            pair = facts.get(nomination.pair)
            if pair is None:
                raise InputError(f"{where}: the pair has no task in the published matching")
            if pair["community"] != community:
                raise InputError(f"{where}: its task is not of a project of community {community}")
            if nomination.pair in gone:
                raise InputError(f"{where}: the pair was ended and cannot be recommended")
            citation = nomination.citation.strip()
            if not citation or len(citation) > _MAX_CITATION:
                raise InputError(f"{where}: a citation of 1 to {_MAX_CITATION} characters")
            rows.append(
                RecommendationRow(
                    community, nomination.pair, nomination.title, citation, access.login, now
                )
            )
        awards_store.replace_community_recommendations(connection, year.id, community, rows)
        detail = {
            "community": community,
            "pairs": [[r.pair, r.title] for r in rows],
            "login": access.login,
        }
        add_audit(connection, year.id, access.login, "recommend", detail, now)
        return len(rows)


def community_pairs(
    store: Store, year_name: str | None, access: Access, community: str
) -> list[dict[str, Any]]:
    """The facts of the pairs the community may recommend: those the published matching gave
    a task of one of its projects (an ended pair included: ``recommend`` says why not)."""
    access.require("community", community)
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        facts = _pair_facts(connection, year)
    return [f for _, f in sorted(facts.items()) if f["community"] == community]


def recommendations(
    store: Store, year_name: str | None, access: Access, community: str | None = None
) -> list[tuple[RecommendationRow, dict[str, Any]]]:
    """The recommendations with each pair's facts: a community's contact sees its own, a
    reviewer or an admin every community's (or the one named)."""
    mine = community is not None and access.holds("community", community)
    if not mine and not access.holds("reviewer"):  # admins hold every role
        access.require("community", community or "")
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        facts = _pair_facts(connection, year)
        rows = awards_store.read_recommendations(connection, year.id)
    return [
        (r, facts.get(r.pair, {})) for r in rows if community is None or r.community == community
    ]


# ------------------------------------------------------------------ cross-review


def _reviewer_communities(connection: Transaction, year: Year, reviewer: str) -> frozenset[str]:
    held = [m for m in roles_of(connection, year.id, reviewer) if m.role == "reviewer"]
    if not held:
        raise InputError(f"{reviewer} is not a reviewer of program {year.name}")
    return frozenset(m.subject for m in held if m.subject)


def _acting_for(access: Access, reviewer: str) -> None:
    if reviewer != access.login:
        access.require_admin()  # an admin records a reviewer's ranking on its behalf


def review_sheet(
    store: Store, year_name: str | None, access: Access, reviewer: str
) -> tuple[list[tuple[RecommendationRow, dict[str, Any]]], list[str]]:
    """What ``reviewer`` may rank (the other communities' recommendations) and its current
    ranking, best first."""
    _acting_for(access, reviewer)
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        own = _reviewer_communities(connection, year, reviewer)
        facts = _pair_facts(connection, year)
        eligible = [
            (r, facts.get(r.pair, {}))
            for r in awards_store.read_recommendations(connection, year.id)
            if r.community not in own
        ]
        current = awards_store.read_cross_reviews(connection, year.id).get(reviewer, [])
    return eligible, current


def review(
    store: Store,
    year_name: str | None,
    access: Access,
    reviewer: str,
    ranking: Sequence[str],
    now: datetime,
) -> int:
    """Record (or replace) ``reviewer``'s ranking of recommended pairs, best first. A pair
    of a community the reviewer belongs to is refused (conflict of interest)."""
    _acting_for(access, reviewer)
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        require_phase(year, "cross-review", now)
        _not_certified(connection, year)
        own = _reviewer_communities(connection, year, reviewer)
        community_of = {
            r.pair: r.community for r in awards_store.read_recommendations(connection, year.id)
        }
        seen: set[str] = set()
        for place, pair in enumerate(ranking, 1):
            if pair in seen:
                raise InputError(f"place {place}: pair {pair} is ranked twice")
            seen.add(pair)
            if pair not in community_of:
                raise InputError(f"place {place}: pair {pair} is not recommended")
            if community_of[pair] in own:
                raise InputError(
                    f"place {place}: pair {pair} is of community {community_of[pair]}, the "
                    f"reviewer's own (a conflict of interest)"
                )
        awards_store.replace_reviewer_ranking(connection, year.id, reviewer, list(ranking))
        detail = {"reviewer": reviewer, "pairs": list(ranking)}
        add_audit(connection, year.id, access.login, "cross-review", detail, now)
        return len(ranking)


def _standings(connection: Transaction, year: Year) -> list[Standing]:
    recommended = {r.pair: r for r in awards_store.read_recommendations(connection, year.id)}
    rankings = awards_store.read_cross_reviews(connection, year.id)
    facts = _pair_facts(connection, year)
    return [
        Standing(ranked, recommended[ranked.pair], facts.get(ranked.pair, {}))
        for ranked in aggregate(list(recommended), rankings, year.seed)
    ]


def standings(store: Store, year_name: str | None, access: Access) -> tuple[str, list[Standing]]:
    """The aggregated cross-review (admins): the published rule and the order."""
    access.require_admin()
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        return aggregation_rule(year.seed), _standings(connection, year)


# ------------------------------------------------------------------ certification


def certify(
    store: Store,
    year_name: str | None,
    access: Access,
    now: datetime,
    *,
    pairs: Sequence[str] | None = None,
    ended: EndedPairs | None = None,
) -> list[AwardRow]:
    """Fix the awards: the recommended pairs (or those of ``pairs``), in the cross-review's
    order, each under its recommended title with its facts and a verification code."""
    access.require_admin()
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        require_phase(year, "certify", now)
        _not_certified(connection, year)
        order = _standings(connection, year)
        if not order:
            raise InputError(f"program {year.name} has no recommended pairs to certify")
        chosen = {s.ranked.pair for s in order} if pairs is None else set(pairs)
        unknown = sorted(chosen - {s.ranked.pair for s in order})
        if unknown:
            raise InputError(f"pair {unknown[0]} is not recommended")
        gone = (ended or ended_pairs)(connection, year.id)
        if chosen & gone:
            raise InputError(f"pair {sorted(chosen & gone)[0]} was ended and cannot be awarded")
        names = {t.key: t for t in awards_store.read_titles(connection, year.id)}
        made: list[AwardRow] = []
        for standing in order:
            pair = standing.ranked.pair
            if pair not in chosen:
                continue
            title = names[standing.recommendation.title]
            facts = {
                **standing.facts,
                "title": title.key,
                "title_name": title.name,
                "title_name_zh": title.name_zh,
                "citation": standing.recommendation.citation,
                "place": len(made) + 1,
            }
            # 144 random bits, not guessable; hex, so a code never starts with "-" (which a
            # command line would take for an option)
            code = secrets.token_hex(18)
            made.append(
                AwardRow(
                    year.id,
                    code,
                    len(made) + 1,
                    pair,
                    title.key,
                    facts,
                    now,
                    access.login,
                    None,
                    None,
                )
            )
        awards_store.add_awards(connection, year.id, made)
        detail = {"awards": [[a.pair, a.title] for a in made], "rule": aggregation_rule(year.seed)}
        add_audit(connection, year.id, access.login, "certify", detail, now)
        return made


def awards(store: Store, year_name: str | None) -> list[AwardRow]:
    """The year's certified awards, revoked ones included (they say so), best first."""
    with global_transaction(store) as connection:
        return awards_store.read_awards(connection, year_in(connection, year_name).id)


def verify(store: Store, code: str) -> AwardRow:
    """The award a verification code names (``NotFoundError`` when none does)."""
    if not code or len(code) > 64:
        raise NotFoundError("no award has this verification code")
    with global_transaction(store) as connection:
        found = awards_store.find_award(connection, code)
    if found is None:
        raise NotFoundError("no award has this verification code")
    return found


def revoke(
    store: Store, year_name: str | None, access: Access, code: str, reason: str, now: datetime
) -> AwardRow:
    """Revoke a certified award of the year, with a reason (admins; audited)."""
    access.require_admin()
    if not reason.strip():
        raise InputError("a revocation needs a reason")
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        found = awards_store.find_award(connection, code)
        if found is None or found.year_id != year.id:
            raise NotFoundError(f"no award of program {year.name} has this verification code")
        if not awards_store.revoke_award(connection, code, reason.strip(), now):
            raise InputError(f"the award of pair {found.pair} is revoked already")
        detail = {"pair": found.pair, "title": found.title, "reason": reason.strip()}
        add_audit(connection, year.id, access.login, "revoke award", detail, now)
        revoked = awards_store.find_award(connection, code)
    assert revoked is not None
    return revoked
