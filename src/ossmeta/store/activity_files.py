"""Activity data as Parquet, partitioned by month: events, commits and tags.

Layout under the activity root (``OSSMETA_HOME/activity`` unless told otherwise)::

    <dataset>/month=YYYY-MM/<sequence>-<random>.parquet
    <dataset>/manifest.json        which files are live, per month; generation; retired files
    <dataset>/readers/*.json       pins of the readers reading now (``activity_pins``)

Why a manifest: a write adds files and then swaps the manifest in one durable
``os.replace``, so a reader (DuckDB, Spark) never sees half an import, and a killed import
leaves only files no manifest names, which the next write deletes. Each swap raises the
manifest's ``generation``. Files a swap supersedes (compaction's inputs) are not deleted
then: they are listed under ``retired`` with the generation they were last live in and the
time, and a later write deletes them once the grace period has passed and no reader pins a
generation that used them. Paths in the manifest are relative to the dataset directory.

Compaction merges a month's files into one, keeping per key the preferred row (the highest
source rank for events) and among equals the first in a total order of the row's values,
so two imports of the same data store the same rows whatever the order of arrival. DuckDB
does the merge: it is the fastest thing here that reads and writes Parquet.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ossmeta.activity import COMMIT_COLUMNS, EVENT_COLUMNS, TAG_COLUMNS
from ossmeta.errors import StoreError
from ossmeta.store.activity_pins import grace_seconds, held_generations
from ossmeta.store.durable import durable_replace, durable_write_text

__all__ = [
    "DATASETS",
    "ActivityFiles",
    "Dataset",
    "Manifest",
    "Merged",
    "Retired",
    "activity_root",
    "arrow_schema",
]

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
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("OSSMETA_HOME", ".ossmeta")) / "activity"


@dataclass(frozen=True)
class Retired:
    """Files a manifest swap superseded: live up to ``generation``, superseded at ``at``."""

    generation: int
    at: datetime
    files: tuple[str, ...]  # relative to the dataset directory: month=YYYY-MM/<name>


@dataclass
class Manifest:
    files: dict[str, list[str]] = field(default_factory=dict)
    generation: int = 0
    retired: list[Retired] = field(default_factory=list)


@dataclass(frozen=True)
class Merged:
    """What a compaction did: rows dropped as duplicates, and rows the ``fresh`` files
    brought that the store did not hold before (keys no other file had)."""

    dropped: int
    new: int


class ActivityFiles:
    """One dataset's files: append, compact, list. One writer at a time (a file lock);
    readers take a ``snapshot`` (``store.activity_snapshot``) or read within the grace period."""

    def __init__(self, root: Path, dataset: str, *, grace_s: float | None = None) -> None:
        if dataset not in DATASETS:
            raise StoreError(f"unknown activity dataset {dataset!r}")
        self.spec = DATASETS[dataset]
        self.directory = root / dataset
        self.grace_s = grace_seconds() if grace_s is None else grace_s

    # -- reading ---------------------------------------------------------------------------

    def read_manifest(self) -> Manifest:
        path = self.directory / "manifest.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return Manifest()
        except (OSError, ValueError) as error:
            message = f"cannot read the activity manifest: {error}"
            raise StoreError(message, path=str(path)) from None
        files = data.get("files") if isinstance(data, dict) else None
        if not isinstance(files, dict):
            raise StoreError("activity manifest has no 'files' object", path=str(path))
        try:
            retired = [
                Retired(int(r["generation"]), datetime.fromisoformat(r["at"]), tuple(r["files"]))
                for r in data.get("retired", [])
            ]
            generation = int(data.get("generation", 0))
        except (KeyError, TypeError, ValueError) as error:
            message = f"activity manifest has a damaged 'retired' list: {error}"
            raise StoreError(message, path=str(path)) from None
        listed = {str(month): [str(name) for name in names] for month, names in files.items()}
        return Manifest(listed, generation, retired)

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
        body = {
            "files": {month: names for month, names in sorted(manifest.files.items()) if names},
            "generation": manifest.generation,
            "retired": [
                {"generation": r.generation, "at": r.at.isoformat(), "files": list(r.files)}
                for r in manifest.retired
            ],
        }
        durable_write_text(self.directory / "manifest.json", json.dumps(body, indent=1))
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

    def _new_name(self, manifest: Manifest) -> str:
        names = [n for names in manifest.files.values() for n in names]
        names += [Path(f).name for r in manifest.retired for f in r.files]
        sequence = 1 + max((int(name.split("-", 1)[0]) for name in names), default=0)
        return f"{sequence:09d}-{secrets.token_hex(4)}.parquet"

    def _write_file(self, month: str, table: pa.Table, name: str) -> None:
        folder = self.directory / f"month={month}"
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{name}.tmp"
        pq.write_table(table, temporary, compression="zstd")
        durable_replace(temporary, folder / name)

    def append(self, table: pa.Table) -> list[str]:
        """Add rows (any order, any months); returns the months touched. Rows must carry the
        dataset's columns; ``month`` decides the partition."""
        table = table.select(self.spec.schema.names).cast(self.spec.schema)
        if table.num_rows == 0:
            return []
        months = sorted(m for m in pc.unique(table["month"]).to_pylist() if m is not None)
        if len(months) != len(pc.unique(table["month"])):
            raise StoreError(f"{self.spec.name}: rows without a month cannot be stored")
        with self._locked() as manifest:
            for month in months:
                part = table.filter(pc.equal(table["month"], month))
                name = self._new_name(manifest)
                self._write_file(month, part, name)
                manifest.files.setdefault(month, []).append(name)
            self._swap(manifest, ())
        return months

    def compact(self, months: Sequence[str] | None = None) -> int:
        """Merge each month's files into one with duplicates removed; returns rows dropped."""
        return self.merge(months).dropped

    def merge(self, months: Sequence[str] | None = None, fresh: Collection[str] = ()) -> Merged:
        """Compact ``months`` (all when None) in one manifest swap; ``fresh`` names the files
        a caller just added, to count the rows they brought that were not stored before."""
        import duckdb

        dropped = new = 0
        superseded: list[str] = []
        with self._locked() as manifest, duckdb.connect() as connection:
            for month in sorted(months if months is not None else manifest.files):
                names = manifest.files.get(month, [])
                if not names:
                    continue
                folder = self.directory / f"month={month}"
                fresh_paths = [str(folder / n) for n in names if n in fresh]
                counts, name = self._compact_month(connection, manifest, month, fresh_paths)
                dropped += counts.dropped
                new += counts.new
                if name is not None:
                    superseded += [f"month={month}/{n}" for n in names]
                    manifest.files[month] = [name]
            # Also with nothing to merge, when retired files can go now: an idle store's
            # compaction is how they are eventually removed.
            if superseded or self._expired(manifest.retired, datetime.now(UTC)):
                self._swap(manifest, superseded)
        return Merged(dropped, new)

    def _compact_month(
        self, connection: Any, manifest: Manifest, month: str, fresh: list[str]
    ) -> tuple[Merged, str | None]:
        """Write the month's rows, one per key, into a new file; returns the counts and the
        new file's name (None when the month was already one file without duplicates)."""
        names = manifest.files[month]
        folder = self.directory / f"month={month}"
        paths = [str(folder / n) for n in names]
        keys = ", ".join(self.spec.key)
        counted = connection.execute(
            "SELECT coalesce(sum(rows), 0), count(*) FILTER (WHERE NOT known) FROM ("
            "SELECT count(*) AS rows, bool_or(NOT list_contains($fresh, filename)) AS known "
            f"FROM read_parquet($files, filename=true) GROUP BY {keys})",
            {"files": paths, "fresh": fresh},
        ).fetchone()
        total, new = (int(counted[0]), int(counted[1])) if counted else (0, 0)
        if not fresh:
            new = 0
        name = self._new_name(manifest)
        temporary = folder / f".{name}.tmp"
        target = _quoted(temporary)
        written = connection.execute(
            f"COPY ({self._winners_sql()}) TO '{target}' (FORMAT parquet, COMPRESSION zstd)",
            {"files": paths},
        ).fetchone()
        kept = int(written[0]) if written else 0
        if len(names) == 1 and kept == total:
            temporary.unlink(missing_ok=True)
            return Merged(0, new), None
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

    def _remove_orphans(self, manifest: Manifest) -> None:
        """Delete files a killed write left behind (named neither live nor retired)."""
        kept = {
            f"month={month}/{name}" for month, names in manifest.files.items() for name in names
        }
        kept.update(f for r in manifest.retired for f in r.files)
        for folder in self.directory.glob("month=*"):
            for path in folder.iterdir():
                if f"{folder.name}/{path.name}" not in kept:
                    path.unlink(missing_ok=True)


def _quoted(path: Path) -> str:
    """A path inside a single-quoted SQL string literal."""
    return str(path).replace("'", "''")
