"""A registry sync's store, as the sync pipeline and ``ossmeta normalize`` use it.

``SyncState`` reads and closes runs, each call its own transaction. ``SyncState.batch``
is the one transaction a batch of packages is written in: inside it, ``SyncBatch`` keeps
records, reads them back for the normalizer, writes the package rows, the validators, the
outcomes and the ticks on the work list, so a sync killed at any point leaves each package
wholly written or not at all. The SQL is in ``sync_state`` and ``packages``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from ossmeta.model import PackageRecord, RawRecord
from ossmeta.store import packages, sync_state
from ossmeta.store.engine import Store
from ossmeta.store.sync_state import Failure, Outcome, Run

__all__ = ["HeldPackage", "SyncBatch", "SyncState"]

Validators = dict[str, tuple[str | None, str | None]]
Payloads = dict[tuple[str, str], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class HeldPackage:
    """What the store holds for one package before its fetch: the validators of its URLs,
    which documents it has (kind, external id) and the payloads of its anchor documents."""

    validators: Validators
    documents: frozenset[tuple[str, str]]
    anchors: Payloads


class SyncBatch:
    """The writes of one batch, inside its transaction (see ``SyncState.batch``)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def put_records(self, records: Iterable[tuple[str, RawRecord]], now: datetime) -> None:
        sync_state.put_records(self._connection, records, now)

    def payloads(self, purl: str) -> Payloads:
        """The package's current documents as stored (canonical JSON parsed again)."""
        return sync_state.current_payloads(self._connection, purl)

    def payload(self, source: str, kind: str, external_id: str) -> dict[str, Any] | None:
        """One current document of ``source``, whichever package it is filed under."""
        return sync_state.current_payload(self._connection, source, kind, external_id)

    def save_package(self, record: PackageRecord, now: datetime) -> None:
        packages.save_package(self._connection, record, now)

    def mark_removed(self, purl: str, now: datetime) -> None:
        packages.mark_removed(self._connection, purl, now)

    def reevaluate(self, purls: Sequence[str]) -> None:
        """Queue the re-evaluation of these packages' stored components, in the batch's
        transaction (nothing when the store has no tenant)."""
        from ossmeta.store.inventories_reeval import enqueue_reevaluation, packages_of_purls

        enqueue_reevaluation(self._connection, packages_of_purls(purls))

    def finish(
        self,
        run_id: int,
        positions: Sequence[int],
        validators: Mapping[str, tuple[str | None, str | None]],
        outcomes: Sequence[Outcome],
        now: datetime,
    ) -> None:
        """The batch's bookkeeping: validators to keep, each package's outcome and the
        ticks of ``positions`` on the run's work list."""
        sync_state.put_validators(self._connection, validators, now)
        sync_state.record_outcomes(self._connection, outcomes, now)
        sync_state.mark_done(self._connection, run_id, positions)


class SyncState:
    """Runs, cursors and what is held per package, for one store."""

    def __init__(self, store: Store) -> None:
        self._engine = store.engine

    @contextmanager
    def batch(self) -> Iterator[SyncBatch]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with self._engine.begin() as connection:
            yield SyncBatch(connection)

    def unfinished_run(self, registry: str, request: Mapping[str, object]) -> Run | None:
        with self._engine.begin() as connection:
            return sync_state.unfinished_run(connection, registry, request)

    def open_run(
        self,
        registry: str,
        request: Mapping[str, object],
        names: Sequence[str],
        target_cursor: str | None,
        now: datetime,
    ) -> Run:
        with self._engine.begin() as connection:
            return sync_state.open_run(connection, registry, request, names, target_cursor, now)

    def finish_run(self, run: Run, registry: str, now: datetime) -> list[Failure]:
        """Store the cursor the run was for and close it, in one transaction; the failures
        left among the run's packages."""
        with self._engine.begin() as connection:
            if run.target_cursor is not None:
                sync_state.set_cursor(connection, registry, run.target_cursor, now)
            sync_state.finish_run(connection, run.id, now)
            names = {name for _, name in run.pending}
            return [f for f in sync_state.failures(connection, registry) if f.name in names]

    def cursor(self, registry: str) -> str | None:
        with self._engine.connect() as connection:
            return sync_state.get_cursor(connection, registry)

    def packages(self, source: str, kind: str) -> list[str]:
        """The purls with a current document of ``source`` and ``kind`` (their anchor)."""
        with self._engine.connect() as connection:
            return sync_state.current_packages(connection, source, kind)

    def held_documents(
        self, source: str, kind: str
    ) -> list[tuple[str, frozenset[tuple[str, str]]]]:
        """Each package anchored by ``kind`` with the documents it has, over one connection."""
        with self._engine.connect() as connection:
            return [
                (purl, sync_state.current_documents(connection, purl))
                for purl in sync_state.current_packages(connection, source, kind)
            ]

    def held(self, purl: str, anchor_kind: str, urls: Sequence[str]) -> HeldPackage:
        with self._engine.connect() as connection:
            return HeldPackage(
                sync_state.get_validators(connection, urls),
                sync_state.current_documents(connection, purl),
                sync_state.current_payloads(connection, purl, anchor_kind),
            )
