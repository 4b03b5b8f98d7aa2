"""Step 3 of a sync in a process of its own, so fetching and writing use two cores.

In one process they take turns on one core: Python runs one thread at a time, so a sync
costs its fetching plus its writing (normalizing, hashing, inserting). A writer process
makes it the larger of the two. The fetching process sends each batch of fetched
packages (raw records without their parsed payload: the writer stores the canonical JSON
and parses it there, as it does anyway) and waits for that batch's results before sending
the next; meanwhile its fetch workers go on filling the next batch.

Kill-safety is unchanged: each batch is still one transaction, and the writer asks Linux
to kill it when its parent dies (``PR_SET_PDEATHSIG``), so a killed sync leaves no writer
behind holding a half-written transaction; the transaction is simply rolled back. Where
that request is not available (not Linux), ``available()`` is false and the sync writes
in its own process.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import multiprocessing
import os
import queue
import signal
import sys
import traceback
from dataclasses import replace
from multiprocessing.context import SpawnProcess
from types import TracebackType
from typing import Any

from ossmeta.errors import UnavailableError
from ossmeta.pipelines.config import make_registry
from ossmeta.pipelines.sync.gc_settings import rare_collections
from ossmeta.pipelines.sync.registry import Endpoints, PackageFetch
from ossmeta.pipelines.sync.write import Outcome, write_batch
from ossmeta.store import open_store, store_failure

__all__ = ["ProcessWriter", "available"]

_PR_SET_PDEATHSIG = 1
_POLL = 0.5  # seconds between checks that the writer is still alive


def available() -> bool:
    return sys.platform.startswith("linux") and ctypes.util.find_library("c") is not None


def _die_with_parent(parent: int) -> None:
    # Ctrl-C reaches the whole process group; the parent decides what happens (it ends the
    # run and this process with it), so the writer prints no traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def _one_line(error: BaseException) -> str:
    """What the parent says about the writer's failure: the store's own words for a store
    failure (locked, read-only, full), else the exception's last line."""
    failure = store_failure(error)
    if failure is not None:
        return str(failure)
    lines = traceback.format_exception_only(error)
    return " ".join(lines[-1].split()) if lines else type(error).__name__


def _light(batch: list[tuple[int, str, Outcome]]) -> list[tuple[int, str, Outcome]]:
    """The batch without parsed payloads: the canonical JSON is all the writer stores."""
    shipped: list[tuple[int, str, Outcome]] = []
    for position, name, outcome in batch:
        if isinstance(outcome, PackageFetch):
            records = tuple((purl, replace(r, payload={})) for purl, r in outcome.records)
            outcome = replace(outcome, records=records)
        shipped.append((position, name, outcome))
    return shipped


def _serve(
    parent: int,
    store_url: str,
    registry: str,
    endpoints: Endpoints,
    run_id: int,
    inbox: Any,
    outbox: Any,
) -> None:
    _die_with_parent(parent)
    from ossmeta.pipelines.sync.run import utc_now  # the clock the sync itself uses

    store = open_store(store_url, access="write")
    adapter = make_registry(registry, endpoints)
    outbox.put(("ready", None))
    try:
        with rare_collections():  # this process is the sync's own
            while (batch := inbox.get()) is not None:
                try:
                    outbox.put(("ok", write_batch(store, adapter, run_id, batch, utc_now())))
                except BaseException as error:
                    outbox.put(("error", _one_line(error)))
                    return
    finally:
        store.dispose()


class ProcessWriter:
    """``async with ProcessWriter(...) as writer: results = await writer.write(batch)``."""

    ready = False

    def __init__(self, store_url: str, registry: str, endpoints: Endpoints, run_id: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._inbox = context.Queue(maxsize=2)
        self._outbox = context.Queue()
        self._process: SpawnProcess = context.Process(
            target=_serve,
            args=(os.getpid(), store_url, registry, endpoints, run_id, self._inbox, self._outbox),
            name="ossmeta-sync-writer",
            daemon=True,
        )

    async def __aenter__(self) -> ProcessWriter:
        self._process.start()
        self.ready = await asyncio.to_thread(self._await_ready)
        return self

    def _await_ready(self) -> bool:
        """Whether the writer started. It may not: "spawn" re-imports the main module, which
        fails for a program read from stdin, for one; the sync then writes in-process."""
        while True:
            try:
                status, _ = self._outbox.get(timeout=_POLL)
                return bool(status == "ready")
            except queue.Empty:
                if not self._process.is_alive():
                    return False

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self._stop)

    def _stop(self) -> None:
        if self._process.is_alive():
            self._inbox.put(None)
            self._process.join(timeout=60)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()

    async def write(self, batch: list[tuple[int, str, Outcome]]) -> list[str]:
        return await asyncio.to_thread(self._roundtrip, _light(batch))

    def _roundtrip(self, batch: list[tuple[int, str, Outcome]]) -> list[str]:
        self._inbox.put(batch)
        while True:
            try:
                status, value = self._outbox.get(timeout=_POLL)
            except queue.Empty:
                if not self._process.is_alive():
                    raise UnavailableError(
                        f"the sync's writer process ended (exit code {self._process.exitcode}); "
                        "run the same command again to resume"
                    ) from None
                continue
            if status == "error":
                raise UnavailableError(f"the sync's writer process failed: {value}")
            results: list[str] = value
            return results
