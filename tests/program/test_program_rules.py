"""Phases, eligibility, the audit and input errors of the graduation program.

Every action is allowed in exactly its phases and refused in every other, and refused once
the phase's deadline passed until an admin extends it; the eligibility rules refuse an
application by file and line (and a rule can be switched off); the program audit refuses
UPDATE and DELETE; a wrong configuration or table is one line with exit code 2."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from sqlalchemy import delete, insert, update
from sqlalchemy.exc import DBAPIError

from ossmeta.errors import InputError
from ossmeta.service.program import (
    ACTION_PHASES,
    DEFAULT_PHASES,
    PhaseError,
    advance_phase,
    create_year,
    extend_deadline,
    read_config,
    require_phase,
)
from ossmeta.service.program_imports import import_kind
from ossmeta.store import Store
from ossmeta.store.program import Phase, Year
from ossmeta.store.schema import packages, program_audit
from ossmeta.store.tenancy import global_transaction
from ossmeta.surfaces.cli.app import main
from tests.program.test_program_selection import run, table

NOW = datetime(2030, 1, 1, tzinfo=UTC)  # the clock the service is given, never the real one


def _year(position: int, deadline: datetime | None = None) -> Year:
    phases = tuple(
        Phase(n, name, deadline if n == position else None) for n, name in enumerate(DEFAULT_PHASES)
    )
    return Year(1, "y", 0, "", 3, {}, position, phases)


@pytest.mark.parametrize("action", sorted(ACTION_PHASES))
def test_every_action_only_in_its_phases(action: str) -> None:
    for position, name in enumerate(DEFAULT_PHASES):
        year = _year(position)
        if name in ACTION_PHASES[action]:
            require_phase(year, action, NOW)
        else:
            with pytest.raises(PhaseError, match=f"program y is in phase {name}"):
                require_phase(year, action, NOW)
    allowed = DEFAULT_PHASES.index(ACTION_PHASES[action][0])
    with pytest.raises(PhaseError, match="ended at 2029-12-31"):
        require_phase(_year(allowed, NOW - timedelta(days=1)), action, NOW)
    require_phase(_year(allowed, NOW + timedelta(seconds=1)), action, NOW)


def test_a_deadline_passes_and_is_extended(store: Store, tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[phases]\nfunding = 2029-06-01\ntasks_fixed = 2029-07-01\n"
                      "teacher_training = ''\nlaunch = ''\nselection = ''\n")  # fmt: skip
    create_year(store, "2029", read_config(config), "admin", NOW)
    mentors = table(tmp_path / "m.csv", ("mentor_id", "capacity"), [("M1", 1)])
    with pytest.raises(PhaseError, match="phase funding of program 2029 ended at 2029-06-01"):
        import_kind(store, None, "mentors", mentors, "admin", NOW)
    with pytest.raises(InputError, match="not after the current one"):
        extend_deadline(store, None, datetime(2029, 5, 1, tzinfo=UTC), "admin", NOW)
    extend_deadline(store, None, NOW + timedelta(days=7), "admin", NOW)
    assert import_kind(store, None, "mentors", mentors, "admin", NOW) == 1
    advance_phase(store, None, "admin", NOW)  # tasks_fixed: its deadline passed too
    with pytest.raises(PhaseError, match="phase tasks_fixed"):
        import_kind(store, None, "mentors", mentors, "admin", NOW)
    with pytest.raises(PhaseError, match="allowed only in phase launch"):
        import_kind(store, None, "applications", mentors, "admin", NOW)


def _launch(store: Store, tmp_path: Path, rules: str = "") -> None:
    """A year in its launch phase, with M1 (login:mia) offering T1 of acme/widget."""
    config = tmp_path / "c.toml"
    config.write_text(
        "[phases]\ntasks_fixed = ''\nteacher_training = ''\nlaunch = ''\nselection = ''\n" + rules
    )
    create_year(store, "y", read_config(config), "admin", NOW)
    files = [
        ("projects", ("project_id", "community", "repository"), [("w", "A", "github.com/acme/widget")]),
        ("mentors", ("mentor_id", "capacity", "identities"), [("M1", 2, "login:mia")]),
        ("tasks", ("task_id", "mentor_id", "capacity", "project_id"), [("T1", "M1", 2, "w")]),
    ]  # fmt: skip
    for kind, header, rows in files:
        import_kind(store, None, kind, table(tmp_path / f"{kind}.csv", header, rows), "a", NOW)
    advance_phase(store, None, "admin", NOW)
    people = [
        ("teacher", "t1", ""),
        ("student", "s1", "login:sam"),
        ("student", "s2", "login:MIA"),  # also mentor M1 (logins are case-insensitive)
        ("student", "s3", "email:Alice@Example.org"),  # maintains acme/widget
    ]
    path = table(tmp_path / "people.csv", ("role", "person_id", "identities"), people)
    import_kind(store, None, "people", path, "admin", NOW)
    advance_phase(store, None, "admin", NOW)
    with global_transaction(store) as connection:
        connection.execute(
            insert(packages).values(
                purl="pkg:npm/widget",
                ecosystem="npm",
                name="widget",
                repository="git+https://github.com/Acme/widget.git",
                status="active",
                maintainers=orjson.dumps(["Alice <alice@example.org>"]).decode(),
                source="test",
                normalized_at=NOW,
            )
        )


HEADER = ("pair_id", "student", "teacher", "rank", "task_id")


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("P2", "s2", "t1", 1, "T1")], r"apps.csv:2: student 's2' is also a mentor \(login:mia\)"),
        (
            [("P1", "s1", "t1", 1, "T1"), ("P3", "s3", "t1", 1, "T1")],
            r"apps.csv:3: student 's3' maintains github.com/acme/widget \(email:alice@example.org\)",
        ),
        (
            [("P1", "s1", "t1", 1, "T1"), ("P9", "s1", "t1", 1, "T1")],
            r"apps.csv:3: student 's1' is already in pair 'P1' \(line 2\)",
        ),
        ([("P1", "s7", "t1", 1, "T1")], r"apps.csv:2: student 's7' is not registered"),
    ],
)
def test_eligibility_refuses_by_line(
    store: Store, tmp_path: Path, rows: list[tuple[object, ...]], message: str
) -> None:
    _launch(store, tmp_path)
    path = table(tmp_path / "apps.csv", HEADER, rows)
    with pytest.raises(InputError) as raised:
        import_kind(store, None, "applications", path, "admin", NOW)

    assert re.search(message, str(raised.value)), str(raised.value)


def test_eligibility_rules_can_be_switched_off(store: Store, tmp_path: Path) -> None:
    _launch(store, tmp_path, "[eligibility]\nmentor_not_student = false\n"
            "maintainers_not_applicants = false\n")  # fmt: skip
    rows = [("P2", "s2", "t1", 1, "T1"), ("P3", "s3", "t1", 1, "T1")]
    path = table(tmp_path / "apps.csv", HEADER, rows)
    assert import_kind(store, None, "applications", path, "admin", NOW) == 2


def test_the_program_audit_is_append_only(store: Store, tmp_path: Path) -> None:
    _launch(store, tmp_path)
    for change in (update(program_audit).values(actor="x"), delete(program_audit)):
        with pytest.raises(DBAPIError), global_transaction(store) as connection:
            connection.execute(change)
    with global_transaction(store) as connection:
        rows = connection.execute(program_audit.select()).all()
    assert [r.action for r in rows][:2] == ["create", "import projects"]
    assert {r.actor for r in rows} == {"admin", "a"}


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("seed = 1\n[phases\n", ":2:", "not valid TOML"),
        ("seed = 1\ncolour = 2\n", ":2:", "unknown setting 'colour'"),
        ("[phases]\nfunding = 2027-01-01T00:00:00\n", ":2:", "needs a time zone"),
        ("[phases]\nfunding = ''\n", ":1:", "no phase for 'import people'"),
        ("[eligibility]\nmentor_not_student = 1\n", ":2:", "eligibility: mentor_not_student"),
    ],
)
def test_config_errors_are_one_line_with_exit_2(
    store: Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    where: str,
    message: str,
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(text)
    code, _, err = run(capsys, "program", "create", "y", "--config", str(config), "--db", store.url)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert f"bad.toml{where}" in err and message in err


def test_table_errors_are_one_line_with_exit_2(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ("--db", store.url)
    assert main(["program", "create", "y", *db]) == 0
    bad = table(tmp_path / "m.csv", ("mentor_id", "capacity"), [("M1", 1), ("M2", "two")])
    code, _, err = run(capsys, "program", "import", "mentors", str(bad), *db)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "m.csv:3:" in err and "'capacity' must be a whole number" in err
    code, _, err = run(capsys, "program", "import", "applications", str(bad), *db)
    assert code == 2 and "allowed only in phase launch" in err and "in phase funding" in err
    code, _, err = run(capsys, "program", "import", "grades", str(bad), *db)
    assert code == 2 and "unknown table 'grades'" in err
