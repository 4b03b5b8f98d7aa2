"""Step 3 of a sync (see ``sync.run``): writing a batch of fetched packages in one
transaction. Kept apart so the same code runs in the sync's own process or in its writer
process (``sync.process``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

import orjson

from ossmeta.errors import NormalizeError, OssmetaError
from ossmeta.pipelines.sync.registry import PackageFetch, Registry
from ossmeta.sources.http import FetchError, NotFound
from ossmeta.store import Store
from ossmeta.store.sync_state import Outcome as PackageOutcome
from ossmeta.store.sync_store import SyncBatch, SyncState

__all__ = ["BATCH", "Failed", "Outcome", "error_kind", "write_batch"]


def error_kind(error: BaseException) -> str:
    if isinstance(error, NotFound):
        return "not-found"
    if isinstance(error, NormalizeError):
        return "normalize"
    if isinstance(error, FetchError):
        return "fetch"
    return "invalid"


@dataclass(frozen=True, slots=True)
class Failed:
    """A package whose fetch failed: the error, kept as plain data so it can be written by
    another process than the one that fetched."""

    kind: str  # not-found | fetch | invalid | normalize
    message: str  # one line

    @classmethod
    def of(cls, error: BaseException) -> Failed:
        message = " ".join(str(error).split()) or type(error).__name__
        return cls(error_kind(error), message)


Outcome = PackageFetch | Failed
BATCH = 100  # packages per transaction at most: commits are the writer's main cost


def _write_one(
    writes: SyncBatch,
    registry: Registry,
    item: tuple[int, str, Outcome],
    now: datetime,
    validators: dict[str, tuple[str | None, str | None]],
) -> tuple[str, PackageOutcome]:
    """Step 3 for one package: its documents and rows; the bookkeeping (validators to keep,
    the outcome) goes back to ``_write``, which writes it for the whole batch."""
    _, name, outcome = item
    purl: str | None
    try:
        purl = registry.purl(name)
    except OssmetaError:
        purl = None
    if isinstance(outcome, PackageFetch):
        error = outcome.problem
        if outcome.changed:
            writes.put_records(outcome.records, now)
            # Normalized from the stored canonical JSON (sorted keys) as ``ossmeta normalize``
            # will see it later, unless the adapter says the fetched documents are all
            # there is and its normalizer ignores key order: then as fetched (in a writer
            # process, whose records come without payloads, from their canonical JSON).
            payloads = (
                {
                    (r.kind, r.external_id): r.payload or orjson.loads(r.canonical_json)
                    for _, r in outcome.records
                }
                if outcome.self_contained
                else writes.payloads(outcome.purl)
            )
            try:
                record = registry.normalize(payloads, partial(writes.payload, registry.source))
            except NormalizeError as problem:
                record, error = None, ("normalize", str(problem))
            if record is not None:
                writes.save_package(record, now)
        if error is None or error[0] != "normalize":
            # Without validators the next sync fetches a document that would not
            # normalize again in full, and reports it again, instead of a quiet 304.
            validators.update(outcome.validators)
        result = "failed" if error else "written" if outcome.changed else "unchanged"
        return result, PackageOutcome(registry.name, name, outcome.purl, error)
    if outcome.kind == "not-found" and purl is not None:
        writes.mark_removed(purl, now)
    return "failed", PackageOutcome(registry.name, name, purl, (outcome.kind, outcome.message))


def write_batch(
    store: Store,
    registry: Registry,
    run_id: int,
    batch: list[tuple[int, str, Outcome]],
    now: datetime,
) -> list[str]:
    """Step 3 for a batch of packages, in one transaction: each package with its tick on
    the work list, so a kill loses whole packages only, and they are fetched again."""
    validators: dict[str, tuple[str | None, str | None]] = {}
    with SyncState(store).batch() as writes:
        done = [_write_one(writes, registry, item, now, validators) for item in batch]
        positions = [position for position, _, _ in batch]
        writes.finish(run_id, positions, validators, [outcome for _, outcome in done], now)
        # Packages written anew or gone from the registry: their components are looked at
        # again, by a job queued in this same transaction.
        writes.reevaluate(
            [
                outcome.purl
                for result, outcome in done
                if outcome.purl
                and (result == "written" or (outcome.error or ("",))[0] == "not-found")
            ]
        )
    return [result for result, _ in done]
