"""The DuckDB reader of GH Archive files gives, row for row, what the Python reader gives,
and rejects (so the importer falls back to the Python reader, which reports each problem)
every file with a value outside GH Archive's plain form."""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from bench.synth_gharchive import generate

from ossmeta.pipelines import events_import
from ossmeta.sources.gharchive import ArchiveFile, expand
from ossmeta.store.activity_files import DATASETS
from tests.helpers import DATA

EVENTS: dict[str, dict[str, Any]] = json.loads(
    (DATA / "gharchive" / "events.json").read_text(encoding="utf-8")
)["events"]
IMPORTABLE = [name for name in EVENTS if "Timeline" not in name]
SCHEMA = DATASETS["events"].schema


def _file(path: Path, events: list[dict[str, Any]], *, zipped: bool = False) -> ArchiveFile:
    data = b"".join(json.dumps(e).encode() + b"\n" for e in events)
    path.write_bytes(gzip.compress(data) if zipped else data)
    return expand([str(path)])[0]


def _python_rows(file: ArchiveFile) -> list[dict[str, Any]]:
    parts: list[pa.Table] = []
    events_import._convert_in_python(file, parts.append, 10**9, None, 100)
    table = pa.concat_tables(parts) if parts else SCHEMA.empty_table()
    return table.sort_by("event_key").to_pylist()


def _duckdb_rows(file: ArchiveFile) -> list[dict[str, Any]] | None:
    table = events_import._rows_by_duckdb([file])[0]
    return None if table is None else table.sort_by("event_key").to_pylist()


@pytest.mark.parametrize("name", IMPORTABLE)
def test_each_fixture_event_gives_the_python_row(name: str, tmp_path: Path) -> None:
    file = _file(tmp_path / "hour.json", [EVENTS[name]])
    rows = _duckdb_rows(file)
    assert rows is not None, "DuckDB rejected a plain event"
    assert rows == _python_rows(file)


def test_a_gzipped_hour_of_every_event_gives_the_python_rows(tmp_path: Path) -> None:
    file = _file(tmp_path / "hour.json.gz", [EVENTS[n] for n in IMPORTABLE], zipped=True)
    rows = _duckdb_rows(file)
    assert rows is not None and len(rows) == len(IMPORTABLE)
    assert rows == _python_rows(file)


def test_synthetic_hours_of_both_shapes_give_the_python_rows(tmp_path: Path) -> None:
    paths = generate(tmp_path / "hours", 6_000, 3, per_hour=2_000, trimmed_share=0.5, level=1)
    shapes: set[bool] = set()
    for file in expand([str(p) for p in paths]):
        rows = _duckdb_rows(file)
        assert rows is not None, file.display
        assert rows == _python_rows(file), file.display
        shapes.update(bool(r["trimmed"]) for r in rows)
    assert shapes == {False, True}


def _with(path: list[str], value: object) -> dict[str, Any]:
    event = copy.deepcopy(EVENTS["2015 PullRequestEvent closed merged"])
    target = event
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return event


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["repo", "id"], "12"),  # a number written as a string
        (["actor", "id"], True),
        (["payload", "pull_request", "additions"], 1.5),
        (["payload", "pull_request", "comments"], 1 << 40),  # beyond 32 bits
        (["payload", "pull_request", "title"], 5),
        (["payload", "pull_request", "merged"], "yes"),
        (["payload", "pull_request", "user"], [1]),
        (["created_at"], "2015-01-01T15:00:01+01:00"),  # a form the Python reader converts
        (["id"], -1),
        (["type"], ""),
    ],
)
def test_a_value_outside_the_plain_form_rejects_the_file(
    path: list[str], value: object, tmp_path: Path
) -> None:
    file = _file(tmp_path / "hour.json", [EVENTS["2015 PushEvent"], _with(path, value)])
    assert _duckdb_rows(file) is None


def test_damaged_lines_and_the_timeline_schema_reject_the_file(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.json"
    damaged.write_bytes(json.dumps(EVENTS["2015 PushEvent"]).encode() + b"\n{not json\n")
    assert _duckdb_rows(expand([str(damaged)])[0]) is None
    timeline = _file(tmp_path / "timeline.json", [EVENTS["2012 Timeline PushEvent"]])
    assert _duckdb_rows(timeline) is None
    cut = tmp_path / "cut.json.gz"
    cut.write_bytes(gzip.compress(json.dumps(EVENTS["2015 PushEvent"]).encode() * 50)[:-20])
    assert _duckdb_rows(expand([str(cut)])[0]) is None


def test_files_read_together_give_each_its_own_rows_and_a_rejected_one_none(
    tmp_path: Path,
) -> None:
    first = _file(tmp_path / "a.json", [EVENTS[n] for n in IMPORTABLE[:5]])
    second = _file(tmp_path / "b.json", [EVENTS[n] for n in IMPORTABLE[5:]])
    both = events_import._rows_by_duckdb([first, second])
    assert [t.sort_by("event_key").to_pylist() if t else None for t in both] == [
        _python_rows(first),
        _python_rows(second),
    ]
    damaged = tmp_path / "c.json"
    damaged.write_bytes(b"{not json\n")
    mixed = events_import._rows_by_duckdb([first, expand([str(damaged)])[0]])
    assert mixed[0] is not None and mixed[0].num_rows == 5 and mixed[1] is None


def test_a_path_duckdb_would_take_for_a_pattern_is_left_to_the_python_reader(
    tmp_path: Path,
) -> None:
    plain = _file(tmp_path / "h1.json", [EVENTS["2015 PushEvent"]])
    bracketed = _file(tmp_path / "h[1].json", [EVENTS["2015 ForkEvent"]])
    assert [t is None for t in events_import._rows_by_duckdb([plain, bracketed])] == [
        False,
        True,
    ]
