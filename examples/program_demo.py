"""The graduation program in ``make demo``: one program year, ``demo-2026``, on the demo
center's store, its projects linked to the repository the activity demo imported
(``github.com/acme/widget``) and its people to that repository's contributors.

Each numbered step is one phase's work, in the order the year runs: the selection, the work
with its evidence, the mid-term check, the defense and the awards. The year
runs on its own clock (``CLOCK``, in spring 2026, before the activity it later reads as
evidence), so every run prints the same matching. A second ``make demo`` finds the year and
only prints it again (an existing program year is never rebuilt behind its users' backs).

Members are accounts of the demo tenant: ``demo`` (made by the service demo) is the program
admin; the mentor, teachers and students get accounts here (no password: an admin sets one,
or gives them tokens).
"""

from __future__ import annotations

import csv
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ossmeta.errors import NotFoundError
from ossmeta.service.accounts import Actor, create_tenant, create_user, tenant_named
from ossmeta.service.program import advance_phase, create_year, get_year, read_config
from ossmeta.service.program_access import (
    Member,
    access_of,
    add_program_member,
    program_members,
)
from ossmeta.service.program_awards import Nomination, certify, recommend, review, set_titles
from ossmeta.service.program_certificates import verify_path
from ossmeta.service.program_defense import (
    assign_reviewer,
    defense_results,
    score_pair,
    set_rubric,
)
from ossmeta.service.program_evidence import EvidenceRequest, program_evidence
from ossmeta.service.program_imports import import_kind
from ossmeta.service.program_midterm import outcomes, set_questions, submit_form
from ossmeta.service.program_selection import check_current, publish, results, run_matching
from ossmeta.store import Store, open_store
from ossmeta.store.activity_files import activity_root

YEAR = "demo-2026"
ADMIN = "cli:make-demo"
CLOCK = datetime(2026, 4, 1, tzinfo=UTC)  # the year's own time; phase deadlines follow it
REPOSITORY = "github.com/acme/widget"
CONFIG = """seed = 2026
[phases]
funding = 2026-04-10T00:00:00Z
tasks_fixed = 2026-04-15T00:00:00Z
teacher_training = 2026-04-20T00:00:00Z
launch = 2026-04-25T00:00:00Z
selection = 2026-04-30T00:00:00Z
work = 2026-10-31T00:00:00Z
midterm = 2026-11-15T00:00:00Z
defense = 2026-12-15T00:00:00Z
awards = 2027-01-15T00:00:00Z
"""
# announced with the selection's end; the work runs to the end of the work phase
WINDOW = (datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 10, 31, tzinfo=UTC))
MENTOR_LOGINS = {"M-alice": "alice"}
PERSON_LOGINS = {
    ("teacher", "T-tina"): "tina",
    ("teacher", "T-tom"): "tom",
    ("student", "S-bob"): "bob",
    ("student", "S-carol"): "carol",
    ("student", "S-dave"): "dave",
}
TABLES: dict[str, tuple[tuple[str, ...], list[tuple[object, ...]]]] = {
    "communities": (
        ("community_id", "name", "name_zh"),
        [("acme", "Acme Open Source", "Acme 开源社区"), ("kite", "Kite Labs", "风筝实验室")],
    ),
    "projects": (
        ("project_id", "community", "repository"),
        [("widget", "acme", REPOSITORY), ("kite-docs", "kite", "github.com/kite/docs")],
    ),
    "mentors": (
        ("mentor_id", "capacity", "name", "identities"),
        [
            ("M-alice", 2, "Alice Liddell", "login:alice; email:alice@widget.example"),
            ("M-kim", 1, "Kim Kite", "login:kim; email:kim@kite.example"),
        ],
    ),
    "tasks": (
        ("task_id", "mentor_id", "capacity", "project_id", "title", "difficulty", "ai_policy"),
        [
            ("widget-parser", "M-alice", 1, "widget", "A streaming parser", "hard", "disclose"),
            ("widget-docs", "M-alice", 1, "widget", "Documentation site", "easy", "disclose"),
            ("kite-i18n", "M-kim", 1, "kite-docs", "Chinese translation", "medium", "allowed"),
        ],
    ),
    "universities": (
        ("university_id", "name", "name_zh"),
        [("uni-a", "University A", "甲大学"), ("uni-b", "University B", "乙大学")],
    ),
    "people": (
        ("role", "person_id", "name", "university", "identities"),
        [
            ("teacher", "T-tina", "Tina Teach", "uni-a", "email:tina@uni-a.example"),
            ("teacher", "T-tom", "Tom Tutor", "uni-b", "email:tom@uni-b.example"),
            ("student", "S-bob", "Bob Builder", "uni-a", "login:bob; email:bob@mail.example"),
            (
                "student",
                "S-carol",
                "Carol Danvers",
                "uni-b",
                "login:carol; email:carol@mail.example",
            ),
            ("student", "S-dave", "Dave Dev", "uni-a", "login:dave"),
        ],
    ),
    "applications": (
        ("pair_id", "student", "teacher", "rank", "task_id", "plan", "timeline"),
        [
            ("P-bob", "S-bob", "T-tina", 1, "widget-parser", "incremental lexer", "w1-4 lexer"),
            ("P-bob", "S-bob", "T-tina", 2, "widget-docs", "docs generator", "w1-2 setup"),
            ("P-carol", "S-carol", "T-tom", 1, "widget-parser", "parser combinators", "w1-6"),
            ("P-carol", "S-carol", "T-tom", 2, "kite-i18n", "glossary first", "w1-3 glossary"),
            ("P-dave", "S-dave", "T-tina", 1, "widget-parser", "rewrite", "w1-8"),
        ],
    ),
    "rankings": (
        ("mentor_id", "pair_id", "rank"),
        [
            ("M-alice", "P-carol", 1),
            ("M-alice", "P-bob", 2),
            ("M-alice", "P-dave", 3),
            ("M-kim", "P-carol", 1),
        ],
    ),
}


