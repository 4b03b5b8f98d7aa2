"""A program year end to end, on both databases: created, its communities and universities,
every table imported in its phase, applications and rankings, the matching run, checked and
published, and the notices sent: deadline reminders and results, by e-mail to a real SMTP
server and by webhook to a receiver that verifies the signatures. Then the rest of the year:
the mid-term forms (a failed pair ended), the defense scored under the conflict-of-interest
rule, and the awards recommended, cross-reviewed, certified, with a certificate whose
verification code names the award. The clock is a parameter."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from ossmeta.errors import InputError
from ossmeta.service.notify_email import SmtpSettings
from ossmeta.service.program import advance_phase, create_year, read_config
from ossmeta.service.program_access import Member, access_of, add_program_member, operator_access
from ossmeta.service.program_awards import (
    Nomination,
    certify,
    recommend,
    review,
    set_titles,
    verify,
)
from ossmeta.service.program_certificates import certificate
from ossmeta.service.program_defense import (
    assign_reviewer,
    defense_results,
    score_pair,
    set_rubric,
)
from ossmeta.service.program_imports import import_kind
from ossmeta.service.program_midterm import end_failed_pair, outcomes, set_questions, submit_form
from ossmeta.service.program_notify import notify
from ossmeta.service.program_selection import check_current, publish, results, run_matching
from ossmeta.store import Store
from tests.monitoring.receiver import Receiver
from tests.program.test_program_notify import (  # noqa: F401 (fixtures)
    PHASES,
    Inbox,
    hooks,
    smtp,
    subscribe,
)
from tests.program.test_program_selection import table

START = datetime(2030, 1, 1, tzinfo=UTC)
BASE = "https://center.test"


def _tables(where: Path) -> dict[str, Path]:
    """M1 (room for 1) offers T1; M2 (room for 2) offers T2 and T3. P1 and P2 both want T1
    first and M1 prefers P2; P3 wants only T2, where M2 prefers P1."""
    return {
        "communities": table(
            where / "communities.csv",
            ("community_id", "name", "name_zh"),
            [("acme", "Acme", "极致社区"), ("kite", "Kite", "风筝社区")],
        ),
        "universities": table(
            where / "universities.xlsx",
            ("university_id", "name", "name_zh"),
            [("u1", "First University", "第一大学"), ("u2", "Second University", "第二大学")],
        ),
        "projects": table(
            where / "projects.csv",
            ("project_id", "community", "repository"),
            [("widget", "acme", "github.com/acme/widget"), ("kite", "kite", "github.com/k/kite")],
        ),
        "mentors": table(
            where / "mentors.csv",
            ("mentor_id", "capacity", "identities"),
            [("M1", 1, "email:mia@acme.org"), ("M2", 2, "login:max; email:max@kite.org")],
        ),
        "tasks": table(
            where / "tasks.csv",
            ("task_id", "mentor_id", "capacity", "project_id", "title"),
            [
                ("T1", "M1", 1, "widget", "Parser"),
                ("T2", "M2", 1, "kite", "Docs"),
                ("T3", "M2", 1, "kite", "CI"),
            ],
        ),
        "people": table(
            where / "people.csv",
            ("role", "person_id", "university", "identities"),
            [
                ("teacher", "t1", "u1", "email:tan@u1.edu"),
                ("teacher", "t2", "u2", "email:tao@u2.edu"),
                ("student", "s1", "u1", "email:sam@u1.edu"),
                ("student", "s2", "u2", "email:sue@u2.edu"),
                ("student", "s3", "u1", "email:sid@u1.edu"),
            ],
        ),
        "applications": table(
            where / "applications.csv",
            ("pair_id", "student", "teacher", "rank", "task_id", "plan", "timeline"),
            [
                ("P1", "s1", "t1", 1, "T1", "plan", "w1-4 parse"),
                ("P1", "s1", "t1", 2, "T2", "plan", "w1-4 docs"),
                ("P2", "s2", "t2", 1, "T1", "plan", ""),
                ("P2", "s2", "t2", 2, "T3", "plan", ""),
                ("P3", "s3", "t1", 1, "T2", "plan", ""),
            ],
        ),
        "rankings": table(
            where / "rankings.csv",
            ("mentor_id", "pair_id", "rank"),
            [("M1", "P2", 1), ("M1", "P1", 2), ("M2", "P1", 1), ("M2", "P3", 2), ("M2", "P2", 2)],
        ),
    }


def test_a_program_year_end_to_end(
    store: Store,
    tmp_path: Path,
    smtp: tuple[Inbox, SmtpSettings],  # noqa: F811 (the fixture imported above)
    hooks: Receiver,  # noqa: F811
) -> None:
    inbox, settings = smtp
    config = tmp_path / "year.toml"
    config.write_text("seed = 7\n" + PHASES)
    year = create_year(store, "2030", read_config(config), "admin", START)
    subscribe(store, hooks)
    files = _tables(tmp_path)
    steps = {
        "funding": ("communities", "projects", "mentors", "tasks"),
        "tasks_fixed": (),
        "teacher_training": ("universities", "people"),
        "launch": ("applications",),
        "selection": ("rankings",),
    }
    sent: dict[str, list[str]] = {}
    for phase, kinds in steps.items():
        assert year.current.name == phase
        for kind in kinds:
            assert import_kind(store, None, kind, files[kind], "admin", START) > 0, kind
        if phase in ("launch", "selection"):  # two days before the phase's deadline
            deadline = year.current.deadline
            assert deadline is not None
            before = len(inbox.messages)
            report = notify(store, None, deadline - timedelta(days=2), smtp=settings)
            assert report.failed == () and report.unreachable == ()
            sent[phase] = sorted(a for rcpt, _ in inbox.messages[before:] for a in rcpt)
        if phase != "selection":
            year = advance_phase(store, None, "admin", START)
    assert sent == {
        "launch": ["sam@u1.edu", "sid@u1.edu", "sue@u2.edu", "tan@u1.edu", "tao@u2.edu"],
        "selection": ["max@kite.org", "mia@acme.org"],
    }

    assert run_matching(store, None, mentor_optimal=False, actor="admin", now=START).verdict.ok
    assert check_current(store, None, START).verdict.ok
    publish(store, None, "admin", START)
    published = {p["pair"]: p["task"] for p in results(store, None)["pairs"]}
    assert published == {"P1": "T2", "P2": "T1", "P3": None}

    before = len(inbox.messages)
    report = notify(store, None, START, smtp=settings, base_url=BASE)
    assert report.failed == () and report.recorded == report.sent == 6 + 2 + 3
    mails = inbox.messages[before:]
    by_address: dict[str, list[str]] = {}
    for rcpt, message in mails:
        for address in rcpt:
            by_address.setdefault(address, []).append(message.get_content())
    assert sorted(by_address) == [
        "max@kite.org", "mia@acme.org", "sam@u1.edu", "sid@u1.edu", "sue@u2.edu",
        "tan@u1.edu", "tao@u2.edu",
    ]  # fmt: skip
    [sam] = by_address["sam@u1.edu"]
    assert "matched with task T2 (choice 2)" in sam
    assert f"{BASE}/program/pair/P1" in sam
    assert "your choice 1 (T1) was taken by 1 pair(s) its mentor ranked higher" in sam
    [sid] = by_address["sid@u1.edu"]
    assert "pair P3 is not matched" in sid and "your choice 1 (T2) was taken" in sid
    assert len(by_address["tan@u1.edu"]) == 2  # teacher of P1 and of P3
    [mia] = by_address["mia@acme.org"]
    assert "P2 → T1" in mia
    [max_] = by_address["max@kite.org"]
    assert "P1 → T2" in max_

    results_events = [
        r.body for r in hooks.received if r.body and r.body["type"] == "program.result"
    ]
    assert all(r.verified for r in hooks.received)
    assert {e["data"]["pair"]: e["data"]["task"] for e in results_events} == published
    assert len([r for r in hooks.received if r.body and r.body["type"] == "program.deadline"]) == 2

    again = notify(store, None, START, smtp=settings, base_url=BASE)
    assert (again.recorded, again.sent) == (0, 0)
    assert len(inbox.messages) == before + len(mails)

    _the_rest_of_the_year(store)


MIDTERM = """
[[university]]
key = "attendance"
kind = "scale"
label = "Attendance"
label_zh = "出勤"

