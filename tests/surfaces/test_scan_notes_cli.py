"""What the parsers skip reaches the scan's JSON and table outputs as notes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ossmeta.surfaces.cli.app import main


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["db", "upgrade", "--db", url]) == 0
    # scan refuses a store without advisories (a green run from nothing would mislead).
    advisories = Path(__file__).resolve().parents[2] / "examples" / "advisories"
    assert main(["advisories", "import", str(advisories), "--db", url]) == 0
    return url


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "requirements.txt").write_text("six==1.16.0\n-e ../shared-lib\n--pre\n")
    (folder / "Cargo.lock").write_text("")
    return folder


def test_skipped_lines_and_empty_files_are_notes_in_json(
    db: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    code = main(["scan", str(project), "--db", db, "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [c["name"] for c in report["components"]] == ["six"]
    shown = str(project)
    assert report["notes"] == [
        f"{shown}/Cargo.lock: empty file: no packages",
        f"{shown}/requirements.txt:2: skipped ../shared-lib: a local path (own code)",
        f"{shown}/requirements.txt:3: option --pre ignored: it names no package",
    ]


def test_skipped_lines_are_notes_in_the_table(
    db: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["scan", str(project / "requirements.txt"), "--db", db]) == 0
    out = " ".join(capsys.readouterr().out.split())  # the table wraps long notes
    assert "requirements.txt:2: skipped ../shared-lib: a local path (own code)" in out


def test_what_an_environment_scan_skips_is_a_note(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site-packages"
    for name, text in (
        ("six-1.16.0", "Name: six\nVersion: 1.16.0\n"),
        ("mine-0.1", "Name: mine\n"),
    ):
        (site / f"{name}.dist-info").mkdir(parents=True)
        (site / f"{name}.dist-info" / "METADATA").write_text(text)
    (site / "mine-0.1.dist-info" / "direct_url.json").write_text(
        '{"url": "file:///src", "dir_info": {}}'
    )
    (tmp_path / "requirements.txt").write_text("six==1.16.0\n")
    capsys.readouterr()
    scan = [str(tmp_path / "requirements.txt"), "--python-env", str(site), "--db", db]
    code = main(["scan", *scan, "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [c["name"] for c in report["components"]] == ["six"]  # "mine" is not a component
    assert report["notes"] == [
        f"{site}/mine-0.1.dist-info/direct_url.json: skipped mine-0.1.dist-info: installed "
        "from the local directory file:///src, the project's own code"
    ]