def _import(store: Store, where: Path, kinds: Sequence[str], now: datetime) -> None:
    for kind in kinds:
        header, rows = TABLES[kind]
        path = where / f"{kind}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        count = import_kind(store, YEAR, kind, path, ADMIN, now)
        print(f"  imported {count} {kind}")


def _advance(store: Store, now: datetime) -> None:
    year = advance_phase(store, YEAR, ADMIN, now)
    print(f"  phase: {year.current.name}")


def step_1_create_year(store: Store, where: Path) -> None:
    print(f"\n# 1. program year {YEAR}: phases and deadlines, the tie rule's seed")
    config = where / "program.toml"
    config.write_text(CONFIG, encoding="utf-8")
    year = create_year(store, YEAR, read_config(config), ADMIN, CLOCK)
    print(f"  created; phase {year.current.name}; {year.tie_rule}")


def step_2_funding(store: Store, where: Path) -> None:
    print("\n# 2. funding: communities, their projects, mentors and tasks")
    _import(store, where, ("communities", "projects", "mentors", "tasks"), CLOCK)
    _advance(store, CLOCK + timedelta(days=10))  # tasks_fixed
    _advance(store, CLOCK + timedelta(days=15))  # teacher_training


def step_3_universities(store: Store, where: Path) -> None:
    print("\n# 3. teacher training: universities, teachers and students")
    _import(store, where, ("universities", "people"), CLOCK + timedelta(days=16))
    _advance(store, CLOCK + timedelta(days=20))  # launch


def step_4_members(store: Store, where: Path) -> None:
    print("\n# 4. members: demo tenant accounts in their program roles")
    actor = Actor(ADMIN)
    try:
        tenant_named(store, "demo")
    except NotFoundError:
        create_tenant(store, "demo", actor)
    members = [Member("demo", "admin", "")]
    members += [Member(login, "mentor", key) for key, login in MENTOR_LOGINS.items()]
    members += [Member(login, role, key) for (role, key), login in PERSON_LOGINS.items()]
    for member in members:
        if member.login != "demo":  # the service demo makes (and keeps the password of) demo
            create_user(store, member.login, "demo", "viewer", None, actor)
        add_program_member(store, YEAR, member, ADMIN, CLOCK + timedelta(days=20))
        print(f"  {member.login}: {member.role} {member.subject}".rstrip())


