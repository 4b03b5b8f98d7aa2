"""A whole two-way selection run from the CLI, on SQLite and PostgreSQL: a year is created
from TOML, its tables imported (CSV and XLSX) phase by phase, the matching run and checked,
an admin edit refused without an override and kept with one, the result published, and the
results read with each pair's explanation. The audit records every step."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from ossmeta.analyses.program.tables import write_rows
from ossmeta.store import Store
from ossmeta.store.program import audit_entries, find_year
from ossmeta.store.tenancy import global_transaction
from ossmeta.surfaces.cli.app import main

CONFIG = """\
seed = 7
max_choices = 3

[phases]
funding = 2999-01-01T00:00:00Z
tasks_fixed = 2999-02-01T00:00:00Z
teacher_training = 2999-03-01
launch = 2999-04-01T00:00:00Z
selection = 2999-05-01T00:00:00Z
work = 2999-09-01T00:00:00Z
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def table(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    """A CSV, or an XLSX when the name says so (written by openpyxl, as Excel would)."""
    if path.suffix == ".xlsx":
        write_rows(path, header, rows)
    else:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    return path


def tables(where: Path) -> dict[str, Path]:
    """M1 (room for 1) offers T1; M2 (room for 2) offers T2 and T3. P1 and P2 both want T1
    first and M1 prefers P2; P3 wants only T2, where M2 prefers P1."""
    return {
        "projects": table(
            where / "projects.csv",
            ("project_id", "community", "repository"),
            [("widget", "Acme", "https://github.com/Acme/Widget")],
        ),
        "mentors": table(
            where / "mentors.csv",
            ("mentor_id", "capacity", "name", "identities"),
            [("M1", 1, "Mia", "login:mia"), ("M2", 2, "Max", "login:max; email:max@acme.org")],
        ),
        "tasks": table(
            where / "tasks.xlsx",
            ("task_id", "mentor_id", "capacity", "project_id", "title", "ai_policy"),
            [
                ("T1", "M1", 1, "widget", "Parser", "disclose"),
                ("T2", "M2", 1, "widget", "Docs", "disclose"),
                ("T3", "M2", 1, "", "CI", "none"),
            ],
        ),
        "people": table(
            where / "people.csv",
            ("role", "person_id", "name", "university", "identities"),
            [
                ("teacher", "t1", "Tan", "U1", "email:tan@u1.edu"),
                ("teacher", "t2", "Tao", "U2", ""),
                ("student", "s1", "Sam", "U1", "login:sam"),
                ("student", "s2", "Sue", "U2", "login:sue"),
                ("student", "s3", "Sid", "U1", "login:sid"),
            ],
        ),
        "applications": table(
            where / "applications.xlsx",
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


def test_a_whole_selection_run(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ("--db", store.url)
    config = tmp_path / "program.toml"
    config.write_text(CONFIG, encoding="utf-8")
    files = tables(tmp_path)
    assert run(capsys, "program", "create", "2027", "--config", str(config), *db)[0] == 0

    steps = [
        ("projects", "mentors", "tasks"),  # funding
        (),  # tasks_fixed
        ("people",),  # teacher_training
        ("applications",),  # launch
        ("rankings",),  # selection
    ]
    for n, kinds in enumerate(steps):
        for kind in kinds:
            code, _, err = run(capsys, "program", "import", kind, str(files[kind]), *db)
            assert code == 0, err
        if n < len(steps) - 1:
            assert run(capsys, "program", "phase", "advance", *db)[0] == 0
    code, out, _ = run(capsys, "program", "phase", *db)
    assert "* selection\t2999-05-01T00:00:00+00:00" in out.splitlines()

    code, out, err = run(capsys, "program", "results", *db)
    assert code == 2 and "published no results" in err
    code, out, err = run(capsys, "program", "match", *db)
    assert code == 0, err
    assert "2 pair(s) matched" in err and "stable" in err
    assert run(capsys, "program", "check", *db)[0] == 0

    # P3 did not apply to T3: not feasible, whatever the override.
    code, _, err = run(capsys, "program", "edit", "P3", "T3", "--override", "why not", *db)
    assert code == 2 and "not_acceptable P3->T3" in err
    # Taking P1's task away frees T2, which P1 and P3 both prefer to nothing.
    code, _, err = run(capsys, "program", "edit", "P1", "none", *db)
    assert code == 2 and "2 blocking pair(s)" in err and "--override" in err
    code, out, err = run(
        capsys, "program", "edit", "P1", "none", "--override", "P1 withdrew by e-mail", *db
    )
    assert code == 0, err
    assert sorted(out.splitlines()) == ["blocking\tP1\tT2\t3a", "blocking\tP3\tT2\t3a"]
    code, out, err = run(capsys, "program", "check", *db)
    assert code == 1 and "P1 withdrew by e-mail" in err
    # Undo: give P1 its task back, stable again, no override needed.
    assert run(capsys, "program", "edit", "P1", "T2", *db)[0] == 0
    assert run(capsys, "program", "publish", *db)[0] == 0

    code, out, err = run(capsys, "program", "results", "--format", "json", *db)
    assert code == 0, err
    document = json.loads(out)
    by_pair = {p["pair"]: p for p in document["pairs"]}
    assert {p: v["task"] for p, v in by_pair.items()} == {"P1": "T2", "P2": "T1", "P3": None}
    assert by_pair["P1"]["choice"] == 2
    assert [(r["task"], r["code"], r["count"]) for r in by_pair["P1"]["reasons"]] == [
        ("T1", "task_full", 1)
    ]
    assert by_pair["P2"]["message_key"] == "program.match.first_choice"
    assert by_pair["P3"]["message_key"] == "program.match.unmatched"
    assert by_pair["P3"]["open_tasks"] == ["T3"]
    assert document["tasks_with_room"] == [{"task": "T3", "mentor": "M2", "free": 1}]
    assert document["seed"] == 7 and "seed 7" in document["tie_rule"]

    # Round trip: what export writes, import reads back to the same rows.
    out_file = tmp_path / "out-applications.xlsx"
    assert run(capsys, "program", "export", "applications", str(out_file), *db)[0] == 0
    code, out, _ = run(capsys, "program", "export", "rankings", str(tmp_path / "r.csv"), *db)
    with (tmp_path / "r.csv").open(encoding="utf-8") as handle:
        assert len(list(csv.reader(handle))) == 6

    code, out, _ = run(capsys, "program", "audit", "--format", "json", *db)
    assert [e["action"] for e in json.loads(out)][-1] == "publish"

    with global_transaction(store) as connection:
        year = find_year(connection, "2027")
        assert year is not None
        actions = [e.action for e in audit_entries(connection, year.id)]
        edits = [e.detail for e in audit_entries(connection, year.id) if e.action == "edit"]
    assert actions[:4] == ["create", "import projects", "import mentors", "import tasks"]
    assert actions.count("advance") == 4
    assert actions[-4:] == ["match", "edit", "edit", "publish"]
    assert edits[0]["override"] == "P1 withdrew by e-mail" and edits[0]["to"] is None
    assert edits[1]["override"] is None and edits[1]["blocking"] == []


def test_mentor_optimal_is_stored_and_stable(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ("--db", store.url)
    files = tables(tmp_path)
    config = tmp_path / "p.toml"
    config.write_text("[phases]\ntasks_fixed = ''\nteacher_training = ''\nlaunch = ''\n"
                      "selection = ''\n", encoding="utf-8")  # fmt: skip
    assert run(capsys, "program", "create", "y1", "--config", str(config), *db)[0] == 0
    for kinds in (("projects", "mentors", "tasks"), ("people",), ("applications",)):
        for kind in kinds:
            assert run(capsys, "program", "import", kind, str(files[kind]), *db)[0] == 0
        assert run(capsys, "program", "phase", "advance", *db)[0] == 0
    assert run(capsys, "program", "import", "rankings", str(files["rankings"]), *db)[0] == 0
    code, _, err = run(capsys, "program", "match", "--mentor-optimal", *db)
    assert code == 0, err
    assert "mentor_optimal" in err and "NOT" not in err
