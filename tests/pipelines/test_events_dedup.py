"""Which GH Archive events collapse into one row: only the same state change reported twice.

The synthetic generator (bench/synth_gharchive.py) draws popular issues often, so in a busy
hour two people close the same issue in the same second: two events that a key of type,
action, issue and second alone merged (52 of 600,000 with the default seed). Here every
event survives, the survivor among true duplicates does not depend on the order of arrival,
and two clean imports store the same rows."""

from __future__ import annotations

import copy
import gzip
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from bench.synth_gharchive import generate

from ossmeta.normalizers.gharchive_events import event_record
from ossmeta.pipelines.events_import import import_files, plan
from ossmeta.store.activity_files import ActivityFiles
from tests.helpers import DATA

EVENTS: dict[str, dict[str, Any]] = json.loads(
    (DATA / "gharchive" / "events.json").read_text(encoding="utf-8")
)["events"]


def _rows(root: Path) -> list[tuple[object, ...]]:
    files = ActivityFiles(root, "events").files()
    table = pa.concat_tables([pq.read_table(f) for f in files])
    return sorted(tuple(row.values()) for row in table.to_pylist())


@pytest.fixture(scope="module")
def busy_hour(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20,000 events in one hour (seed 1 gives same-second closes by different people)."""
    folder = tmp_path_factory.mktemp("synthetic")
    generate(folder, 20_000, seed=1, per_hour=20_000, level=1)
    return folder


def test_distinct_events_sharing_subject_and_second_are_all_stored(
    busy_hour: Path, tmp_path: Path
) -> None:
    records = [
        event_record(json.loads(line))
        for path in sorted(busy_hour.iterdir())
        for line in gzip.decompress(path.read_bytes()).splitlines()
    ]
    same_second: dict[tuple[object, ...], set[object]] = defaultdict(set)
    for r in records:
        if r["action"] == "closed":
            same_second[(r["type"], r["issue_id"], r["created_at"])].add(r["actor_id"])
    assert any(len(actors) > 1 for actors in same_second.values())  # the case is there
    report = import_files(plan([str(busy_hour)]), tmp_path)
    assert (report.events, report.stored, report.duplicates) == (len(records), len(records), 0)
    stored_ids = {row[1] for row in _rows(tmp_path)}  # event_id is the second column
    assert stored_ids == {r["event_id"] for r in records}


def test_two_clean_imports_store_the_same_rows(busy_hour: Path, tmp_path: Path) -> None:
    import_files(plan([str(busy_hour)]), tmp_path / "one")
    # the other in small batches: many files per month, merged in another arrangement
    import_files(plan([str(busy_hour)]), tmp_path / "two", batch_rows=3_000)
    import_files(plan([str(busy_hour)]), tmp_path / "two", batch_rows=7_000)
    assert _rows(tmp_path / "one") == _rows(tmp_path / "two")


def _hour(path: Path, events: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(b"\n".join(json.dumps(e).encode() for e in events)))
    return path


@pytest.mark.parametrize("first", ["smaller id", "larger id"])
def test_the_same_change_reported_twice_is_one_row_with_the_smallest_id(
    first: str, tmp_path: Path
) -> None:
    event = EVENTS["2025 IssuesEvent closed"]
    again = copy.deepcopy(event) | {"id": str(int(event["id"]) + 7)}
    other_actor = copy.deepcopy(event) | {"id": str(int(event["id"]) + 9)}
    other_actor["actor"] = {**event["actor"], "id": event["actor"]["id"] + 1}
    ordered = [event, again] if first == "smaller id" else [again, event]
    one = _hour(tmp_path / "in" / "2025-01-01-15.json.gz", [ordered[0]])
    two = _hour(tmp_path / "in" / "2025-01-01-16.json.gz", [ordered[1], other_actor])
    import_files(plan([str(one)]), tmp_path / "store")
    report = import_files(plan([str(two)]), tmp_path / "store")
    assert (report.events, report.stored, report.duplicates) == (2, 1, 1)
    ids = sorted(row[1] for row in _rows(tmp_path / "store"))
    assert ids == [event["id"], other_actor["id"]]  # the smaller id of the two reports
