"""Killing ``ossmeta sync`` at random points and running it again gives exactly the store
an uninterrupted sync gives, on SQLite and on PostgreSQL.

The sync runs as a real process (the command line, its own event loop and connections) and
is killed with SIGKILL, so nothing gets to clean up: whatever a transaction had not
committed is simply gone. The reference store is filled by an uninterrupted sync of the
same universe; the two are compared by content (ids and times differ by design).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from ossmeta.pipelines.sync.pypi import PypiRegistry
from ossmeta.pipelines.sync.run import SyncRequest, run_sync
from ossmeta.sources.http import Fetcher, HttpSettings
from ossmeta.store import Store, open_store
from ossmeta.store.packages import load_package
from ossmeta.store.schema import (
    current_records,
    fetch_validators,
    packages,
    raw_records,
    sync_cursors,
    sync_run_items,
    sync_runs,
    sync_status,
)
from tests.loopback import Loopback, serve
from tests.registry_server import Universe

KILLS = 10
DELAY = 0.004  # seconds per request, so a sync lasts long enough to be cut anywhere


@pytest.fixture
def slow_registry() -> Iterator[tuple[Universe, Loopback]]:
    universe = Universe.make(pypi=120, versions=5, seed=7)
    universe.faults[universe.pypi_names[3]] = "500"  # failures must resume identically too

    def handler(method: str, raw: str, headers: dict[str, str], body: bytes) -> Any:
        time.sleep(DELAY)
        return universe.handler(loopback.origin)(method, raw, headers, body)

    with serve(handler, quiet=True) as loopback:
        yield universe, loopback


def snapshot(store: Store) -> dict[str, Any]:
    """The store's content without ids and times."""
    with store.engine.connect() as c:
        purls = sorted(c.execute(select(packages.c.purl)).scalars())
        return {
            "raw": sorted(
                c.execute(
                    select(
                        raw_records.c.kind, raw_records.c.external_id, raw_records.c.content_hash
                    )
                ).all()
            ),
            "current": sorted(
                c.execute(
                    select(
                        current_records.c.kind,
                        current_records.c.external_id,
                        current_records.c.package,
                        raw_records.c.content_hash,
                    ).join(raw_records, raw_records.c.id == current_records.c.raw_record_id)
                ).all()
            ),
            "packages": [load_package(c, purl) for purl in purls],
            "validators": sorted(
                c.execute(select(fetch_validators.c.url, fetch_validators.c.etag)).all()
            ),
            "status": sorted(
                c.execute(
                    select(
                        sync_status.c.registry,
                        sync_status.c.name,
                        sync_status.c.purl,
                        sync_status.c.error_kind,
                    )
                ).all()
            ),
            "cursors": sorted(
                c.execute(select(sync_cursors.c.registry, sync_cursors.c.cursor)).all()
            ),
            "unfinished": c.execute(
                select(sync_runs.c.id).where(sync_runs.c.finished_at.is_(None))
            ).all(),
        }


def done_so_far(store: Store) -> int:
    """Work items ticked off so far (0 before the first run stored its list)."""
    try:
        with store.engine.connect() as c:
            return int(
                c.execute(
                    select(func.count()).select_from(sync_run_items).where(sync_run_items.c.done)
                ).scalar_one()
            )
    except DBAPIError:  # no schema yet: the first process has not created it
        return 0


def survivors(home: str, wait: float = 5.0) -> list[int]:
    """Processes still running with this test's OSSMETA_HOME (a writer process outliving
    its killed sync would be one), after giving the kernel ``wait`` seconds to end them."""
    marker = f"OSSMETA_HOME={home}".encode()
    deadline = time.monotonic() + wait
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) != os.getpid():
                try:
                    if marker in (entry / "environ").read_bytes().split(b"\0"):
                        found.append(int(entry.name))
                except OSError:  # gone meanwhile, or not ours to read
                    continue
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def command(url: str, origin: str, names: list[str]) -> list[str]:
    return [
        sys.executable, "-m", "ossmeta", "sync", "pypi", *names,
        "--registry-url", origin, "--rate", "0", "--concurrency", "8", "--db", url,
    ]  # fmt: skip


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_killed_syncs_resume_to_the_uninterrupted_store(
    backend: str,
    slow_registry: tuple[Universe, Loopback],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    universe, loopback = slow_registry
    names = universe.pypi_names
    url = (
        f"sqlite:///{tmp_path / 'killed.db'}"
        if backend == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    env = {**os.environ, "OSSMETA_HOME": str(tmp_path / "home"), "NO_COLOR": "1"}
    env.pop("OSSMETA_CONFIG", None)
    rng = random.Random(20261127)
    progress: set[int] = set()
    kills = 0
    attempts = 0
    watcher = open_store(url)
    watcher.upgrade()  # only 'ossmeta db upgrade' creates a store; sync writes into one
    while kills < KILLS:
        attempts += 1
        assert attempts < 4 * KILLS, "the sync kept finishing before it could be killed"
        process = subprocess.Popen(
            command(url, loopback.origin, names),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if kills % 3 == 2:
            # Anywhere at all: start-up, migration, storing the work list, fetching.
            time.sleep(rng.uniform(0.05, 2.0))
        else:
            # Once a few more packages are committed, so the kills spread over the work
            # and never let it finish (at most 8 items each, 120 to do).
            target = done_so_far(watcher) + rng.randint(1, 8)
            deadline = time.monotonic() + 60
            while process.poll() is None and time.monotonic() < deadline:
                if done_so_far(watcher) >= target:
                    break
                time.sleep(0.005)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
        assert not survivors(env["OSSMETA_HOME"]), "a killed sync left its writer process"
        progress.add(done_so_far(watcher))
    watcher.dispose()
    # The kills landed at different points of the work, not all before it started.
    assert len({p for p in progress if 0 < p < len(names)}) >= 5, progress
    finished = subprocess.run(
        command(url, loopback.origin, names), env=env, capture_output=True, text=True
    )
    assert finished.returncode == 1, finished.stderr  # one package fails by design
    assert universe.pypi_names[3] in finished.stderr

    reference = open_store(f"sqlite:///{tmp_path / 'reference.db'}")
    reference.upgrade()

    async def uninterrupted() -> None:
        settings = HttpSettings(
            rate_per_host=None, max_concurrency=8, trust_env=False, backoff_base=0.01
        )
        async with Fetcher(settings) as fetcher:
            await run_sync(
                reference, PypiRegistry(loopback.origin), SyncRequest(tuple(names)), fetcher
            )

    asyncio.run(uninterrupted())
    killed = open_store(url)
    got, want = snapshot(killed), snapshot(reference)
    killed.dispose()
    reference.dispose()
    assert len(want["packages"]) == len(names) - 1
    assert got == want
