"""Readers of the activity datasets never lose their files: a snapshot pins a manifest
generation, compaction retires the files it supersedes instead of deleting them, and a later
write deletes them only when no fresh pin holds them and the grace period has passed."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from ossmeta.store.activity_files import DATASETS, ActivityFiles
from ossmeta.store.activity_pins import Pin, held_generations
from ossmeta.store.activity_snapshot import activity_snapshot

SCHEMA = DATASETS["events"].schema


def _events(*keys: str, month: str = "2024-01") -> pa.Table:
    created = datetime.strptime(month + "-15", "%Y-%m-%d")
    rows = [
        dict.fromkeys(SCHEMA.names)
        | {"event_key": k, "event_id": k, "source_rank": 1, "month": month, "created_at": created}
        for k in keys
    ]
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def _keys(paths: list[str]) -> list[str]:
    found = duckdb.sql(
        "SELECT event_key FROM read_parquet($f) ORDER BY ALL", params={"f": paths}
    ).fetchall()
    return [str(key) for (key,) in found]


def _two_files(root: Path, grace_s: float) -> ActivityFiles:
    files = ActivityFiles(root, "events", grace_s=grace_s)
    files.append(_events("a", "b"))
    files.append(_events("b", "c"))
    return files


def test_a_pinned_generation_keeps_its_files_through_compaction(tmp_path: Path) -> None:
    files = _two_files(tmp_path, grace_s=0)
    with activity_snapshot(tmp_path, ["events"], grace_s=0) as snapshot:
        pinned = snapshot.files("events")
        assert files.compact() == 1
        files.append(_events("d"))  # a later write: the pin still holds the retired files
        assert all(Path(p).exists() for p in pinned)
        assert _keys(pinned) == ["a", "b", "b", "c"]  # what the reader saw, unchanged
    files.append(_events("e"))  # no reader left, no grace: now they go
    assert not any(Path(p).exists() for p in pinned)
    assert files.read_manifest().retired == []
    assert _keys(files.files()) == ["a", "b", "c", "d", "e"]


def test_without_readers_the_grace_period_alone_keeps_superseded_files(tmp_path: Path) -> None:
    files = _two_files(tmp_path, grace_s=3600)
    before = files.files()
    files.compact()
    files.append(_events("d"))
    assert all(Path(p).exists() for p in before)  # a Spark reader elsewhere may read them
    retired = files.read_manifest().retired
    assert [sorted(r.files) for r in retired] == [
        sorted(f"month=2024-01/{Path(p).name}" for p in before)
    ]
    ActivityFiles(tmp_path, "events", grace_s=0).append(_events("e"))
    assert not any(Path(p).exists() for p in before)


def test_the_manifest_only_adds_fields(tmp_path: Path) -> None:
    files = _two_files(tmp_path, grace_s=3600)
    files.compact()
    body: dict[str, Any] = json.loads((tmp_path / "events" / "manifest.json").read_text())
    assert set(body) == {"files", "generation", "retired", "staged"}
    assert body["generation"] == 3  # two appends, one compaction
    (name,) = body["files"]["2024-01"]  # names relative to month=YYYY-MM, as before
    assert (tmp_path / "events" / "month=2024-01" / name).exists()
    (retired,) = body["retired"]
    assert retired["generation"] == 2  # the last generation that used them
    assert all((tmp_path / "events" / f).exists() for f in retired["files"])


def test_stale_pins_do_not_hold_files(tmp_path: Path) -> None:
    files = _two_files(tmp_path, grace_s=0)
    readers = tmp_path / "events" / "readers"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    host = socket.gethostname()
    readers.mkdir()
    (readers / "dead.json").write_text(
        json.dumps(
            {"generation": 1, "host": host, "pid": int(dead.stdout), "heartbeat": time.time()}
        )
    )
    old = {"generation": 1, "host": "elsewhere", "pid": 1, "heartbeat": time.time() - 601}
    (readers / "old.json").write_text(json.dumps(old))
    assert held_generations(tmp_path / "events", 0, time.time()) == set()
    assert list(readers.iterdir()) == []  # removed, so the next writer need not look again
    fresh = Pin.create(tmp_path / "events", 2)
    assert held_generations(tmp_path / "events", 0, time.time()) == {2}
    fresh.release()
    before = files.files()
    files.compact()
    assert not any(Path(p).exists() for p in before)


def test_a_half_written_pin_holds_everything(tmp_path: Path) -> None:
    files = _two_files(tmp_path, grace_s=0)
    readers = tmp_path / "events" / "readers"
    readers.mkdir()
    (readers / f"{os.getpid()}-torn.json").write_text('{"generation": 1, "hea')
    before = files.files()
    files.compact()
    assert all(Path(p).exists() for p in before)


def test_a_reader_of_a_store_never_written_gets_nothing_and_writes_nothing(
    tmp_path: Path,
) -> None:
    with activity_snapshot(tmp_path) as snapshot:
        assert snapshot.files("events") == []
        assert snapshot.months("commits") == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("grace", ["0", "12.5", "not a number"])
def test_the_grace_period_comes_from_the_environment(
    grace: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OSSMETA_ACTIVITY_GRACE_S", grace)
    expected = {"0": 0.0, "12.5": 12.5, "not a number": 3600.0}[grace]
    assert ActivityFiles(tmp_path, "events").grace_s == expected
