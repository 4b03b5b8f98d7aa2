"""The mid-term check: the year's forms, who may submit which, the published pass rule
(both forms must pass), ending a failed pair, and the phase guard; on both backends."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError

from ossmeta.errors import ForbiddenError, InputError, NotFoundError
from ossmeta.service.program import (
    advance_phase,
    audit_log,
    create_year,
    get_year,
    read_config,
)
from ossmeta.service.program_access import Member, access_of, add_program_member, operator_access
from ossmeta.service.program_imports import import_kind
from ossmeta.service.program_midterm import (
    end_failed_pair,
    midterm_outcomes,
    outcomes,
    questions,
    set_questions,
    submit_form,
)
from ossmeta.service.program_selection import publish, run_matching
from ossmeta.store import Store
from ossmeta.store.program_midterm import ended_pairs
from ossmeta.store.schema import program_ended_pairs
from ossmeta.store.tenancy import global_transaction
from tests.program.test_program_selection import tables

NOW = datetime(2030, 1, 1, tzinfo=UTC)

CONFIG = """\
seed = 7
max_choices = 3

[phases]
funding = 2999-01-01T00:00:00Z
tasks_fixed = 2999-02-01T00:00:00Z
teacher_training = 2999-03-01
launch = 2999-04-01T00:00:00Z
selection = 2999-05-01T00:00:00Z
work = 2999-06-01T00:00:00Z
midterm = 2999-07-01T00:00:00Z
defense = 2999-08-01T00:00:00Z
awards = 2999-09-01T00:00:00Z
"""

QUESTIONS = """\
[[university]]
key = "attendance"
kind = "scale"
label = "Attendance"
label_zh = "出勤"

[[university]]
key = "note"
kind = "text"
label = "Note"
label_zh = "备注"
required = false

[[mentor]]
key = "progress"
kind = "choice"
label = "Progress"
label_zh = "进度"
options = ["on track", "behind"]
options_zh = ["按计划", "落后"]

