"""``ossmeta sync``: fetch packages from a registry, keep the raw documents, normalize them.

Steps, each a function below:

1. **Work list.** Resume the unfinished run of the same request if a sync was killed;
   otherwise make the list (the names given, or what changed after the stored cursor) and
   store it before fetching anything.
2. **Fetch.** A few workers take names off the list; each reads what the store holds for
   its package (validators for conditional requests, documents already current), then
   fetches through the shared ``Fetcher`` (retries, backoff, Retry-After, per-host rate,
   concurrency bound).
3. **Write.** One transaction per package, one writer at a time: raw records, current
   pointers, validators, the normalized rows, the outcome and the tick on the work list
   commit together, so a kill leaves each package wholly written or not at all.
4. **Finish.** Store the cursor the run was for and close the run.

A package that fails (timeout, 5xx after retries, malformed document, a POM parent loop)
gets its error recorded and the run goes on; failures are listed at the end and in
``ossmeta quality``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ossmeta.errors import InputError, NormalizeError, UsageError
from ossmeta.pipelines.sync.process import ProcessWriter, available
from ossmeta.pipelines.sync.registry import Endpoints, Known, Registry
from ossmeta.pipelines.sync.write import BATCH, Failed, Outcome, write_batch
from ossmeta.sources.http import Fetcher, FetchError
from ossmeta.store import Store
from ossmeta.store.sync_state import Failure, Run
from ossmeta.store.sync_store import SyncState

Clock = Callable[[], datetime]
Batch = list[tuple[int, str, Outcome]]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SyncRequest:
    names: tuple[str, ...] = ()
    changed: bool = False

    def key(self) -> dict[str, object]:
        """What identifies the request, so a re-run of the same command resumes it."""
        return {"changed": self.changed, "names": sorted(set(self.names))}


@dataclass(slots=True)
class SyncReport:
    registry: str
    total: int = 0
    resumed_from: int | None = None  # items already done by a killed run
    written: int = 0
    unchanged: int = 0
    failed: int = 0
    notes: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


# Called after each package with (name, outcome): "written", "unchanged" or "failed".
Progress = Callable[[str, str], None]


async def _work_list(
    store: Store, registry: Registry, request: SyncRequest, fetcher: Fetcher, now: Clock
) -> tuple[Run, list[str]]:
    """Step 1: the run to work on, resumed or new, and notes for the user."""
    key = request.key()
    state = SyncState(store)
    run = state.unfinished_run(registry.name, key)
    if run is not None:
        return run, [
            f"resuming the interrupted sync: {run.total - len(run.pending)} of {run.total} done"
        ]
    notes: list[str] = []
    target: str | None = None
    if request.changed:
        changes = await registry.changes(fetcher, state.cursor(registry.name))
        names = list(changes.names)
        target = changes.cursor or None
        if changes.note:
            notes.append(changes.note)
        if not names and not target:  # no feed: re-check everything held
            names = _held_names(store, registry)
        names = list(dict.fromkeys([*names, *request.names]))
    else:
        names = list(dict.fromkeys(request.names))
        for name in names:
            registry.purl(name)  # a name the registry cannot have is a usage error, up front
    return state.open_run(registry.name, key, names, target, now()), notes


def _held_names(store: Store, registry: Registry) -> list[str]:
    held = SyncState(store).held_documents(registry.source, registry.anchor_kind)
    named = (registry.name_of(purl, documents) for purl, documents in held)
    return [name for name in named if name is not None]


def _known(store: Store, registry: Registry, name: str) -> Known:
    held = SyncState(store).held(
        registry.purl(name), registry.anchor_kind, registry.validator_keys(name)
    )
    return Known(held.validators, held.documents, held.anchors)


async def run_sync(
    store: Store,
    registry: Registry,
    request: SyncRequest,
    fetcher: Fetcher,
    *,
    progress: Progress | None = None,
    on_total: Callable[[int, int], None] | None = None,
    now: Clock = utc_now,
    writer_process: Endpoints | None = None,
) -> SyncReport:
    """Run (or resume) one sync; see the module docstring for the steps. With
    ``writer_process`` (the registry's endpoints, to rebuild its adapter there) step 3 runs
    in a process of its own where the platform allows (``sync.process``)."""
    if not request.changed and not request.names:
        raise UsageError("name the packages to sync, or pass --changed")
    spawn = writer_process if writer_process is not None and available() else None
    return await _run(store, registry, request, fetcher, progress, on_total, now, spawn)


async def _run(
    store: Store,
    registry: Registry,
    request: SyncRequest,
    fetcher: Fetcher,
    progress: Progress | None,
    on_total: Callable[[int, int], None] | None,
    now: Clock,
    spawn: Endpoints | None,
) -> SyncReport:
    run, notes = await _work_list(store, registry, request, fetcher, now)
    report = SyncReport(registry.name, total=run.total, notes=notes)
    if len(run.pending) < run.total:
        report.resumed_from = run.total - len(run.pending)
    if on_total:
        on_total(run.total, run.total - len(run.pending))
    pending = iter(run.pending)
    written: asyncio.Queue[tuple[int, str, Outcome] | None] = asyncio.Queue(maxsize=4 * BATCH)

    async def worker() -> None:
        for position, name in pending:
            outcome: Outcome
            try:
                known = await asyncio.to_thread(_known, store, registry, name)
                outcome = await registry.fetch(fetcher, name, known)
            except (FetchError, InputError, NormalizeError) as error:
                outcome = Failed.of(error)
            await written.put((position, name, outcome))

    async def writer(
        write: Callable[[list[tuple[int, str, Outcome]]], Awaitable[list[str]]],
    ) -> None:
        finished = False
        while not finished:
            first = await written.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < BATCH and not written.empty():
                item = written.get_nowait()
                if item is None:
                    finished = True
                    break
                batch.append(item)
            results = await write(batch)
            for (_, name, _), result in zip(batch, results, strict=True):
                setattr(report, result, getattr(report, result) + 1)
                if progress:
                    progress(name, result)

    async def fetch_all() -> None:
        workers = max(1, min(fetcher.settings.max_concurrency, len(run.pending)))
        try:
            await asyncio.gather(*(worker() for _ in range(workers)))
        finally:
            await written.put(None)

    async def in_thread(batch: Batch) -> list[str]:
        return await asyncio.to_thread(write_batch, store, registry, run.id, batch, now())

    if spawn is None:
        await asyncio.gather(fetch_all(), writer(in_thread))
    else:
        async with ProcessWriter(store.url, registry.name, spawn, run.id) as process:
            await asyncio.gather(fetch_all(), writer(process.write if process.ready else in_thread))
    report.failures = SyncState(store).finish_run(run, registry.name, now())  # step 4
    return report