[[mentor]]
key = "merged"
kind = "yesno"
label = "Merged upstream?"
label_zh = "是否已被上游合并？"
"""
RUBRIC = """
[[criterion]]
key = "work"
label = "Work"
label_zh = "工作"
weight = 1
max = 10
"""
TITLES = """
per_community = 1

[[title]]
key = "gold"
name = "Outstanding Project"
name_zh = "优秀项目"
"""


def _the_rest_of_the_year(store: Store) -> None:
    """P1 (T2, kite's project, mentor M2) passes the mid-term, is defended and awarded; P2
    (T1, acme's, mentor M1) fails it and is ended, so it takes no further part."""
    admin = operator_access(store, None, "admin")
    for login, role, subject in [
        ("una", "university", "u1"),
        ("uwe", "university", "u2"),
        ("mia", "mentor", "M1"),
        ("max", "mentor", "M2"),
        ("kay", "community", "kite"),
        ("rae", "reviewer", "acme"),  # may review kite's pair P1, never acme's
        ("kit", "reviewer", "kite"),
    ]:
        add_program_member(store, None, Member(login, role, subject), "admin", START)
    set_questions(store, None, admin, MIDTERM, "midterm.toml", START)
    set_rubric(store, None, admin, RUBRIC, "rubric.toml", START)
    set_titles(store, None, admin, TITLES, "titles.toml", START)
    advance_phase(store, None, "admin", START)  # work
    advance_phase(store, None, "admin", START)  # midterm
    who = {login: access_of(store, None, login) for login in ("una", "uwe", "mia", "max")}
    submit_form(store, None, who["una"], "P1", "university", {"attendance": 5}, True, START)
    submit_form(store, None, who["max"], "P1", "mentor", {"merged": "yes"}, True, START)
    submit_form(store, None, who["mia"], "P2", "mentor", {"merged": "no"}, False, START)
    end_failed_pair(store, None, admin, "P2", "no work since the selection", START)
    assert {p["pair"]: p["result"] for p in outcomes(store, None)["pairs"]} == {
        "P1": "pass",
        "P2": "fail",
    }

    with pytest.raises(InputError, match="conflict of interest"):
        assign_reviewer(store, None, admin, "P1", "kit", START)  # kite's own pair
    assert assign_reviewer(store, None, admin, "P1", "rae", START)
    with pytest.raises(InputError, match="was ended"):
        assign_reviewer(store, None, admin, "P2", "rae", START)
    advance_phase(store, None, "admin", START)  # defense
    assert score_pair(store, None, access_of(store, None, "rae"), "P1", {"work": 9}, START) == 90
    assert [(p["pair"], p["score"]) for p in defense_results(store, None)["pairs"]] == [
        ("P1", 90.0)
    ]

    advance_phase(store, None, "admin", START)  # awards
    kay = access_of(store, None, "kay")
    assert recommend(store, None, kay, "kite", [Nomination("P1", "gold", "merged")], START) == 1
    review(store, None, access_of(store, None, "rae"), "rae", ["P1"], START)
    [award] = certify(store, None, admin, START)
    assert (award.pair, award.title, award.place) == ("P1", "gold", 1)
    assert verify(store, award.code).pair == "P1"
    made = certificate(store, None, kay, award.code, "student", BASE)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(made.pdf)).pages)
    assert f"{BASE}/program/verify/{award.code}" in text.replace("\n", "")
    assert "Outstanding Project" in text
