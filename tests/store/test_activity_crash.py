"""Compaction killed with SIGKILL at every durable step (``OSSMETA_CRASH_AFTER_SYNCS``) leaves
a readable store that holds every event, before the swap as the old files, after it as the
compacted ones; the next write removes the leftovers and compacts to each event once."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from ossmeta.store.activity_files import DATASETS, ActivityFiles

SCHEMA = DATASETS["events"].schema
MONTHS = ("2024-01", "2024-02")
# Each month: three appends, the second repeating half of the first (an import run twice).
COMPACT = (
    "import sys; from ossmeta.store.activity_files import ActivityFiles as A; "
    "from pathlib import Path; A(Path(sys.argv[1]), 'events').compact()"
)


def _events(month: str, numbers: range) -> pa.Table:
    created = datetime.strptime(month + "-15", "%Y-%m-%d")
    rows = [
        dict.fromkeys(SCHEMA.names)
        | {
            "event_key": f"{month}:{n}",
            "event_id": str(n),
            "source_rank": 1,
            "month": month,
            "created_at": created,
        }
        for n in numbers
    ]
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def _stored(root: Path) -> Counter[str]:
    files = ActivityFiles(root, "events").files()
    found = duckdb.sql("SELECT event_key FROM read_parquet($f)", params={"f": files}).fetchall()
    return Counter(str(key) for (key,) in found)


def _on_disk(root: Path) -> set[str]:
    return {p.name for p in (root / "events").glob("month=*/*")}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("seeded")
    files = ActivityFiles(root, "events")
    for month in MONTHS:
        files.append(_events(month, range(40)))
        files.append(_events(month, range(20, 60)))
        files.append(_events(month, range(60, 70)))
    return root


def _compact_killed_at(root: Path, step: int) -> int:
    environment = dict(os.environ, OSSMETA_CRASH_AFTER_SYNCS=str(step))
    environment["OSSMETA_ACTIVITY_GRACE_S"] = "0"
    done = subprocess.run(
        [sys.executable, "-c", COMPACT, str(root)],
        env=environment,
        capture_output=True,
        check=False,
    )
    return done.returncode


def test_compaction_killed_at_any_step_loses_and_duplicates_nothing(
    seeded: Path, tmp_path: Path
) -> None:
    expected = Counter(f"{m}:{n}" for m in MONTHS for n in range(70))
    before = _stored(seeded)
    assert set(before) == set(expected) and before != expected  # duplicates to remove
    # Steps of this compaction: three per new file (sync it, sync its folder before and
    # after the rename), three for the manifest. Killing at each one covers every point
    # where the disk changes; past the last, the run completes.
    killed = 0
    for step in range(1, 3 * len(MONTHS) + 3 + 2):
        root = tmp_path / f"step-{step}"
        shutil.copytree(seeded, root)
        code = _compact_killed_at(root, step)
        if code == 0:
            assert _stored(root) == expected
            continue
        assert code == -signal.SIGKILL
        killed += 1
        after = _stored(root)  # readable, and exactly the old or the new state
        assert after in (before, expected), step
        # the next write removes what the killed one left, and compaction finishes the job
        files = ActivityFiles(root, "events", grace_s=0)
        files.append(_events("2024-04", range(1)))
        files.compact()
        assert _stored(root) == expected + Counter({"2024-04:0": 1})
        live = {Path(p).name for p in files.files()}
        assert _on_disk(root) == live  # no temporary, orphaned or retired file left
    assert killed == 3 * len(MONTHS) + 3  # every step was reached once
