"""The mid-term check (program issue §4): a university form and a mentor form per matched
pair, each with the year's questions and a pass or fail; the published rule
(``MIDTERM_RULE``): a pair passes only when both forms pass. An admin may end a failed pair.

Who submits: the university admin (role ``university``) of the pair's student's university,
and the pair's mentor (role ``mentor``). Forms are taken only in phase ``midterm``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ossmeta.analyses.program.forms import FORMS, MIDTERM_RULE, Form, check_answers
from ossmeta.analyses.program.forms import parse_questions as parse_forms
from ossmeta.errors import InputError, NotFoundError
from ossmeta.service.program import require_phase, year_in
from ossmeta.service.program_access import Access
from ossmeta.store import program_rows as rows_store
from ossmeta.store.engine import Store
from ossmeta.store.program import Year, add_audit
from ossmeta.store.program_matchings import current_matching
from ossmeta.store.program_midterm import (
    EndedPair,
    SubmittedForm,
    end_pair,
    ended_pairs,
    ended_rows,
    read_config_text,
    read_forms,
    save_config_text,
    save_form,
)
from ossmeta.store.tenancy import Transaction, global_transaction

__all__ = [
    "MIDTERM_RULE",
    "MatchedPair",
    "Outcome",
    "end_failed_pair",
    "ended_pairs",
    "forms_to_fill",
    "matched_pairs",
    "midterm_outcomes",
    "outcomes",
    "questions",
    "set_questions",
    "submit_form",
]

_MAX_REASON = 2_000


@dataclass(frozen=True, slots=True)
class MatchedPair:
    """A pair of the published matching, with everything the milestones ask about it."""

    pair: str
    student: str
    teacher: str
    task: str
    title: str
    mentor: str
    project: str
    community: str
    repository: str
    university: str


@dataclass(frozen=True, slots=True)
class Outcome:
    pair: str
    university: bool | None  # the university form's pass (None: not submitted)
    mentor: bool | None
    ended: bool

    @property
    def result(self) -> str:
        """pass | fail | pending (the published rule)."""
        if self.university is False or self.mentor is False:
            return "fail"
        if self.university and self.mentor:
            return "pass"
        return "pending"


def matched_pairs(connection: Transaction, year: Year) -> dict[str, MatchedPair]:
    """The pairs of the year's published matching that hold a task."""
    stored = current_matching(connection, year.id, published=True)
    if stored is None:
        return {}
    applications = {a.pair: a for a in rows_store.read_applications(connection, year.id)}
    tasks = {t.key: t for t in rows_store.read_tasks(connection, year.id)}
    projects = {p.key: p for p in rows_store.read_projects(connection, year.id)}
    students = {
        p.key: p for p in rows_store.read_people(connection, year.id) if p.role == "student"
    }
    found: dict[str, MatchedPair] = {}
    for pair, task_key in sorted(stored.assignment.items()):
        application, task = applications.get(pair), tasks.get(task_key)
        if application is None or task is None:
            continue  # the tables were re-imported after publishing; nothing to attach to
        project = projects.get(task.project)
        student = students.get(application.student)
        found[pair] = MatchedPair(
            pair,
            application.student,
            application.teacher,
            task.key,
            task.title,
            task.mentor,
            task.project,
            project.community if project else "",
            project.repository if project else "",
            student.university if student else "",
        )
    return found


def _pair(connection: Transaction, year: Year, pair: str) -> MatchedPair:
    found = matched_pairs(connection, year).get(pair)
    if found is None:
        raise NotFoundError(
            f"pair {pair!r} holds no task in program {year.name}'s published result"
        )
    return found


def _forms(connection: Transaction, year: Year) -> dict[str, Form]:
    text = read_config_text(connection, year.id, "questions")
    if text is None:
        return {name: Form(name, ()) for name in FORMS}
    return parse_forms(text, "questions")


def questions(store: Store, year_name: str | None) -> dict[str, Form]:
    """The year's two forms (without a configuration: no questions, only pass or fail)."""
    with global_transaction(store) as connection:
        return _forms(connection, year_in(connection, year_name))


def set_questions(
    store: Store, year_name: str | None, access: Access, text: str, where: str, now: datetime
) -> dict[str, Form]:
    """Configure the year's mid-term questions (admins; audited). Refused once a form was
    submitted: the answers must keep meaning what was asked."""
    access.require_admin()
    forms = parse_forms(text, where)
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        if read_forms(connection, year.id):
            raise InputError(f"program {year.name}: forms were submitted; the questions stay")
        save_config_text(connection, year.id, "questions", text, access.login, now)
        detail = {name: [q.key for q in form.questions] for name, form in forms.items()}
        add_audit(connection, year.id, access.login, "midterm questions", detail, now)
    return forms


