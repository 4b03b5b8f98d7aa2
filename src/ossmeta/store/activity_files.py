"""Activity data as Parquet, partitioned by month: events, commits and tags.

Layout under the activity root (``OSSMETA_HOME/activity`` unless told otherwise)::

    <dataset>/month=YYYY-MM/<sequence>-<random>.parquet
    <dataset>/manifest.json        live files per month, generation, retired and staged files
    <dataset>/readers/*.json       pins of the readers reading now (``activity_pins``)

Why a manifest: a write adds files and then swaps the manifest in one durable
``os.replace``, so a reader (DuckDB, Spark) never sees half an import, and a killed import
leaves only files no manifest names, which the next write deletes. Each swap raises the
manifest's ``generation``. Files a swap supersedes (compaction's inputs) are not deleted
then: they are listed under ``retired`` with the generation they were last live in and the
time, and a later write deletes them once the grace period has passed and no reader pins a
generation that used them. Paths in the manifest are relative to the dataset directory
(``activity_manifest`` has its format).

An import stages its files (listed under ``staged`` with its process, unseen by readers)
and publishes them at the end with the compaction of their months in one swap: readers see
all of an import, deduplicated, or none of it. The staged files of an import that died are
deleted by a later write; its rerun imports them again.

Compaction merges a month's files into one, keeping per key the preferred row (the highest
source rank for events) and among equals the first in a total order of the row's values,
so two imports of the same data store the same rows whatever the order of arrival. DuckDB
does the merge: it is the fastest thing here that reads and writes Parquet.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import socket
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ossmeta.activity import COMMIT_COLUMNS, EVENT_COLUMNS, TAG_COLUMNS
from ossmeta.errors import StoreError, UsageError
from ossmeta.store.activity_manifest import Manifest, Retired, Staged, manifest_json, read_manifest
from ossmeta.store.activity_pins import grace_seconds, held_generations, process_alive
from ossmeta.store.durable import durable_replace, durable_write_text

__all__ = [
    "DATASETS",
    "ActivityFiles",
    "Dataset",
    "Manifest",
    "Merged",
    "activity_root",
    "arrow_schema",
    "new_owner",
]

#: A writer that staged files and has not written for this long is taken for dead.
ABANDONED_AFTER_S: Final = 86_400.0

_ARROW_TYPES: Final[dict[str, pa.DataType]] = {
    "string": pa.string(),
    "int64": pa.int64(),
    "int32": pa.int32(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "timestamp": pa.timestamp("us"),
}


def arrow_schema(columns: Sequence[tuple[str, str]]) -> pa.Schema:
    return pa.schema([pa.field(name, _ARROW_TYPES[kind]) for name, kind in columns])


@dataclass(frozen=True)
class Dataset:
    name: str
    schema: pa.Schema
    key: tuple[str, ...]
    # Which row of a key wins, as ORDER BY terms, before the total order on every column.
    prefer: tuple[str, ...]


DATASETS: Final[dict[str, Dataset]] = {
    # An API row over a log row; among the log's reports of one change, the smallest id.
    "events": Dataset(
        "events", arrow_schema(EVENT_COLUMNS), ("event_key",), ("source_rank DESC", "event_id")
    ),
    "commits": Dataset("commits", arrow_schema(COMMIT_COLUMNS), ("repo", "sha"), ()),
    # A tag moved within a month: the later target wins.
    "tags": Dataset("tags", arrow_schema(TAG_COLUMNS), ("repo", "name"), ("tagged_at DESC",)),
}


def activity_root(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--data-dir`` when given (it must be a directory, or not exist yet), else
    ``OSSMETA_HOME/activity``."""
    if explicit:
        root = Path(explicit)
        if root.exists() and not root.is_dir():
            raise UsageError(f"--data-dir {root}: not a directory")
        return root
    return Path(os.environ.get("OSSMETA_HOME", ".ossmeta")) / "activity"


