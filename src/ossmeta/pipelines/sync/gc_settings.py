"""Rare cyclic garbage collections for a process that does nothing but sync.

Most objects a sync makes die young by reference counting; running the cycle collector
every 700 allocations over the long-lived ones (modules, the store, the client) is wasted
work. The collector's settings belong to the whole process, though, so only a process
that is the sync's own (the CLI command, the writer subprocess) turns them down; a
library call of ``run_sync`` inside someone else's process leaves them alone.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["rare_collections"]

_RARE = (100_000, 50, 100)


@contextmanager
def rare_collections() -> Iterator[None]:
    """Collections become rare inside, and on the way out the collector is as it was:
    same thresholds, same enabled state, and the objects someone else froze still frozen
    (``gc.unfreeze`` thaws everything, so a freeze is only ours to undo if we made it)."""
    threshold = gc.get_threshold()
    enabled = gc.isenabled()
    ours = gc.get_freeze_count() == 0
    if ours:
        gc.collect()
        gc.freeze()
    gc.set_threshold(*_RARE)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if ours:
            gc.unfreeze()
        if enabled:
            gc.enable()
        else:
            gc.disable()
