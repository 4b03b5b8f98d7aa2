"""A program year for the route-walking tests and the program's own tests: year ``2027``
with the tables of ``tests/program/test_program_selection`` (mentors M1, M2; tasks T1-T3 of
project widget, github.com/acme/widget; pairs P1-P3), brought to a stage:

- ``launch``: tasks fixed and published, people registered, pairs may apply;
- ``selection``: the pairs' applications imported, mentors may rank;
- ``published``: rankings imported, the matching run and published (P2→T1, P1→T2).

The first tenant ``populate`` makes gets the program: its admin is a program admin and the
path values name the year, a pair and a mentor. A second tenant's admin holds no program
role, so the program answers it as a year that does not exist, which the tenant-isolation
walk checks like any other tenant's object."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from ossmeta.errors import NotFoundError
from ossmeta.service.program import advance_phase, create_year, get_year, read_config
from ossmeta.service.program_access import Member, access_of, add_program_member, operator_access
from ossmeta.service.program_defense import assign_reviewer, score_pair, set_rubric
from ossmeta.service.program_imports import import_kind
from ossmeta.service.program_midterm import set_questions
from ossmeta.service.program_selection import publish, run_matching
from ossmeta.store import Store
from tests.program.test_awards import seed_awards
from tests.program.test_defense import RUBRIC
from tests.program.test_midterm import CONFIG, QUESTIONS  # every phase, to the awards
from tests.program.test_program_selection import tables

NOW = datetime(2030, 1, 1, tzinfo=UTC)
YEAR = "2027"
ACTOR = "cli:test"
STAGES = ("launch", "selection", "published")
#: Logins acting for the year's people: (login, role, subject).
MEMBERS: tuple[tuple[str, str, str], ...] = (
    ("sam", "student", "s1"),
    ("tan", "teacher", "t1"),
    ("sue", "student", "s2"),
    ("tao", "teacher", "t2"),
    ("mia", "mentor", "M1"),
    ("max", "mentor", "M2"),
    ("boss", "admin", ""),
)


def program_year(
    store: Store,
    where: Path,
    stage: str = "launch",
    members: Sequence[tuple[str, str, str]] = MEMBERS,
) -> None:
    """Year 2027 brought to ``stage`` (see the module docstring)."""
    assert stage in STAGES
    config = where / "program.toml"
    config.write_text(CONFIG, encoding="utf-8")
    create_year(store, YEAR, read_config(config), ACTOR, NOW)
    files = tables(where)
    for kind in ("projects", "mentors", "tasks"):
        import_kind(store, YEAR, kind, files[kind], ACTOR, NOW)
    advance_phase(store, YEAR, ACTOR, NOW)  # tasks_fixed
    advance_phase(store, YEAR, ACTOR, NOW)  # teacher_training
    import_kind(store, YEAR, "people", files["people"], ACTOR, NOW)
    advance_phase(store, YEAR, ACTOR, NOW)  # launch
    for login, role, subject in members:
        add_program_member(store, YEAR, Member(login, role, subject), ACTOR, NOW)
    if stage == "launch":
        return
    import_kind(store, YEAR, "applications", files["applications"], ACTOR, NOW)
    advance_phase(store, YEAR, ACTOR, NOW)  # selection
    if stage == "selection":
        return
    import_kind(store, YEAR, "rankings", files["rankings"], ACTOR, NOW)
    run_matching(store, YEAR, mentor_optimal=False, actor=ACTOR, now=NOW)
    publish(store, YEAR, ACTOR, NOW)


def seed_program(store: Store, tenant_name: str, values: dict[str, str]) -> None:
    """``populate``'s program: made for the first tenant only (see the module docstring)."""
    from tests.api.world import MISSING  # here, not at the top: world imports this module

    MISSING.update(
        year="no-such-year",
        pair="no-such-pair",
        mentor="no-such-mentor",
        community="no-such-community",
        reviewer="no-such-reviewer",
        code="no-such-code",
    )
    try:
        get_year(store, YEAR)
    except NotFoundError:  # no year yet: this is the first tenant
        admin = f"{tenant_name}-admin"
        with tempfile.TemporaryDirectory() as folder:
            program_year(store, Path(folder), "published", [(admin, "admin", "")])
        _to_the_defense(store, admin)
        values.update(year=YEAR, pair="P1", mentor="M2", **seed_awards(store, YEAR, "rune"))


def _to_the_defense(store: Store, admin: str) -> None:
    """The published year taken on to its defense: mid-term questions and a rubric set, the
    tenant's admin reviewing both matched pairs and having scored them (so every milestone
    list holds two items)."""
    operator = operator_access(store, YEAR, ACTOR)
    set_questions(store, YEAR, operator, QUESTIONS, "questions.toml", NOW)
    set_rubric(store, YEAR, operator, RUBRIC, "rubric.toml", NOW)
    add_program_member(store, YEAR, Member(admin, "reviewer", ""), ACTOR, NOW)
    advance_phase(store, YEAR, ACTOR, NOW)  # work
    for pair in ("P1", "P2"):
        assign_reviewer(store, YEAR, operator, pair, admin, NOW)
    advance_phase(store, YEAR, ACTOR, NOW)  # midterm
    advance_phase(store, YEAR, ACTOR, NOW)  # defense
    reviewer = access_of(store, YEAR, admin)
    score_pair(store, YEAR, reviewer, "P1", {"quality": 7, "talk": 3}, NOW)
    score_pair(store, YEAR, reviewer, "P2", {"quality": 9, "talk": 1}, NOW)
