"""``ossmeta program award``: titles, recommend, review, results, certify, certificate and
revoke from the command line, with one-line errors (exit 2) naming the file and line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from ossmeta.store import Store
from tests.program.test_awards import TITLES, awards_year
from tests.program.test_program_selection import run


def test_awards_from_the_command_line(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    awards_year(store, tmp_path)
    db = ("--db", store.url)
    titles = tmp_path / "titles.toml"
    titles.write_text(TITLES.replace('name = "Rising Star"', "name = 3"), encoding="utf-8")
    code, _, err = run(capsys, "program", "award", "titles", str(titles), *db)
    assert (
        code == 2
        and err.strip()
        == f"ossmeta: error: {titles}:10: title 2: name must be text of 1 to 255 characters"
    )
    titles.write_text(TITLES, encoding="utf-8")
    code, out, _ = run(capsys, "program", "award", "titles", str(titles), *db)
    assert code == 0 and out.splitlines()[0] == "gold\tOutstanding Project\t优秀项目\t2"

    acme = tmp_path / "acme.csv"
    acme.write_text("pair,title,citation\nPA1,gold,a parser\nPB1,star,not ours\n", encoding="utf-8")
    code, _, err = run(capsys, "program", "award", "recommend", "acme", str(acme), *db)
    assert code == 2 and "its task is not of a project of community acme" in err
    acme.write_text("pair,title\nPA1,gold\n", encoding="utf-8")
    code, _, err = run(capsys, "program", "award", "recommend", "acme", str(acme), *db)
    assert code == 2 and f"{acme}:1: the header must be" in err
    acme.write_text("pair,title,citation\nPA1,gold,a parser\nPA2,star,docs\n", encoding="utf-8")
    assert run(capsys, "program", "award", "recommend", "acme", str(acme), *db)[0] == 0
    beta = tmp_path / "beta.csv"
    beta.write_text("pair,title,citation\nPB1,gold,fast CI\n", encoding="utf-8")
    assert run(capsys, "program", "award", "recommend", "beta", str(beta), *db)[0] == 0

    code, _, err = run(capsys, "program", "award", "review", "rita", "PA1", *db)
    assert code == 2 and "conflict of interest" in err
    assert run(capsys, "program", "award", "review", "rolf", "PA2", "PA1", *db)[0] == 0
    assert run(capsys, "program", "award", "review", "rita", "PB1", *db)[0] == 0
    assert run(capsys, "program", "award", "review", "rune", "PB1", "PA2", *db)[0] == 0
    code, out, _ = run(capsys, "program", "award", "results", "--format", "json", *db)
    shown = json.loads(out)
    assert [s["pair"] for s in shown["standings"]] == ["PB1", "PA2", "PA1"]
    assert shown["awards"] == [] and "Borda" in shown["rule"]

    code, out, _ = run(capsys, "program", "award", "certify", "--pair", "PB1", "--pair", "PA2", *db)
    assert code == 0
    lines = [line.split("\t") for line in out.splitlines()]
    assert [(p, t) for _, p, t, _ in lines] == [("PB1", "gold"), ("PA2", "star")]
    pdf = tmp_path / "c.pdf"
    code, _, err = run(
        capsys, "program", "award", "certificate", lines[1][3], "-o", str(pdf),
        "--base-url", "https://center.example", *db,
    )  # fmt: skip
    assert code == 0 and "Chinese font: embedded" in err
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert "Rising Star" in text and "新星奖" in text and "Ann" in text
    assert f"https://center.example/program/verify/{lines[1][3]}" in text
    assert run(capsys, "program", "award", "revoke", lines[1][3], "--reason", "copied", *db)[0] == 0
    code, out, _ = run(capsys, "program", "award", "results", *db)
    assert "revoked: copied" in out
    code, _, err = run(capsys, "program", "award", "certificate", "nope", "-o", str(pdf), *db)
    assert code == 2 and "no award of program 2027" in err
