"""CSV and XLSX import/export of the selection's tables, and their line-precise errors."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from openpyxl import Workbook

from ossmeta.analyses.program import solve_pair_optimal
from ossmeta.analyses.program.files import (
    Application,
    load_instance,
    read_applications,
    write_applications,
    write_rankings,
)
from ossmeta.analyses.program.tables import TableError, write_rows
from ossmeta.errors import EXIT_INPUT, exit_code
from tests.program.instances import random_instance


def _write_all(folder: Path, suffix: str, seed: int = 3) -> tuple[Path, Path, Path, Path]:
    instance = random_instance(random.Random(seed), 30, 12, 4, ties=True)
    apps = [
        Application(
            pair.id,
            f"student {pair.id}",
            f"老师 {pair.id}",
            rank,
            task,
            'plan, "quoted"\nline 2',
            "w1-w4",
        )
        for pair in instance.pairs
        for rank, task in enumerate(pair.choices, start=1)
    ]
    paths = tuple(
        folder / f"{name}{suffix}" for name in ("applications", "rankings", "tasks", "mentors")
    )
    write_applications(paths[0], apps)
    write_rankings(paths[1], instance)
    write_rows(
        paths[2],
        ("task_id", "mentor_id", "capacity"),
        [(t.id, t.mentor, t.capacity) for t in instance.tasks],
    )
    write_rows(paths[3], ("mentor_id", "capacity"), [(m.id, m.capacity) for m in instance.mentors])
    return paths  # type: ignore[return-value]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_round_trip_gives_back_the_instance_and_the_proposals(tmp_path: Path, suffix: str) -> None:
    original = random_instance(random.Random(3), 30, 12, 4, ties=True)
    paths = _write_all(tmp_path, suffix)
    instance, apps = load_instance(*paths)
    assert [(p.id, p.choices) for p in instance.pairs] == [
        (p.id, p.choices) for p in original.pairs
    ]
    assert (instance.tasks, instance.mentors) == (original.tasks, original.mentors)
    assert any(not m.strict for m in instance.mentors)  # the ties came through as ties
    assert instance.pairs[0].student == f"student {instance.pairs[0].id}"
    assert apps[0].plan == 'plan, "quoted"\nline 2' and apps[0].teacher.startswith("老师")
    assert (
        solve_pair_optimal(instance, 11).assignment == solve_pair_optimal(original, 11).assignment
    )
    # and out again: the same bytes' meaning
    write_applications(tmp_path / f"again{suffix}", apps)
    assert [a[:7] for a in _fields(read_applications(tmp_path / f"again{suffix}"))] == [
        a[:7] for a in _fields(apps)
    ]


def _fields(apps: tuple[Application, ...]) -> list[tuple[object, ...]]:
    return [(a.pair, a.student, a.teacher, a.rank, a.task, a.plan, a.timeline) for a in apps]


def _expect(path: Path, line: int | None, message: str) -> None:
    with pytest.raises(TableError) as caught:
        read_applications(path)
    assert caught.value.path == str(path) and caught.value.line == line
    assert message in str(caught.value)
    assert exit_code(caught.value) == EXIT_INPUT
    assert str(caught.value).startswith(f"{path}:{line}: " if line else f"{path}: ")


HEADER = "pair_id,student,teacher,rank,task_id,plan,timeline\n"


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("p1,s,t,1,A,,\np1,s,t,one,B,,\n", 3, "whole number"),
        ("p1,s,t,1,A,,\np1,s,t,1,B,,\n", 3, "rank 1 already on line 2"),
        ("p1,s,t,1,A,,\np1,s,t,2,A,,\n", 3, "task 'A' already on line 2"),
        ("p1,s,t,1,A,,\np1,x,t,2,B,,\n", 3, "another student or teacher than on line 2"),
        ('p1,s,t,1,A,"two\nlines",\n\np1,s,t,4,B,,\n', 5, "at most 3"),
        ("p1,s,t,0,A,,\n", 2, "≥ 1"),
        (",s,t,1,A,,\n", 2, "'pair_id' is empty"),
    ],
)
def test_csv_errors_name_the_line(tmp_path: Path, body: str, line: int, message: str) -> None:
    path = tmp_path / "apps.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    _expect(path, line, message)


def test_missing_column_empty_and_binary_files(tmp_path: Path) -> None:
    path = tmp_path / "apps.csv"
    path.write_text("\ufeffpair_id,student,teacher,task_id\n", encoding="utf-8")
    _expect(path, 1, "missing column 'rank'")
    path.write_text("\n,,\npair_id,student,teacher,task_id\n", encoding="utf-8")
    _expect(path, 3, "missing column 'rank'")
    path.write_text("", encoding="utf-8")
    _expect(path, None, "empty")
    path.write_bytes(b"\xff\xfe\x00bad")
    _expect(path, None, "not UTF-8")
    broken = tmp_path / "apps.xlsx"
    broken.write_bytes(b"not a zip")
    _expect(broken, None, "not a readable XLSX")


def test_xlsx_errors_name_the_row_excel_shows(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Pair_ID", "student", "teacher", "rank", "task_id"])
    sheet.append(["p1", "s", "t", 1, "A"])
    sheet.append([None, None, None, None, None])  # a blank row Excel still numbers
    sheet.append(["p1", "s", "t", 2.5, "B"])
    path = tmp_path / "apps.xlsx"
    book.save(path)
    _expect(path, 4, "whole number, not '2.5'")


def test_cross_file_errors_name_the_row_that_makes_them(tmp_path: Path) -> None:
    apps, ranks, tasks, mentors = _write_all(tmp_path, ".csv")
    lines = ranks.read_text(encoding="utf-8").splitlines()
    mentor, pair, _ = lines[1].split(",")
    # a ranking of a pair that did not apply to that mentor: the rankings row
    stranger = next(
        a.split(",")[0]
        for a in apps.read_text(encoding="utf-8").splitlines()[1:]
        if f"{mentor},{a.split(',')[0]}," not in "\n".join(lines)
    )
    ranks.write_text("\n".join([*lines, f"{mentor},{stranger},1"]) + "\n", encoding="utf-8")
    with pytest.raises(TableError) as caught:
        load_instance(apps, ranks, tasks, mentors)
    assert (caught.value.path, caught.value.line) == (str(ranks), len(lines) + 1)
    # an applicant the mentor did not rank: the application's row
    ranks.write_text("\n".join(lines[:1] + lines[2:]) + "\n", encoding="utf-8")
    with pytest.raises(TableError) as caught:
        load_instance(apps, ranks, tasks, mentors)
    assert caught.value.path == str(apps) and caught.value.line is not None
    assert f"did not rank pair '{pair}'" in str(caught.value)
    row = apps.read_text(encoding="utf-8").splitlines()
    assert pair in "\n".join(row[caught.value.line - 1 : caught.value.line + 1])
