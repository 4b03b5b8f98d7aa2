"""What a command says when Ctrl-C stops a long write: what was kept, and how to go on.

The counts come from what is stored (rows in the Parquet files' footers, packages reported
after their batch committed), not from what was read, so the message is true however far
the work got."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ossmeta.errors import Interrupted

__all__ = ["activity_rows", "kept_on_interrupt", "rows_kept"]


@contextmanager
def kept_on_interrupt(describe: Callable[[], str]) -> Iterator[None]:
    """Turn Ctrl-C inside the block into ``Interrupted(describe())``."""
    try:
        yield
    except Interrupted:
        raise
    except KeyboardInterrupt as interrupt:
        raise Interrupted(describe()) from interrupt


def activity_rows(root: Path, dataset: str) -> Counter[str]:
    """Rows stored per month in one activity dataset (read from the files' footers)."""
    import pyarrow.parquet as pq

    from ossmeta.store.activity_files import ActivityFiles

    files = ActivityFiles(root, dataset)
    counts: Counter[str] = Counter()
    for month, names in files.manifest().items():
        for name in names:
            path = files.directory / f"month={month}" / name
            try:
                counts[month] += pq.read_metadata(path).num_rows
            except OSError:  # replaced by a compaction meanwhile: counted in its successor
                continue
    return counts


def rows_kept(before: Counter[str], after: Counter[str], noun: str, again: str) -> str:
    """``"1,234 event rows stored in 2 month(s); <again>"`` from two counts."""
    grown = {month: after[month] - before[month] for month in after}
    months = sorted(month for month, added in grown.items() if added > 0)
    added = sum(grown[month] for month in months)
    return f"{added:,} {noun} stored in {len(months)} month(s); {again}"