def step_5_applications(store: Store, where: Path) -> None:
    print("\n# 5. launch: each pair ranks up to 3 tasks with a proposal")
    _import(store, where, ("applications",), CLOCK + timedelta(days=21))
    _advance(store, CLOCK + timedelta(days=25))  # selection


def step_6_rankings_and_matching(store: Store, where: Path) -> None:
    print("\n# 6. selection: mentors rank the pairs; the matching is run, checked, published")
    now = CLOCK + timedelta(days=26)
    _import(store, where, ("rankings",), now)
    checked = run_matching(store, YEAR, mentor_optimal=False, actor=ADMIN, now=now)
    print(f"  matched {len(checked.matching.assignment)} pair(s); stable: {checked.verdict.ok}")
    assert check_current(store, YEAR, now).verdict.ok
    publish(store, YEAR, ADMIN, now)


def step_7_results(store: Store, where: Path) -> None:
    print("\n# 7. the published results, with each pair's explanation")
    for pair in results(store, YEAR)["pairs"]:
        reasons = "; ".join(f"{r['task']}: {r['code']} ({r['count']})" for r in pair["reasons"])
        got = f"{pair['task']} (choice {pair['choice']})" if pair["task"] else "no task"
        print(f"  {pair['pair']}: {got}" + (f"  [{reasons}]" if reasons else ""))


def step_8_work_begins(store: Store, where: Path) -> None:
    print("\n# 8. work: the matched students' upstream contributions so far (evidence)")
    if get_year(store, YEAR).current.name == "selection":
        _advance(store, CLOCK + timedelta(days=29))
    registered = {str(row[1]): str(row[4]).split("; ") for row in TABLES["people"][1]}
    published = results(store, YEAR)
    mentor_of = {task: mentor for task, mentor, *_ in TABLES["tasks"][1]}
    for pair in published["pairs"]:
        if not pair["task"] or mentor_of[pair["task"]] != "M-alice":
            continue  # only acme/widget has activity in the demo
        request = EvidenceRequest(
            REPOSITORY,
            student=tuple(registered[pair["student"]]),
            mentor=("login:alice", "email:alice@widget.example"),
            announced=WINDOW[0],
            start=WINDOW[0],
            end=WINDOW[1],
        )
        found = program_evidence(store, activity_root(), request)
        totals = ", ".join(f"{kind} {n}" for kind, n in sorted(found.totals.items())) or "none"
        print(f"  {pair['pair']} on {pair['task']}: {totals}")


MIDTERM_QUESTIONS = """
[[university]]
key = "attendance"
kind = "scale"
label = "Attendance at the university's meetings"
label_zh = "参加学校例会的情况"

[[mentor]]
key = "progress"
kind = "choice"
label = "Progress against the proposal's timeline"
label_zh = "相对计划书时间表的进度"
options = ["on track", "behind"]
options_zh = ["按计划", "落后"]
"""
RUBRIC = """
[[criterion]]
key = "contribution"
label = "Merged upstream work"
label_zh = "被上游合并的工作"
weight = 3
max = 10

[[criterion]]
key = "defense"
label = "Presentation and answers"
label_zh = "答辩表现"
weight = 1
max = 10
"""
#: Program-only accounts of the later phases: university admins and reviewers (from a
#: community other than acme, whose project both matched tasks belong to).
LATER_MEMBERS = (
    ("ursula", "university", "uni-a"),
    ("uwe", "university", "uni-b"),
    ("kim", "reviewer", "kite"),
    ("rhea", "reviewer", ""),
)


def _later_members(store: Store, now: datetime) -> None:
    actor = Actor(ADMIN)
    for login, role, subject in LATER_MEMBERS:
        if login not in {m.login for m in program_members(store, YEAR)}:
            create_user(store, login, "demo", "viewer", None, actor)
        add_program_member(store, YEAR, Member(login, role, subject), ADMIN, now)


