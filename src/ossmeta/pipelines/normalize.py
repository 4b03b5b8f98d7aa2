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
from ossmeta.store.packages import save_package
from ossmeta.store.sync_state import current_packages, current_payload, current_payloads

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
    for registry in registries:
        with store.engine.connect() as connection:
            purls = current_packages(connection, registry.source, registry.anchor_kind)
        for start in range(0, len(purls), _BATCH):
            with store.engine.begin() as connection:
                for purl in purls[start : start + _BATCH]:
                    payloads = current_payloads(connection, purl)
                    try:
                        record = registry.normalize(
                            payloads, partial(current_payload, connection, registry.source)
                        )
                    except NormalizeError as error:
                        report.failed.append((purl, str(error)))
                        continue
                    if record is not None:
                        save_package(connection, record, now())
                        report.packages += 1
            if progress:
                progress(len(purls[start : start + _BATCH]))
    return report


def count_stored(store: Store, registries: Sequence[Registry]) -> int:
    with store.engine.connect() as connection:
        return sum(len(current_packages(connection, r.source, r.anchor_kind)) for r in registries)