[[mentor]]
key = "merged"
kind = "yesno"
label = "Has a pull request been merged?"
label_zh = "是否已有合并的拉取请求？"
"""

#: login, role, subject: the people who act in the milestones.
MEMBERS = [
    ("uni1", "university", "U1"),  # s1's university: pair P1
    ("uni2", "university", "U2"),  # s2's university: pair P2
    ("mia", "mentor", "M1"),  # P2's mentor (T1)
    ("max", "mentor", "M2"),  # P1's mentor (T2)
    ("tan", "teacher", "t1"),  # P1's teacher
    ("tan", "reviewer", ""),  # ... who also reviews
    ("rita", "reviewer", "Acme"),  # widget's community: every pair's
    ("ron", "reviewer", ""),
    ("rae", "reviewer", "Other"),
    ("ray", "reviewer", ""),
    ("boss", "admin", ""),
]


def year_in_work(store: Store, where: Path) -> None:
    """A year whose published matching gives P1 task T2 (mentor M2) and P2 task T1 (M1),
    now in phase work."""
    config = where / "program.toml"
    config.write_text(CONFIG, encoding="utf-8")
    create_year(store, "2027", read_config(config), "cli:t", NOW)
    files = tables(where)
    # funding, tasks_fixed, teacher_training, launch: import, then move on; selection: rank
    for kinds in [("projects", "mentors", "tasks"), (), ("people",), ("applications",)]:
        for kind in kinds:
            import_kind(store, None, kind, files[kind], "cli:t", NOW)
        advance_phase(store, None, "cli:t", NOW)
    import_kind(store, None, "rankings", files["rankings"], "cli:t", NOW)
    checked = run_matching(store, None, mentor_optimal=False, actor="cli:t", now=NOW)
    assert checked.matching.assignment == {"P1": "T2", "P2": "T1"}
    publish(store, None, "cli:t", NOW)
    advance_phase(store, None, "cli:t", NOW)  # work
    for login, role, subject in MEMBERS:
        add_program_member(store, None, Member(login, role, subject), "cli:t", NOW)


def test_forms_the_pass_rule_and_ending_a_failed_pair(store: Store, tmp_path: Path) -> None:
    year_in_work(store, tmp_path)
    boss = access_of(store, None, "boss")
    set_questions(store, None, boss, QUESTIONS, "questions.toml", NOW)
    forms = questions(store, None)
    assert [q.key for q in forms["university"].questions] == ["attendance", "note"]
    uni1, uni2 = access_of(store, None, "uni1"), access_of(store, None, "uni2")
    mia, max_ = access_of(store, None, "mia"), access_of(store, None, "max")
    good = {"progress": "on track", "merged": "yes"}

    with pytest.raises(InputError, match="only in phase midterm"):
        submit_form(store, None, uni1, "P1", "university", {"attendance": 4}, True, NOW)
    advance_phase(store, None, "cli:t", NOW)  # midterm

    # Each form only from its own role and subject.
    with pytest.raises(ForbiddenError):
        submit_form(store, None, uni2, "P1", "university", {"attendance": 4}, True, NOW)
    with pytest.raises(ForbiddenError):
        submit_form(store, None, mia, "P1", "mentor", good, True, NOW)
    with pytest.raises(ForbiddenError):
        submit_form(store, None, uni1, "P1", "mentor", good, True, NOW)
    with pytest.raises(NotFoundError):
        submit_form(store, None, uni1, "P3", "university", {"attendance": 4}, True, NOW)
    # Answers are checked against the questions.
    with pytest.raises(InputError, match="question 'attendance' needs an answer"):
        submit_form(store, None, uni1, "P1", "university", {}, True, NOW)
    with pytest.raises(InputError, match="'attendance': a whole number from 1 to 5"):
        submit_form(store, None, uni1, "P1", "university", {"attendance": 6}, True, NOW)
    with pytest.raises(InputError, match="'progress': one of on track, behind"):
        submit_form(store, None, max_, "P1", "mentor", {"progress": "?", "merged": "no"}, True, NOW)
    with pytest.raises(InputError, match="no question 'extra'"):
        submit_form(store, None, max_, "P1", "mentor", {**good, "extra": "x"}, True, NOW)

    def results() -> dict[str, str]:
        return {p["pair"]: p["result"] for p in outcomes(store, None)["pairs"]}

    assert results() == {"P1": "pending", "P2": "pending"}
    submit_form(store, None, uni1, "P1", "university", {"attendance": "4"}, True, NOW)
    assert results()["P1"] == "pending"  # one pass is not enough
    submit_form(store, None, max_, "P1", "mentor", good, True, NOW)
    submit_form(store, None, uni2, "P2", "university", {"attendance": 5}, True, NOW)
    submit_form(store, None, mia, "P2", "mentor", {**good, "merged": False}, False, NOW)
    assert results() == {"P1": "pass", "P2": "fail"}  # one fail is a fail
    # Once forms are in, the questions stay.
    with pytest.raises(InputError, match="the questions stay"):
        set_questions(store, None, boss, QUESTIONS, "questions.toml", NOW)

    # Only an admin ends, only a failed pair, with a reason; audited and final.
    with pytest.raises(ForbiddenError):
        end_failed_pair(store, None, mia, "P2", "no progress", NOW)
    with pytest.raises(InputError, match="has not failed the mid-term"):
        end_failed_pair(store, None, boss, "P1", "no progress", NOW)
    with pytest.raises(InputError, match="give a reason"):
        end_failed_pair(store, None, boss, "P2", "  ", NOW)
    end_failed_pair(store, None, boss, "P2", "no merged work", NOW)
    with pytest.raises(InputError, match="ended already"):
        end_failed_pair(store, None, boss, "P2", "again", NOW)
    with pytest.raises(InputError, match="was ended"):
        submit_form(store, None, mia, "P2", "mentor", good, True, NOW)
    year = get_year(store, None)
    with global_transaction(store) as connection:
        assert ended_pairs(connection, year.id) == {"P2"}
        assert midterm_outcomes(connection, year)["P2"].ended
    entry = [e for e in audit_log(store, None) if e.action == "end pair"]
    assert [(e.actor, e.detail) for e in entry] == [
        ("boss", {"pair": "P2", "reason": "no merged work"})
    ]
    ended = {p["pair"]: p for p in outcomes(store, None)["pairs"]}["P2"]
    assert ended["ended"] and ended["reason"] == "no merged work"
    # An end is final: the store refuses to change or remove it.
    for change in (update(program_ended_pairs).values(reason="x"), delete(program_ended_pairs)):
        with pytest.raises(DBAPIError), global_transaction(store) as connection:
            connection.execute(change)
    assert ended_pairs_of(store) == {"P2"}


def ended_pairs_of(store: Store) -> set[str]:
    with global_transaction(store) as connection:
        return ended_pairs(connection, get_year(store, None).id)


def test_questions_are_for_admins_and_a_year_without_them_has_bare_forms(
    store: Store, tmp_path: Path
) -> None:
    year_in_work(store, tmp_path)
    with pytest.raises(ForbiddenError):
        set_questions(store, None, access_of(store, None, "mia"), QUESTIONS, "q.toml", NOW)
    assert all(not form.questions for form in questions(store, None).values())
    advance_phase(store, None, "cli:t", NOW)
    operator = operator_access(store, None, "cli:t")
    submit_form(store, None, operator, "P1", "university", {}, False, NOW)
    assert {p["pair"]: p["result"] for p in outcomes(store, None)["pairs"]}["P1"] == "fail"
