"""What the review found in ``advisories import``: two imports at once (both succeed, one
waits), records with the same ``modified`` but different content (one order-free winner,
and the import says which), and a directory with several bad files (every one named,
nothing stored)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ossmeta.errors import OssmetaError, StoreError
from ossmeta.sources import osv
from ossmeta.store import Store, open_store
from ossmeta.store.advisories import AdvisoryImporter, ImportStats, RejectedImport
from ossmeta.store.lookup import AdvisoryLookup
from ossmeta.store.schema import advisories, raw_records
from ossmeta.store.writers import take_writer_lock
from tests.store.test_advisory_store import record, write


def run_import(store: Store, *paths: Path) -> ImportStats:
    problems: list[OssmetaError] = []
    files = osv.expand([str(p) for p in paths])
    return AdvisoryImporter(store).run(osv.iter_records(files, None, problems), problems=problems)


def count(store: Store, table: object) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_two_imports_at_once_both_succeed(store: Store, store_url: str, tmp_path: Path) -> None:
    # Enough records that the two processes' transactions overlap; the same records in
    # both, so without a writer lock both decide "new" and collide on the unique hash.
    folder = tmp_path / "osv"
    folder.mkdir()
    for n in range(1500):
        item = record(f"PYSEC-2024-{n}", fixed=f"1.{n}")
        (folder / f"{n}.json").write_text(json.dumps(item))
    command = [
        sys.executable,
        "-m",
        "ossmeta",
        "advisories",
        "import",
        str(folder),
        "--db",
        store_url,
    ]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    runs = [
        subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        for _ in range(2)
    ]
    outcomes = [(run.returncode, run.communicate(timeout=300)[1]) for run in runs]
    outcomes = [(run.returncode, err) for run, (_, err) in zip(runs, outcomes, strict=True)]
    for code, err in outcomes:
        assert code == 0, err
        assert "UNIQUE" not in err and "duplicate key" not in err
    assert count(store, advisories) == 1500
    assert count(store, raw_records) == 1500
    # One of them stored everything, the other found it all already stored.
    summaries = sorted(err.strip().splitlines()[-1] for _, err in outcomes)
    assert summaries[0].startswith("read 1500 records: 0 new") or summaries[1].startswith(
        "read 1500 records: 0 new"
    ), summaries


def _fixed(store: Store, advisory_id: str) -> str:
    shown = AdvisoryLookup(store).show(advisory_id)
    assert shown is not None
    return str(shown.record["affected"][0]["ranges"][0]["events"][1]["fixed"])


def _fresh(tmp_path: Path, name: str) -> Store:
    other = open_store(f"sqlite:///{tmp_path / name}")
    other.upgrade()
    return other


def test_same_modified_different_content_has_one_winner_whatever_the_order(
    store: Store, tmp_path: Path
) -> None:
    a = write(tmp_path / "a", record("PYSEC-1", fixed="2.0"))
    b = write(tmp_path / "b", record("PYSEC-1", fixed="3.0"))
    run_import(store, a)
    stats = run_import(store, b)
    assert len(stats.ties) == 1
    assert stats.ties[0].startswith("PYSEC-1: two records share modified 2024-01-01")
    kept_ab = _fixed(store, "PYSEC-1")
    shown = AdvisoryLookup(store).show("PYSEC-1")
    assert shown is not None and f"kept {shown.locator}" in stats.ties[0]

    reverse = _fresh(tmp_path, "reverse.db")
    run_import(reverse, b)
    assert len(run_import(reverse, a).ties) == 1
    assert _fixed(reverse, "PYSEC-1") == kept_ab

    # Both in one import, in either file order: the same winner again.
    for name, (first, second) in {"one.db": ("2.0", "3.0"), "two.db": ("3.0", "2.0")}.items():
        folder = tmp_path / name.removesuffix(".db")
        folder.mkdir()
        (folder / "1.json").write_text(json.dumps(record("PYSEC-1", fixed=first)))
        (folder / "2.json").write_text(json.dumps(record("PYSEC-1", fixed=second)))
        single = _fresh(tmp_path, name)
        assert len(run_import(single, folder).ties) == 1
        assert _fixed(single, "PYSEC-1") == kept_ab
        single.dispose()
    reverse.dispose()


def test_every_bad_file_is_named_and_nothing_is_stored(store: Store, tmp_path: Path) -> None:
    folder = write(tmp_path / "osv", record("PYSEC-1"), record("PYSEC-2"))
    (folder / "broken.json").write_text("{not json")
    (folder / "list.json").write_text("[1, 2]")
    (folder / "noid.json").write_text(json.dumps({"modified": "2024-01-01T00:00:00Z"}))
    (folder / "badtime.json").write_text(json.dumps(record("PYSEC-3", modified="yesterday")))
    with pytest.raises(RejectedImport) as caught:
        run_import(store, folder)
    named = sorted(str(problem).split(":")[0] for problem in caught.value.problems)
    assert [Path(n).name for n in named] == [
        "badtime.json",
        "broken.json",
        "list.json",
        "noid.json",
    ]
    assert "4 bad inputs" in str(caught.value)
    assert count(store, raw_records) == 0
    assert count(store, advisories) == 0


def test_cli_lists_every_bad_file(store: Store, store_url: str, tmp_path: Path) -> None:
    folder = write(tmp_path / "osv", record("PYSEC-1"))
    (folder / "a.json").write_text("{")
    (folder / "b.yaml").write_text("id: [")
    done = subprocess.run(
        [sys.executable, "-m", "ossmeta", "advisories", "import", str(folder), "--db", store_url],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert any("a.json" in line for line in lines), lines
    assert any("b.yaml" in line for line in lines), lines
    assert "nothing was imported" in lines[-1]
    assert "Traceback" not in done.stderr


def test_a_writer_waits_for_another_and_then_says_which_aggregate_is_busy(
    store: Store, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OSSMETA_LOCK_TIMEOUT", "0.2")  # each SQLite try waits this long
    store = open_store(store_url, access="write")
    ticks = iter([0.0, 0.25, 1.0])  # start, after a first try, after a second
    told: list[str] = []
    with store.engine.connect() as holder, holder.begin():
        take_writer_lock(holder, "advisories")
        with store.engine.connect() as other, other.begin():
            with pytest.raises(StoreError, match="another process has been writing advisories"):
                take_writer_lock(
                    other, "advisories", wait=0.5, waiting=told.append, clock=lambda: next(ticks)
                )
            if store.dialect == "postgresql":  # SQLite has one lock for the whole file
                take_writer_lock(other, "curations", wait=0.5)  # another aggregate is free
    if store.dialect == "sqlite":
        assert told == ["waiting for another process that is writing advisories"]
    with store.engine.connect() as later, later.begin():
        take_writer_lock(later, "advisories", wait=0.5)  # released with the holder's transaction
    store.dispose()