def step_9_midterm(store: Store, where: Path) -> None:
    print("\n# 9. mid-term: each matched pair's university form and mentor form")
    now = datetime(2026, 11, 1, tzinfo=UTC)
    _later_members(store, now)
    admin = access_of(store, YEAR, "demo")
    set_questions(store, YEAR, admin, MIDTERM_QUESTIONS, "midterm.toml", now)
    _advance(store, now)  # midterm
    university_of = {str(row[1]): str(row[3]) for row in TABLES["people"][1]}
    login_of = {"uni-a": "ursula", "uni-b": "uwe"}
    for pair in results(store, YEAR)["pairs"]:
        if not pair["task"]:
            continue
        uni = access_of(store, YEAR, login_of[university_of[pair["student"]]])
        mentor = access_of(store, YEAR, "alice")
        submit_form(store, YEAR, uni, pair["pair"], "university", {"attendance": 5}, True, now)
        answers = {"progress": "on track"}
        submit_form(store, YEAR, mentor, pair["pair"], "mentor", answers, True, now)
    for row in outcomes(store, YEAR)["pairs"]:
        forms = f"university {row['university']}, mentor {row['mentor']}"
        print(f"  {row['pair']}: {row['result']} ({forms})")


def step_10_defense(store: Store, where: Path) -> None:
    print("\n# 10. defense: reviewers from other communities score by the rubric")
    now = datetime(2026, 11, 16, tzinfo=UTC)
    admin = access_of(store, YEAR, "demo")
    set_rubric(store, YEAR, admin, RUBRIC, "rubric.toml", now)
    _advance(store, now)  # defense
    scores = {  # (merged upstream work, presentation) per reviewer
        "P-carol": {"kim": (9, 8), "rhea": (10, 7)},
        "P-bob": {"kim": (8, 8), "rhea": (7, 9)},
    }
    for pair in results(store, YEAR)["pairs"]:
        if not pair["task"]:
            continue
        for reviewer, (work, talk) in scores[pair["pair"]].items():
            assign_reviewer(store, YEAR, admin, pair["pair"], reviewer, now)
            given = {"contribution": work, "defense": talk}
            score_pair(store, YEAR, access_of(store, YEAR, reviewer), pair["pair"], given, now)
    for row in defense_results(store, YEAR)["pairs"]:
        print(f"  {row['pair']}: {row['score']} ({row['reviewers']} reviewers), rank {row['rank']}")


AWARD_TITLES = """
per_community = 2

[[title]]
key = "outstanding"
name = "Outstanding Project"
name_zh = "优秀项目"

[[title]]
key = "rising-star"
name = "Rising Star"
name_zh = "新星奖"
"""


def step_11_awards(store: Store, where: Path) -> None:
    print("\n# 11. awards: the community recommends, other communities' reviewers rank, certified")
    now = datetime(2026, 12, 16, tzinfo=UTC)
    admin = access_of(store, YEAR, "demo")
    set_titles(store, YEAR, admin, AWARD_TITLES, "awards.toml", now)
    _advance(store, now)  # awards
    add_program_member(store, YEAR, Member("alice", "community", "acme"), ADMIN, now)
    nominations = [
        Nomination("P-carol", "outstanding", "A streaming parser, merged upstream"),
        Nomination("P-bob", "rising-star", "The documentation site, from zero"),
    ]
    recommend(store, YEAR, access_of(store, YEAR, "alice"), "acme", nominations, now)
    for reviewer in ("kim", "rhea"):
        review(store, YEAR, access_of(store, YEAR, reviewer), reviewer, ["P-carol", "P-bob"], now)
    for award in certify(store, YEAR, admin, now):
        print(f"  {award.place}. {award.pair}: {award.title}; verify at {verify_path(award.code)}")


STEPS = (
    step_1_create_year,
    step_2_funding,
    step_3_universities,
    step_4_members,
    step_5_applications,
    step_6_rankings_and_matching,
    step_7_results,
    step_8_work_begins,
    step_9_midterm,
    step_10_defense,
    step_11_awards,
)


def main() -> None:
    store = open_store(access="write")
    try:
        get_year(store, YEAR)
    except NotFoundError:
        with tempfile.TemporaryDirectory(prefix="program-demo-") as scratch:
            for step in STEPS:
                step(store, Path(scratch))
    else:
        print(f"\n# program year {YEAR} exists (made by an earlier run); its results:")
        step_7_results(store, Path("."))
    print(f"\nweb: /program/... (year {YEAR}); CLI: ossmeta program results --year {YEAR}")
    store.dispose()


if __name__ == "__main__":
    sys.exit(main())
