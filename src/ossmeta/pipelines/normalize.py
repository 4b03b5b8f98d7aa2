"""``ossmeta normalize``: re-run the registry normalizers over the stored current records.

Nothing is fetched. Each package's rows are rebuilt from its documents exactly as a sync
would write them, so after a normalizer changes (a new licence mapping, a fixed repository
rule) the whole store catches up without asking any registry again. Curations are not
touched: they live beside the derived rows and apply on read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from ossmeta.errors import NormalizeError
from ossmeta.pipelines.sync.registry import Registry
from ossmeta.store import Store
from ossmeta.store.sync_store import SyncState

_BATCH = 200  # packages per transaction: progress survives an interruption in steps


@dataclass(slots=True)
class NormalizeReport:
    packages: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (purl, one-line error)


def normalize_stored(
    store: Store,
    registries: Sequence[Registry],
    now: Callable[[], datetime],
    progress: Callable[[int], None] | None = None,
) -> NormalizeReport:
    report = NormalizeReport()
    state = SyncState(store)
    for registry in registries:
        purls = state.packages(registry.source, registry.anchor_kind)
        for start in range(0, len(purls), _BATCH):
            with state.batch() as writes:
                for purl in purls[start : start + _BATCH]:
                    payloads = writes.payloads(purl)
                    try:
                        record = registry.normalize(
                            payloads, partial(writes.payload, registry.source)
                        )
                    except NormalizeError as error:
                        report.failed.append((purl, str(error)))
                        continue
                    if record is not None:
                        writes.save_package(record, now())
                        report.packages += 1
            if progress:
                progress(len(purls[start : start + _BATCH]))
    return report


def count_stored(store: Store, registries: Sequence[Registry]) -> int:
    state = SyncState(store)
    return sum(len(state.packages(r.source, r.anchor_kind)) for r in registries)
