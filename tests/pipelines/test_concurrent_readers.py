"""``metrics compute`` while ``events import`` and ``git import`` compact the same months:
all succeed, and the metrics are those of a sequential run (of some order of the three).

The first test makes the overlap certain: the metric engine's first query starts both
imports, after the reader registered its files and before it reads them, with no grace
period, so without a reader pin the files would be deleted under the queries. The second
runs the three commands as real processes at once."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from bench.synth_gharchive import generate

from ossmeta.analyses.metrics.compute import ActivityInputs, compute_metrics
from ossmeta.analyses.metrics.engine import DuckDBEngine
from ossmeta.analyses.metrics.model import Context
from ossmeta.analyses.metrics.run import facts_table
from ossmeta.pipelines.events_import import import_files, plan
from ossmeta.pipelines.git_import import import_git
from ossmeta.store import open_store
from ossmeta.store.activity_files import ActivityFiles
from ossmeta.store.metrics import Metrics
from ossmeta.surfaces.cli.app import main
from tests.gitrepo import Repo

AS_OF = datetime(2026, 1, 1)
IDENTITIES = pa.schema(
    [
        ("identity", pa.string()),
        ("person", pa.string()),
        ("display", pa.string()),
        ("is_bot", pa.bool_()),
        ("rules", pa.string()),
    ]
)


def _commit(repo: Repo, n: int) -> None:
    # 2024-01-10 + n hours: every commit in one month, so the second import compacts it
    repo.commit(
        f"change {n}", {f"file{n}": b"x\n" * n}, author_date=f"{1704873600 + n * 3600} +0000"
    )


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Hours of GH Archive (Sep 30 to Oct 1 2025: two months), the first two imported; a git
    repository with two commits imported and a third not yet."""
    monkeypatch.setenv("OSSMETA_ACTIVITY_GRACE_S", "0")
    monkeypatch.setenv("OSSMETA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("OSSMETA_DATABASE_URL", raising=False)
    hours = tmp_path / "hours"
    generate(
        hours, 2_400, seed=3, per_hour=600, start=datetime(2025, 9, 30, 22, tzinfo=UTC), level=1
    )
    for path in sorted(hours.iterdir())[:2]:
        import_files(plan([str(path)]), tmp_path / "home" / "activity")
    repo = Repo.init(tmp_path / "repo")
    _commit(repo, 1)
    _commit(repo, 2)
    store = open_store(None)
    store.upgrade()
    import_git(str(repo.path), store, tmp_path / "home" / "activity", "local/repo")
    _commit(repo, 3)
    store.dispose()
    return tmp_path


def _compute(home: Path, engine: DuckDBEngine) -> pa.Table:
    root = home / "activity"
    store = open_store(None)
    try:
        inputs = ActivityInputs(root, IDENTITIES.empty_table(), facts_table(store))
        return compute_metrics(engine, inputs, Context(None, AS_OF))
    finally:
        engine.close()
        store.dispose()


def _import_rest(world: Path) -> None:
    """The last two hours (October, a month already stored) and the third commit."""
    root = world / "home" / "activity"
    for path in sorted((world / "hours").iterdir())[2:]:
        import_files(plan([str(path)]), root)
    store = open_store(None)
    try:
        import_git(str(world / "repo"), store, root, "local/repo")
    finally:
        store.dispose()


class _ImportsBeforeFirstQuery(DuckDBEngine):
    """Runs the imports once, between registering the views and the first query."""

    def __init__(self, world: Path) -> None:
        super().__init__(threads=1)
        self.world: Path | None = world

    def query(self, sql: str) -> pa.Table:
        if self.world is not None:
            world, self.world = self.world, None
            before = _generations(world)
            _import_rest(world)
            assert all(a > b for a, b in zip(_generations(world), before, strict=True))
        return super().query(sql)


def _generations(world: Path) -> list[int]:
    root = world / "home" / "activity"
    return [ActivityFiles(root, name).read_manifest().generation for name in ("events", "commits")]


def test_a_reader_keeps_its_files_while_both_imports_compact_its_months(
    world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(world / "home", tmp_path / "before")
    monkeypatch.setenv("OSSMETA_HOME", str(tmp_path / "before"))
    sequential = _compute(tmp_path / "before", DuckDBEngine(threads=1))
    monkeypatch.setenv("OSSMETA_HOME", str(world / "home"))
    overlapped = _compute(world / "home", _ImportsBeforeFirstQuery(world))
    assert overlapped.num_rows > 0
    assert overlapped.equals(sequential)
    # the imports did compact: the retired files go with the next write, no reader left
    ActivityFiles(world / "home" / "activity", "events").compact()
    assert ActivityFiles(world / "home" / "activity", "events").read_manifest().retired == []


def _ossmeta(home: Path, *args: str) -> subprocess.Popen[bytes]:
    environment = dict(os.environ, OSSMETA_HOME=str(home), OSSMETA_ACTIVITY_GRACE_S="0")
    return subprocess.Popen(
        [sys.executable, "-m", "ossmeta", *args],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _stored_metrics(home: Path) -> set[tuple[object, ...]]:
    store = open_store(f"sqlite:///{home / 'ossmeta.db'}")
    try:
        values = [v for _, listed in Metrics(store).every_subject() for v in listed]
    finally:
        store.dispose()
    # "days since" counts from the moment of the run: not comparable between runs
    return {
        (v.subject, v.metric, v.period, v.value, json.dumps(v.detail))
        for v in values
        if not v.metric.startswith("days_since")
    }


def _finished(process: subprocess.Popen[bytes]) -> None:
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err.decode()


def _in_process(monkeypatch: pytest.MonkeyPatch, home: Path, *args: str) -> None:
    """A command run sequentially, in this process (no interpreter to start)."""
    monkeypatch.setenv("OSSMETA_HOME", str(home))
    assert main(list(args)) == 0


@pytest.mark.slow
def test_real_processes_overlap_and_give_a_sequential_result(
    world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = world / "home"
    before, after = tmp_path / "seq-before", tmp_path / "seq-after"
    shutil.copytree(home, before)
    # every hour again, the two stored ones too: readers must not see their rows twice
    rest = [str(p) for p in sorted((world / "hours").iterdir())]
    git = ("git", "import", str(world / "repo"), "--repo", "local/repo")
    running = [
        _ossmeta(home, "metrics", "compute"),
        _ossmeta(home, "events", "import", *rest),
        _ossmeta(home, *git),
    ]
    for process in running:
        _finished(process)
    shutil.copytree(before, after)
    _in_process(monkeypatch, after, "events", "import", *rest)
    _in_process(monkeypatch, after, *git)
    for sequential in (before, after):
        _in_process(monkeypatch, sequential, "metrics", "compute")
    # The two datasets are published independently, so the run may have read either
    # state of each: any order of the three commands run one after the other. The
    # repository of git is the only subject of the commits; events make the rest.
    got = _by_dataset(_stored_metrics(home))
    sequential = [_by_dataset(_stored_metrics(h)) for h in (before, after)]
    assert got["commits"] and got["events"]
    for dataset in ("commits", "events"):
        assert got[dataset] in [s[dataset] for s in sequential], dataset


def _by_dataset(values: set[tuple[object, ...]]) -> dict[str, set[tuple[object, ...]]]:
    git = {v for v in values if str(v[0]).startswith("local/")}
    return {"commits": git, "events": values - git}
