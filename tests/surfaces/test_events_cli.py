"""``ossmeta events import`` end to end (in-process through ``main``): the summary, damaged
lines listed as ``file:line: reason`` (capped), and the exit codes: 0 all parsed, 1 some
lines malformed (the rest stored), 2 a path that names nothing."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from ossmeta.store.activity_files import ActivityFiles
from ossmeta.surfaces.cli.app import main
from ossmeta.surfaces.cli.events import SHOWN_PROBLEMS
from tests.helpers import DATA

EVENTS: dict[str, dict[str, Any]] = json.loads(
    (DATA / "gharchive" / "events.json").read_text(encoding="utf-8")
)["events"]


def hour(path: Path, lines: list[bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    return path


def events(*names: str) -> list[bytes]:
    return [json.dumps(EVENTS[name]).encode() for name in names]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["events", "import", *args])
    return code, capsys.readouterr().err


def test_a_clean_import_exits_0_and_says_what_it_stored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = hour(
        tmp_path / "2025-11-03-10.json.gz",
        events("2015 PushEvent", "trimmed PushEvent", "2012 Timeline PushEvent"),
    )
    data = tmp_path / "activity"
    code, err = run(capsys, str(file), "--data-dir", str(data))
    assert code == 0
    assert err.strip() == (
        "imported 1 file(s): 3 line(s), 2 event(s) read, 2 new, 0 already stored, "
        "0 malformed, skipped 1 pre-2015 Timeline schema; 1 in the trimmed payload shape"
    )
    assert len(ActivityFiles(data, "events").files()) == 2  # months 2015-01 and 2025-11
    code, err = run(capsys, str(tmp_path / "*.json.gz"), "--data-dir", str(data))
    assert code == 0 and "0 new, 2 already stored" in err


def test_malformed_lines_are_listed_and_exit_1_with_the_rest_stored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = [b'{"id": ' for _ in range(SHOWN_PROBLEMS + 5)]
    file = hour(tmp_path / "h.json.gz", events("2015 WatchEvent") + bad)
    data = tmp_path / "activity"
    code, err = run(capsys, str(file), "--data-dir", str(data))
    assert code == 1
    lines = err.strip().splitlines()
    total = SHOWN_PROBLEMS + 5
    assert lines[0].endswith(f"1 new, 0 already stored, {total} malformed")
    listed = lines[1 : 1 + SHOWN_PROBLEMS]
    # the bad lines are lines 2 .. SHOWN_PROBLEMS + 1 of the file
    assert [entry.split(": ")[0] for entry in listed] == [
        f"  {file}:{n}" for n in range(2, SHOWN_PROBLEMS + 2)
    ]
    assert all("invalid JSON" in entry for entry in listed)
    assert lines[-1] == "  ... and 5 more malformed line(s)"
    assert len(ActivityFiles(data, "events").files()) == 1


def test_a_path_that_names_nothing_exits_2_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "2015-01-01-0.json.gz"
    code, err = run(capsys, str(missing), "--data-dir", str(tmp_path / "activity"))
    assert code == 2
    assert err.strip() == f"ossmeta: error: {missing}: no such file or directory"
    code, err = run(capsys, "--data-dir", str(tmp_path))
    assert code == 2 and "Traceback" not in err  # no PATH at all: a usage error


def test_a_folder_without_hourly_files_and_a_data_dir_that_is_a_file_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    code, err = run(capsys, str(empty), "--data-dir", str(tmp_path / "activity"))
    assert code == 2
    assert err.strip().startswith("ossmeta: error: no GH Archive hourly files (")
    assert err.strip().endswith(f"under {empty}")
    one = hour(tmp_path / "in" / "2015-01-01-0.json.gz", events("2015 PushEvent"))
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    code, err = run(capsys, str(one), "--data-dir", str(not_a_folder))
    assert code == 2
    assert err.strip() == f"ossmeta: error: --data-dir {not_a_folder}: not a directory"


def test_the_default_data_directory_is_under_ossmeta_home(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OSSMETA_HOME", str(tmp_path / "home"))
    file = hour(tmp_path / "h.json.gz", events("2015 ForkEvent"))
    code, _ = run(capsys, str(file))
    assert code == 0
    assert len(ActivityFiles(tmp_path / "home" / "activity", "events").files()) == 1
