"""The Parquet activity datasets: months, manifest, ranked deduplication, crash leftovers."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from ossmeta.errors import StoreError
from ossmeta.store.activity_files import DATASETS, ActivityFiles, new_owner

SCHEMA = DATASETS["events"].schema


def _events(*rows: dict[str, Any]) -> pa.Table:
    full = [dict.fromkeys(SCHEMA.names) | row for row in rows]
    return pa.Table.from_pylist(full, schema=SCHEMA)


def _row(key: str, source: str, month: str, kind: str = "IssuesEvent") -> dict[str, Any]:
    rank = {"gharchive": 1, "api": 2}[source]
    created = datetime.strptime(month + "-15", "%Y-%m-%d")
    return {
        "event_key": key,
        "source": source,
        "source_rank": rank,
        "month": month,
        "type": kind,
        "created_at": created,
    }


def _read(files: ActivityFiles) -> list[tuple[str, str, str]]:
    if not files.files():
        return []
    rows = duckdb.sql(
        "SELECT event_key, source, type FROM read_parquet($f) ORDER BY event_key",
        params={"f": files.files()},
    ).fetchall()
    return [(str(a), str(b), str(c)) for a, b, c in rows]


def test_rows_land_in_their_month_and_the_manifest_names_them(tmp_path: Path) -> None:
    files = ActivityFiles(tmp_path, "events")
    touched = files.append(
        _events(_row("a", "gharchive", "2024-01"), _row("b", "gharchive", "2024-03"))
    )
    assert touched == ["2024-01", "2024-03"]
    assert files.months() == ["2024-01", "2024-03"]
    assert [Path(f).parent.name for f in files.files()] == ["month=2024-01", "month=2024-03"]
    assert [Path(f).parent.name for f in files.files(since="2024-02")] == ["month=2024-03"]


def test_the_api_row_wins_over_the_archive_row_whatever_the_order(tmp_path: Path) -> None:
    first = ActivityFiles(tmp_path / "one", "events")
    first.append(_events(_row("k", "gharchive", "2024-01", "Archive")))
    first.append(_events(_row("k", "api", "2024-01", "Api")))
    second = ActivityFiles(tmp_path / "two", "events")
    second.append(_events(_row("k", "api", "2024-01", "Api")))
    second.append(_events(_row("k", "gharchive", "2024-01", "Archive")))
    assert first.compact() == 1
    assert second.compact() == 1
    assert _read(first) == _read(second) == [("k", "api", "Api")]


@pytest.mark.parametrize("order", [("Old", "New"), ("New", "Old")])
def test_among_equal_ranks_the_smallest_event_id_wins_whatever_the_order(
    tmp_path: Path, order: tuple[str, str]
) -> None:
    files = ActivityFiles(tmp_path, "events")
    ids = {"Old": "200", "New": "100"}
    for kind in order:
        files.append(_events(_row("k", "gharchive", "2024-01", kind) | {"event_id": ids[kind]}))
    assert files.compact(["2024-01"]) == 1
    assert _read(files) == [("k", "gharchive", "New")]  # event id 100, arrival irrelevant
    names = files.files()
    assert files.compact() == 0
    assert files.files() == names  # nothing to do: the file is not rewritten


def test_identical_ids_are_decided_by_the_row_values_not_the_arrival(tmp_path: Path) -> None:
    winners = set()
    for order in (("A", "B"), ("B", "A")):
        files = ActivityFiles(tmp_path / "".join(order), "events")
        for kind in order:
            files.append(_events(_row("k", "gharchive", "2024-01", kind) | {"event_id": "1"}))
        files.compact()
        winners.add(tuple(_read(files)))
    assert winners == {(("k", "gharchive", "A"),)}


def test_files_a_killed_write_left_behind_are_removed_by_the_next_write(tmp_path: Path) -> None:
    files = ActivityFiles(tmp_path, "events")
    files.append(_events(_row("a", "gharchive", "2024-01")))
    orphan = tmp_path / "events" / "month=2024-01" / "000000099-dead.parquet"
    orphan.write_bytes(b"half a file")
    assert _read(files) == [("a", "gharchive", "IssuesEvent")]  # readers never see it
    files.append(_events(_row("b", "gharchive", "2024-01")))
    assert not orphan.exists()
    assert [k for k, _, _ in _read(files)] == ["a", "b"]


def test_rows_without_a_month_are_refused(tmp_path: Path) -> None:
    files = ActivityFiles(tmp_path, "events")
    row = _row("a", "gharchive", "2024-01") | {"month": None}
    with pytest.raises(StoreError, match="without a month"):
        files.append(_events(row))
    assert files.files() == []


def test_a_damaged_manifest_is_a_one_line_store_error(tmp_path: Path) -> None:
    files = ActivityFiles(tmp_path, "events")
    files.append(_events(_row("a", "gharchive", "2024-01")))
    manifest = tmp_path / "events" / "manifest.json"
    manifest.write_text(json.dumps({"nope": 1}))
    with pytest.raises(StoreError, match="no 'files' object"):
        files.files()
    manifest.write_text("{")
    with pytest.raises(StoreError, match="cannot read the activity manifest"):
        files.files()


def test_commits_are_unique_per_repository_and_sha(tmp_path: Path) -> None:
    schema = DATASETS["commits"].schema
    files = ActivityFiles(tmp_path, "commits")
    row = dict.fromkeys(schema.names) | {"repo": "r", "sha": "s", "month": "2024-01"}
    files.append(pa.Table.from_pylist([row, row | {"sha": "t"}], schema=schema))
    files.append(pa.Table.from_pylist([row], schema=schema))
    assert files.compact() == 1
    count = duckdb.sql("SELECT count(*) FROM read_parquet($f)", params={"f": files.files()})
    assert count.fetchall() == [(2,)]


def test_an_unknown_dataset_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="unknown activity dataset"):
        ActivityFiles(tmp_path, "stars")


def test_staged_rows_are_unseen_until_published_then_merged_once(tmp_path: Path) -> None:
    files = ActivityFiles(tmp_path, "events")
    files.append(_events(_row("a", "gharchive", "2024-01")))
    owner = new_owner()
    assert files.stage(_events(_row("a", "gharchive", "2024-01")), owner) == ["2024-01"]
    files.stage(_events(_row("b", "gharchive", "2024-01"), _row("c", "api", "2024-02")), owner)
    assert [k for k, _, _ in _read(files)] == ["a"]  # readers see nothing staged
    assert files.staged_months(owner) == ["2024-01", "2024-02"]
    merged = files.publish(owner)
    assert (merged.dropped, merged.new, merged.months) == (1, 2, ("2024-01", "2024-02"))
    assert [k for k, _, _ in _read(files)] == ["a", "b", "c"]
    assert files.read_manifest().staged == {}


def test_what_a_dead_writer_staged_is_deleted_by_the_next_write(tmp_path: Path) -> None:
    files = ActivityFiles(tmp_path, "events")
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead, alive = f"{int(gone.stdout)}-dead", new_owner()
    files.stage(_events(_row("a", "gharchive", "2024-01")), dead)
    folder = tmp_path / "events" / "month=2024-01"
    (left,) = folder.iterdir()
    files.stage(_events(_row("b", "gharchive", "2024-01")), alive)  # the next write
    assert set(files.read_manifest().staged) == {alive}  # the living writer keeps its own
    assert not left.exists() and len(list(folder.iterdir())) == 1
    assert files.publish(dead).new == 0  # nothing left to publish for the dead one
    assert files.publish(alive).new == 1
    assert [k for k, _, _ in _read(files)] == ["b"]
