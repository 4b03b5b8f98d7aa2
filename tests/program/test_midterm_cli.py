"""``ossmeta program midterm`` and ``ossmeta program defense`` end to end through the CLI:
questions, forms, the rule, ending a pair, the rubric, a refused conflict, scores, results;
a user's mistake is exit 2 with one line naming the file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ossmeta.service.program import advance_phase
from ossmeta.store import Store
from tests.program.test_defense import RUBRIC
from tests.program.test_midterm import NOW, QUESTIONS, year_in_work
from tests.program.test_program_selection import run


def test_midterm_and_defense_through_the_cli(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    year_in_work(store, tmp_path)
    db = ("--db", store.url)
    bad = tmp_path / "bad.toml"
    bad.write_text(QUESTIONS.replace('kind = "yesno"', 'kind = "maybe"'), encoding="utf-8")
    code, _, err = run(capsys, "program", "midterm", "questions", str(bad), *db)
    assert code == 2 and f"{bad}:24: mentor question 2: kind is one of" in err
    assert len(err.strip().splitlines()) == 1
    good = tmp_path / "questions.toml"
    good.write_text(QUESTIONS, encoding="utf-8")
    code, out, _ = run(capsys, "program", "midterm", "questions", str(good), *db)
    assert code == 0 and "mentor\tprogress\tchoice: on track, behind\trequired" in out

    advance_phase(store, None, "cli:t", NOW)  # midterm
    submit = ("program", "midterm", "submit")
    code, _, err = run(capsys, *submit, "P1", "university", "--pass", "--answer", "attendance", *db)
    assert code == 2 and "write KEY=VALUE" in err
    assert (
        run(capsys, *submit, "P1", "university", "--pass", "--answer", "attendance=5", *db)[0] == 0
    )
    args = ("--answer", "progress=behind", "--answer", "merged=no")
    assert run(capsys, *submit, "P1", "mentor", "--pass", *args, *db)[0] == 0
    assert run(capsys, *submit, "P2", "mentor", "--fail", *args, *db)[0] == 0
    code, out, err = run(capsys, "program", "midterm", "results", *db)
    assert out.splitlines() == [
        "P1\tpass\tuniversity pass\tmentor pass\t",
        "P2\tfail\tuniversity pending\tmentor fail\t",
    ]
    assert "only when both" in err
    code, _, err = run(capsys, "program", "midterm", "end", "P1", "--reason", "x", *db)
    assert code == 2 and "has not failed" in err
    assert run(capsys, "program", "midterm", "end", "P2", "--reason", "no work", *db)[0] == 0

    rubric = tmp_path / "rubric.toml"
    rubric.write_text(RUBRIC, encoding="utf-8")
    code, out, _ = run(capsys, "program", "defense", "rubric", str(rubric), *db)
    assert code == 0 and out.splitlines()[0].startswith("quality\tweight 3\tmax 10\t")
    code, _, err = run(capsys, "program", "defense", "assign", "P1", "rita", *db)
    assert code == 2 and "conflict of interest" in err
    assert run(capsys, "program", "defense", "assign", "P1", "ron", "rae", "ray", *db)[0] == 0
    code, _, err = run(capsys, "program", "defense", "unassign", "P1", "ray", "rita", *db)
    assert code == 0 and "ray taken off" in err and "rita was not assigned" in err
    advance_phase(store, None, "cli:t", NOW)  # defense
    for reviewer, scores in (("ron", ("quality=10", "talk=5")), ("rae", ("quality=5", "talk=5"))):
        flags = [x for s in scores for x in ("--score", s)]
        code, _, err = run(
            capsys, "program", "defense", "score", "P1", "--reviewer", reviewer, *flags, *db
        )
        assert code == 0, err
    code, out, _ = run(capsys, "program", "defense", "results", "--format", "json", *db)
    document = json.loads(out)
    # ron 100, rae (3 * 0.5 + 1) / 4 = 62.5: the median of two is their mean.
    assert [(p["pair"], p["score"], p["reviewers"]) for p in document["pairs"]] == [
        ("P1", 81.25, 2)
    ]
