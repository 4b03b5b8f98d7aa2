"""A consistent read of the activity datasets: each dataset's manifest generation pinned for
as long as the reader needs its files.

    with activity_snapshot(root) as snapshot:
        engine.register_parquet("events", snapshot.files("events"), schema)
        ...  # queries that read the files lazily

While the ``with`` block runs, compaction may publish newer generations, but the files of
the pinned ones stay on disk (see ``activity_pins``). A heartbeat thread keeps the pins
fresh however long the read takes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ossmeta.store.activity_files import DATASETS, ActivityFiles, Manifest
from ossmeta.store.activity_pins import HEARTBEAT_S, Pin

__all__ = ["ActivitySnapshot", "activity_snapshot"]


class ActivitySnapshot:
    """The live files of each dataset as of one pinned generation."""

    def __init__(self, datasets: dict[str, ActivityFiles], manifests: dict[str, Manifest]):
        self._datasets = datasets
        self._manifests = manifests

    def generation(self, dataset: str) -> int:
        return self._manifests[dataset].generation

    def files(self, dataset: str, since: str | None = None) -> list[str]:
        """Absolute paths of the pinned files, oldest month first; ``since`` is ``YYYY-MM``."""
        return self._datasets[dataset].paths(self._manifests[dataset].files, since)

    def months(self, dataset: str) -> list[str]:
        return sorted(self._manifests[dataset].files)


def _pin(files: ActivityFiles) -> tuple[Manifest, Pin | None]:
    """Read the manifest and pin its generation, then read again: a writer that swapped in
    between may already count on no reader of the old generation, so follow it. A dataset
    never written needs no pin; where a pin cannot be written (a read-only mount) the
    grace period alone protects the read."""
    manifest = files.read_manifest()
    if not files.directory.is_dir():
        return manifest, None
    try:
        pin = Pin.create(files.directory, manifest.generation)
    except OSError:
        return manifest, None
    while True:
        current = files.read_manifest()
        if current.generation == pin.generation:
            return current, pin
        pin.move_to(current.generation)


@contextmanager
def activity_snapshot(
    root: Path, datasets: Iterable[str] = tuple(DATASETS), *, grace_s: float | None = None
) -> Iterator[ActivitySnapshot]:
    stores = {name: ActivityFiles(root, name, grace_s=grace_s) for name in datasets}
    pins: list[Pin] = []
    stop = threading.Event()
    beating: threading.Thread | None = None
    try:
        manifests: dict[str, Manifest] = {}
        for name, files in stores.items():
            manifests[name], pin = _pin(files)
            if pin is not None:
                pins.append(pin)
        beating = threading.Thread(target=_beat, args=(pins, stop, HEARTBEAT_S), daemon=True)
        beating.start()
        yield ActivitySnapshot(stores, manifests)
    finally:
        stop.set()
        if beating is not None:
            beating.join()
        for pin in pins:
            pin.release()


def _beat(pins: list[Pin], stop: threading.Event, interval: float) -> None:
    while not stop.wait(interval):
        for pin in pins:
            pin.beat()
