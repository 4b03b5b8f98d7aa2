"""GH Archive files → Parquet by month: rows stored once however often a file is imported,
a code-host API row kept over the GH Archive row of the same event, damaged lines
counted with file and line while the rest is stored, the Timeline schema skipped, and the
same result in batches, in one process or several."""

from __future__ import annotations

import gzip
import json
import os
import random
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ossmeta.errors import SourceError
from ossmeta.normalizers.gharchive_events import TIMELINE_SCHEMA, event_record
from ossmeta.pipelines.events_import import Problem, import_files, plan
from ossmeta.store.activity_files import DATASETS, ActivityFiles
from tests.helpers import DATA

EVENTS: dict[str, dict[str, Any]] = json.loads(
    (DATA / "gharchive" / "events.json").read_text(encoding="utf-8")
)["events"]
IMPORTABLE = [name for name in EVENTS if "Timeline" not in name]
SCHEMA = DATASETS["events"].schema


def write_hour(path: Path, lines: list[bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = b"\n".join(lines) + b"\n"
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


def line(name: str) -> bytes:
    return json.dumps(EVENTS[name]).encode()


def stored(root: Path) -> dict[str, dict[str, Any]]:
    """The stored rows by event_key (failing if a key is stored twice)."""
    files = ActivityFiles(root, "events").files()
    rows = pa.concat_tables([pq.read_table(f) for f in files]).to_pylist() if files else []
    by_key = {row["event_key"]: row for row in rows}
    assert len(by_key) == len(rows), "a key stored twice"
    return by_key


@pytest.fixture
def hours(tmp_path: Path) -> Path:
    """Two hourly files: every importable fixture event, and the Timeline one."""
    folder = tmp_path / "hours"
    half = len(IMPORTABLE) // 2
    write_hour(folder / "2015-01-01-15.json.gz", [line(n) for n in IMPORTABLE[:half]])
    write_hour(
        folder / "2025-11-03-10.json",
        [line(n) for n in IMPORTABLE[half:]] + [line("2012 Timeline PushEvent")],
    )
    return folder


def test_import_stores_every_event_once_by_month(hours: Path, tmp_path: Path) -> None:
    root = tmp_path / "activity"
    report = import_files(plan([str(hours)]), root)
    # 22 importable events + 1 Timeline event = 23 lines; the Timeline one is skipped.
    assert (report.files, report.lines, report.events) == (2, len(IMPORTABLE) + 1, len(IMPORTABLE))
    assert (report.duplicates, report.stored, report.malformed) == (0, len(IMPORTABLE), 0)
    assert report.skipped == ((TIMELINE_SCHEMA, 1),)
    # trimmed shapes among the fixtures: push, pull request, review (the comment is complete)
    assert report.trimmed == 3
    assert report.months == ("2015-01", "2021-01", "2025-01", "2025-11")
    rows = stored(root)
    expected = {
        record["event_key"]: record for record in (event_record(EVENTS[n]) for n in IMPORTABLE)
    }
    assert rows == expected
    manifest = ActivityFiles(root, "events").manifest()
    assert sorted(manifest) == list(report.months)
    assert all(len(names) == 1 for names in manifest.values())  # compacted


def test_importing_the_same_files_again_stores_nothing_new(hours: Path, tmp_path: Path) -> None:
    root = tmp_path / "activity"
    first = import_files(plan([str(hours)]), root)
    again = import_files(plan([str(hours / "*")]), root)
    assert again.events == first.events
    assert again.duplicates == first.events and again.stored == 0
    assert len(stored(root)) == first.stored


def test_an_api_row_stored_before_wins_over_the_archive_row(hours: Path, tmp_path: Path) -> None:
    root = tmp_path / "activity"
    # The API says what the trimmed log no longer does: the pull request was merged.
    api: dict[str, Any] = event_record(EVENTS["trimmed PullRequestEvent closed"])
    api |= {
        "source": "api",
        "source_rank": 2,
        "pull_merged": True,
        "pull_merged_at": datetime(2025, 11, 3, 10, 1),
        "issue_author_id": 3005,
        "trimmed": False,
    }
    ActivityFiles(root, "events").append(pa.Table.from_pylist([api], schema=SCHEMA))
    report = import_files(plan([str(hours)]), root)
    assert report.duplicates == 1  # the archive's copy of that event
    row = stored(root)[api["event_key"]]
    assert (row["source"], row["pull_merged"], row["issue_author_id"]) == ("api", True, 3005)
    # A second import does not bring the archive row back.
    import_files(plan([str(hours)]), root)
    assert stored(root)[api["event_key"]]["source"] == "api"


def test_an_api_row_stored_after_wins_too(hours: Path, tmp_path: Path) -> None:
    root = tmp_path / "activity"
    import_files(plan([str(hours)]), root)
    api: dict[str, Any] = event_record(EVENTS["trimmed PushEvent"])
    api |= {"source": "api", "source_rank": 2}
    files = ActivityFiles(root, "events")
    files.compact(files.append(pa.Table.from_pylist([api], schema=SCHEMA)))
    assert stored(root)[api["event_key"]]["source"] == "api"


def test_damaged_lines_are_counted_with_file_and_line_and_the_rest_stored(tmp_path: Path) -> None:
    wrong_type = dict(EVENTS["2015 IssuesEvent opened"], id=None)
    hour = write_hour(
        tmp_path / "h" / "2015-01-01-15.json.gz",
        [
            line("2015 PushEvent"),  # 1
            b'{"id": "1", "type": ',  # 2: cut JSON
            line("2015 WatchEvent"),  # 3
            json.dumps(wrong_type).encode(),  # 4: no id
            b"[]",  # 5: not an object
            line("2015 ForkEvent"),  # 6
        ],
    )
    root = tmp_path / "activity"
    report = import_files(plan([str(hour)]), root)
    shown = str(hour)
    assert (report.lines, report.events, report.malformed) == (6, 3, 3)
    assert [(p.path, p.line) for p in report.problems] == [(shown, 2), (shown, 4), (shown, 5)]
    assert str(report.problems[1]) == f"{shown}:4: event without an id"
    assert str(report.problems[2]) == f"{shown}:5: not a JSON object but an array"
    assert sorted(row["event_id"] for row in stored(root).values()) == [
        "2489651045",
        "2489651052",
        "2489651110",
    ]


def test_a_truncated_hour_keeps_its_complete_lines(tmp_path: Path) -> None:
    lines = [line(IMPORTABLE[n % len(IMPORTABLE)]) for n in range(400)]
    whole = gzip.compress(b"\n".join(lines) + b"\n")
    hour = tmp_path / "2015-01-01-15.json.gz"
    hour.write_bytes(whole[: len(whole) * 2 // 3])
    report = import_files(plan([str(hour)]), tmp_path / "activity")
    assert report.malformed == 1
    [problem] = report.problems
    assert problem == Problem(str(hour), report.lines, problem.reason)
    assert problem.reason.startswith("truncated gzip stream")
    assert report.events == report.lines - 1  # every line before the cut


def test_problems_kept_are_capped_but_all_are_counted(tmp_path: Path) -> None:
    hour = write_hour(tmp_path / "h.json", [b"{"] * 30)
    report = import_files(plan([str(hour)]), tmp_path / "activity", max_problems=5)
    assert report.malformed == 30
    assert [p.line for p in report.problems] == [1, 2, 3, 4, 5]
    assert report.months == () and report.events == 0


def test_small_batches_store_the_same_rows(hours: Path, tmp_path: Path) -> None:
    one = tmp_path / "one"
    many = tmp_path / "many"
    import_files(plan([str(hours)]), one)
    report = import_files(plan([str(hours)]), many, batch_rows=3)
    assert report.duplicates == 0
    assert stored(many) == stored(one)


def test_worker_processes_store_the_same_rows(hours: Path, tmp_path: Path) -> None:
    serial = import_files(plan([str(hours)]), tmp_path / "serial", workers=1)
    parallel = import_files(plan([str(hours)]), tmp_path / "parallel", workers=2)
    assert parallel.workers == 2 and serial.workers == 1
    assert (parallel.events, parallel.lines, parallel.skipped, parallel.trimmed) == (
        serial.events,
        serial.lines,
        serial.skipped,
        serial.trimmed,
    )
    assert stored(tmp_path / "parallel") == stored(tmp_path / "serial")


def test_rows_appended_before_a_failure_are_compacted(hours: Path, tmp_path: Path) -> None:
    root = tmp_path / "activity"
    import_files(plan([str(hours)]), root)  # everything stored once
    files = plan([str(hours)])
    files[-1].path.unlink()  # the second file goes away after planning
    with pytest.raises(SourceError):
        import_files(files, root, batch_rows=1)
    manifest = ActivityFiles(root, "events").manifest()
    assert all(len(names) == 1 for names in manifest.values())  # no duplicate left behind
    assert len(stored(root)) == len(IMPORTABLE)


def _distinct(root: Path) -> set[str]:
    files = ActivityFiles(root, "events").files()
    keys = pa.concat_tables([pq.read_table(f) for f in files])["event_key"] if files else []
    listed = [str(k) for k in keys]
    assert len(listed) == len(set(listed)), "a reader sees a key twice"
    return set(listed)


# Seeded points of an import's durable steps (staging four months, then publishing them,
# compacting those already stored); the import below takes 21.
KILL_AT = sorted(random.Random(9).sample(range(1, 22), 4))


@pytest.mark.parametrize("step", KILL_AT)
def test_a_rerun_after_kill_9_counts_honestly_and_stores_each_event_once(
    hours: Path, tmp_path: Path, step: int
) -> None:
    root = tmp_path / "activity"
    first = sorted(hours.iterdir())[0]
    import_files(plan([str(first)]), root)
    environment = dict(os.environ, OSSMETA_CRASH_AFTER_SYNCS=str(step))
    killed = subprocess.run(
        [sys.executable, "-m", "ossmeta", "events", "import", str(hours), "--data-dir", str(root)],
        env=environment,
        capture_output=True,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL
    before = _distinct(root)  # readable, each event once: the old state or the whole import
    expected = {event_record(EVENTS[n])["event_key"] for n in IMPORTABLE}
    assert before in (
        {
            event_record(json.loads(line))["event_key"]
            for line in gzip.decompress(first.read_bytes()).splitlines()
        },
        expected,
    )
    report = import_files(plan([str(hours)]), root)
    assert report.stored >= 0 and report.stored + report.duplicates == report.events
    assert len(before) + report.stored == len(_distinct(root)) == len(expected)