@dataclass(frozen=True)
class Merged:
    """What a compaction did: rows dropped as duplicates, rows the published files brought
    that the store did not hold before (keys no other file had), and the months it went
    through."""

    dropped: int
    new: int
    months: tuple[str, ...] = ()


class ActivityFiles:
    """One dataset's files: append, stage and publish, compact, list. One writer at a time
    (a file lock); readers take a ``snapshot`` (``store.activity_snapshot``) or read within
    the grace period."""

    def __init__(self, root: Path, dataset: str, *, grace_s: float | None = None) -> None:
        if dataset not in DATASETS:
            raise StoreError(f"unknown activity dataset {dataset!r}")
        self.spec = DATASETS[dataset]
        self.directory = root / dataset
        self.grace_s = grace_seconds() if grace_s is None else grace_s

    # -- reading ---------------------------------------------------------------------------

    def read_manifest(self) -> Manifest:
        return read_manifest(self.directory / "manifest.json")

    def manifest(self) -> dict[str, list[str]]:
        """The live files: month → file names."""
        return self.read_manifest().files

    def files(self, since: str | None = None) -> list[str]:
        """Absolute paths of the live files, oldest month first; ``since`` is ``YYYY-MM``."""
        return self.paths(self.manifest(), since)

    def paths(self, files: dict[str, list[str]], since: str | None = None) -> list[str]:
        return [
            str(self.directory / f"month={month}" / name)
            for month, names in sorted(files.items())
            if since is None or month >= since
            for name in names
        ]

    def months(self) -> list[str]:
        return sorted(self.manifest())

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[Manifest]:
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                manifest = self.read_manifest()
                _drop_abandoned(manifest, datetime.now(UTC))
                self._remove_orphans(manifest)
                yield manifest
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _swap(self, manifest: Manifest, superseded: Sequence[str]) -> None:
        """Publish ``manifest`` as the next generation: ``superseded`` files are retired (kept
        for readers), and retired files no reader can still use are deleted."""
        now = datetime.now(UTC)
        if superseded:
            manifest.retired.append(Retired(manifest.generation, now, tuple(superseded)))
        expired = self._expired(manifest.retired, now)
        manifest.retired = [r for r in manifest.retired if r not in expired]
        manifest.generation += 1
        durable_write_text(self.directory / "manifest.json", manifest_json(manifest))
        # Deleted after the swap: a crash before this leaves files no manifest names, which
        # the next write removes as orphans.
        for retired in expired:
            for relative in retired.files:
                (self.directory / relative).unlink(missing_ok=True)

    def _expired(self, retired: list[Retired], now: datetime) -> list[Retired]:
        """Retired entries past the grace period that no fresh pin holds."""
        old = [r for r in retired if (now - r.at).total_seconds() >= self.grace_s]
        if not old:
            return []
        held = held_generations(self.directory, self.grace_s, now.timestamp())
        if held is None:
            return []
        return [r for r in old if not any(g <= r.generation for g in held)]

    def _new_name(self, manifest: Manifest, after: int = 0) -> str:
        """A new file name; the sequence orders files by age, the random part makes it
        unique. ``after``: names already handed out and not in the manifest yet."""
        names = [Path(f).name for f in manifest.kept()]
        sequence = 1 + after + max((int(name.split("-", 1)[0]) for name in names), default=0)
        return f"{sequence:09d}-{secrets.token_hex(4)}.parquet"

    def _write_months(self, manifest: Manifest, table: pa.Table) -> dict[str, str]:
        """Write the rows as one new file per month; returns month → file name."""
        table = table.select(self.spec.schema.names).cast(self.spec.schema)
        months = sorted(m for m in pc.unique(table["month"]).to_pylist() if m is not None)
        if len(months) != len(pc.unique(table["month"])):
            raise StoreError(f"{self.spec.name}: rows without a month cannot be stored")
        written: dict[str, str] = {}
        for month in months:
            folder = self.directory / f"month={month}"
            folder.mkdir(parents=True, exist_ok=True)
            name = written[month] = self._new_name(manifest, after=len(written))
            temporary = folder / f".{name}.tmp"
            part = table.filter(pc.equal(table["month"], month))
            pq.write_table(part, temporary, compression="zstd")
            durable_replace(temporary, folder / name)
        return written

    def append(self, table: pa.Table) -> list[str]:
        """Add rows (any order, any months), visible at once; returns the months touched.
        Rows must carry the dataset's columns; ``month`` decides the partition."""
        if table.num_rows == 0:
            return []
        with self._locked() as manifest:
            written = self._write_months(manifest, table)
            for month, name in written.items():
                manifest.files.setdefault(month, []).append(name)
            self._swap(manifest, ())
        return sorted(written)

    def stage(self, table: pa.Table, owner: str) -> list[str]:
        """Add rows that readers do not see until ``publish(owner)`` merges them into their
        months: an import is then seen whole and without duplicates, or not at all. The
        files of an owner whose process died unpublished are deleted by a later write."""
        if table.num_rows == 0:
            return []
        with self._locked() as manifest:
            written = self._write_months(manifest, table)
            before = manifest.staged.get(owner)
            added = (f"month={m}/{n}" for m, n in written.items())
            files = (*(before.files if before else ()), *added)
            # The owner's process, which publishes, not this one (a worker it started may
            # stage for it and exit before it publishes).
            manifest.staged[owner] = Staged(
                socket.gethostname(), _owner_pid(owner), datetime.now(UTC), files
            )
            self._swap(manifest, ())
        return sorted(written)

    def staged_months(self, owner: str) -> list[str]:
        staged = self.read_manifest().staged.get(owner)
        return sorted({_month_of(f) for f in staged.files}) if staged else []

    def publish(self, owner: str) -> Merged:
        """Merge what ``owner`` staged into its months in one swap (compacting them)."""
        return self._merge(None, owner)

    def compact(self, months: Sequence[str] | None = None) -> int:
        """Merge each month's files into one with duplicates removed; returns rows dropped."""
        return self._merge(months, None).dropped

    def _merge(self, months: Sequence[str] | None, owner: str | None) -> Merged:
        """Compact ``months`` (all when None), or the months ``owner`` staged, publishing
        its files, in one manifest swap."""
        import duckdb

        dropped = new = 0
        superseded: list[str] = []
        merged_away: list[str] = []  # staged files a compaction took in: never read by anyone
        with self._locked() as manifest, duckdb.connect() as connection:
            connection.execute("SET enable_progress_bar = false")
            staged: dict[str, list[str]] = {}
            published = manifest.staged.pop(owner, None) if owner is not None else None
            for relative in published.files if published else ():
                staged.setdefault(_month_of(relative), []).append(Path(relative).name)
            if owner is not None:
                months = sorted(staged)
            fresh = {n for names in staged.values() for n in names}
            chosen = sorted(months if months is not None else manifest.files)
            for month in chosen:
                live = manifest.files.get(month, [])
                names = live + staged.get(month, [])
                if not names:
                    continue
                counts, name = self._compact_month(connection, manifest, month, names, fresh)
                dropped += counts.dropped
                new += counts.new
                if name is None:
                    manifest.files[month] = names  # already one file: published as it is
                else:
                    superseded += [f"month={month}/{n}" for n in live]
                    merged_away += [f"month={month}/{n}" for n in staged.get(month, [])]
                    manifest.files[month] = [name]
            # Also with nothing to merge, when retired files can go now: an idle store's
            # compaction is how they are eventually removed.
            now = datetime.now(UTC)
            if superseded or published or self._expired(manifest.retired, now):
                self._swap(manifest, superseded)
            for relative in merged_away:
                (self.directory / relative).unlink(missing_ok=True)
        return Merged(dropped, new, tuple(chosen))

    def _compact_month(
        self,
        connection: Any,
        manifest: Manifest,
        month: str,
        names: list[str],
        fresh: Collection[str],
    ) -> tuple[Merged, str | None]:
        """Write the month's rows, one per key, into a new file; returns the counts and the
        new file's name (None when the month is one file without duplicates: nothing to do)."""
        folder = self.directory / f"month={month}"
        paths = [str(folder / n) for n in names]
        fresh_paths = [p for p, n in zip(paths, names, strict=True) if n in fresh]
        keys = ", ".join(self.spec.key)
        counted = connection.execute(
            "SELECT coalesce(sum(rows), 0), count(*), count(*) FILTER (WHERE NOT known) FROM ("
            "SELECT count(*) AS rows, bool_or(NOT list_contains($fresh, filename)) AS known "
            f"FROM read_parquet($files, filename=true) GROUP BY {keys})",
            {"files": paths, "fresh": fresh_paths},
        ).fetchone()
        total, distinct, new = (int(c) for c in counted) if counted else (0, 0, 0)
        new = new if fresh_paths else 0
        if len(names) == 1 and distinct == total:
            return Merged(0, new), None
        name = self._new_name(manifest)
        temporary = folder / f".{name}.tmp"
        # Without duplicates every row wins: the same rows in the same order, without the
        # window over every column that choosing among duplicates needs (most of the cost
        # of publishing an import of new hours).
        winners = self._winners_sql() if distinct < total else self._all_sql()
        written = connection.execute(
            f"COPY ({winners}) TO '{_quoted(temporary)}' (FORMAT parquet, COMPRESSION zstd)",
            {"files": paths},
        ).fetchone()
        kept = int(written[0]) if written else 0
        durable_replace(temporary, folder / name)
        return Merged(total - kept, new), name

    def _winners_sql(self) -> str:
        """One row per key: the preferred one, and among equals the first in a total order
        of the row's values, so which row survives never depends on the order of arrival."""
        keys = ", ".join(self.spec.key)
        columns = [f'"{c}"' for c in self.spec.schema.names]
        order = ", ".join([*self.spec.prefer, *(f"{c} ASC NULLS LAST" for c in columns)])
        return (
            f"SELECT {', '.join(columns)} FROM read_parquet($files) "
            f"QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY {order}) = 1 "
            f"ORDER BY {keys}"
        )

    def _all_sql(self) -> str:
        """Every row, in the order ``_winners_sql`` writes (for files without duplicates)."""
        columns = ", ".join(f'"{c}"' for c in self.spec.schema.names)
        return f"SELECT {columns} FROM read_parquet($files) ORDER BY {', '.join(self.spec.key)}"

    def _remove_orphans(self, manifest: Manifest) -> None:
        """Delete files a killed write left behind (named neither live, retired nor staged)."""
        kept = manifest.kept()
        for folder in self.directory.glob("month=*"):
            for path in folder.iterdir():
                if f"{folder.name}/{path.name}" not in kept:
                    path.unlink(missing_ok=True)


def new_owner() -> str:
    """A name for one writer's staged files: ``<pid of the process that publishes>-<random>``."""
    return f"{os.getpid()}-{secrets.token_hex(6)}"


def _owner_pid(owner: str) -> int:
    head = owner.split("-", 1)[0]
    return int(head) if head.isdigit() else os.getpid()


def _month_of(relative: str) -> str:
    return relative.split("/", 1)[0].removeprefix("month=")


def _drop_abandoned(manifest: Manifest, now: datetime) -> None:
    """Forget what writers that died before publishing staged (their files become orphans):
    a process of this host that is gone, or a writer silent for ``ABANDONED_AFTER_S``."""
    host = socket.gethostname()
    for owner, staged in list(manifest.staged.items()):
        silent = (now - staged.at).total_seconds() > ABANDONED_AFTER_S
        if silent or (staged.host == host and not process_alive(staged.pid)):
            del manifest.staged[owner]


def _quoted(path: Path) -> str:
    """A path inside a single-quoted SQL string literal."""
    return str(path).replace("'", "''")