def submit_form(
    store: Store,
    year_name: str | None,
    access: Access,
    pair: str,
    form: str,
    answers: Mapping[str, object],
    passed: bool,
    now: datetime,
) -> SubmittedForm:
    """Record (or replace) a pair's university or mentor form."""
    if form not in FORMS:
        raise InputError(f"form {form!r}: university or mentor")
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        matched = _pair(connection, year, pair)
        if form == "university":
            access.require("university", matched.university)
        else:
            access.require("mentor", matched.mentor)
        require_phase(year, "midterm", now)
        if pair in ended_pairs(connection, year.id):
            raise InputError(f"pair {pair} was ended; it takes no further part")
        checked = check_answers(_forms(connection, year)[form], answers)
        submitted = SubmittedForm(pair, form, checked, passed, now, access.login)
        save_form(connection, year.id, submitted)
        detail = {"pair": pair, "form": form, "passed": passed}
        add_audit(connection, year.id, access.login, "midterm submit", detail, now)
        return submitted


def midterm_outcomes(connection: Transaction, year: Year) -> dict[str, Outcome]:
    """Every matched pair's mid-term outcome (see ``Outcome.result``)."""
    passes: dict[tuple[str, str], bool] = {
        (f.pair, f.form): f.passed for f in read_forms(connection, year.id)
    }
    ended = ended_pairs(connection, year.id)
    return {
        pair: Outcome(
            pair, passes.get((pair, "university")), passes.get((pair, "mentor")), pair in ended
        )
        for pair in matched_pairs(connection, year)
    }


def _sees(access: Access, pair: MatchedPair) -> bool:
    """Whether ``access`` may see the pair's mid-term outcome: admins, and the pair's own
    university admin, mentor, teacher and student."""
    return (
        access.is_admin
        or pair.university in access.subjects("university")
        or pair.mentor in access.subjects("mentor")
        or pair.teacher in access.subjects("teacher")
        or pair.student in access.subjects("student")
    )


def outcomes(store: Store, year_name: str | None, access: Access | None = None) -> dict[str, Any]:
    """The year's mid-term results: the rule, each pair's outcome and the ended pairs (with
    ``access``: only the pairs that login may see)."""
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        found = midterm_outcomes(connection, year)
        if access is not None:
            matched = matched_pairs(connection, year)
            found = {k: v for k, v in found.items() if _sees(access, matched[k])}
        ended = {e.pair: e for e in ended_rows(connection, year.id)}
    return {
        "year": year.name,
        "rule": MIDTERM_RULE,
        "pairs": [
            {
                "pair": o.pair,
                "university": o.university,
                "mentor": o.mentor,
                "result": o.result,
                "ended": o.ended,
                "reason": ended[o.pair].reason if o.pair in ended else None,
            }
            for o in found.values()
        ],
    }


def end_failed_pair(
    store: Store, year_name: str | None, access: Access, pair: str, reason: str, now: datetime
) -> EndedPair:
    """End a pair that failed the mid-term (admins; audited; final)."""
    access.require_admin()
    reason = reason.strip()
    if not reason or len(reason) > _MAX_REASON:
        raise InputError(f"ending pair {pair}: give a reason of 1 to {_MAX_REASON} characters")
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        require_phase(year, "end pair", now)
        outcome = midterm_outcomes(connection, year).get(pair)
        if outcome is None:
            raise NotFoundError(f"pair {pair!r} holds no task in program {year.name}")
        if outcome.ended:
            raise InputError(f"pair {pair} was ended already")
        if outcome.result != "fail":
            raise InputError(f"pair {pair} has not failed the mid-term ({outcome.result})")
        ended = EndedPair(pair, reason, now, access.login)
        end_pair(connection, year.id, ended)
        add_audit(
            connection, year.id, access.login, "end pair", {"pair": pair, "reason": reason}, now
        )
        return ended


def forms_to_fill(store: Store, year_name: str | None, access: Access) -> list[dict[str, Any]]:
    """The forms ``access`` may submit (its university's pairs, its own mentored pairs; an
    admin: every form), each with what was submitted so far."""
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        matched = matched_pairs(connection, year)
        ended = ended_pairs(connection, year.id)
        given = {(f.pair, f.form): f for f in read_forms(connection, year.id)}
    found: list[dict[str, Any]] = []
    for pair in matched.values():
        if pair.pair in ended:
            continue
        for form, role, subject in (
            ("university", "university", pair.university),
            ("mentor", "mentor", pair.mentor),
        ):
            if access.holds(role, subject):
                found.append({"pair": pair, "form": form, "given": given.get((pair.pair, form))})
    return found
