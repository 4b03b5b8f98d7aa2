"""Activity data as Parquet, partitioned by month: events, commits and tags.

Layout under the activity root (``OSSMETA_HOME/activity`` unless told otherwise)::

    <dataset>/month=YYYY-MM/<sequence>-<random>.parquet
    <dataset>/manifest.json        which files are live, per month

Why a manifest: a write adds files and then swaps the manifest in one ``os.replace``, so a
reader (DuckDB, Spark) never sees half an import, and a killed import leaves only files no
manifest names, which the next write deletes. Compaction merges a month's files into one,
keeping per key the row of the highest source rank, and among equals the newest file
(later imports refresh earlier ones). DuckDB does the merge: it is the fastest thing here
that reads and writes Parquet.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ossmeta.activity import COMMIT_COLUMNS, EVENT_COLUMNS, TAG_COLUMNS
from ossmeta.errors import StoreError

__all__ = ["DATASETS", "ActivityFiles", "Dataset", "activity_root", "arrow_schema"]

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
    rank: str | None  # column whose higher value wins on a key collision


DATASETS: Final[dict[str, Dataset]] = {
    "events": Dataset("events", arrow_schema(EVENT_COLUMNS), ("event_key",), "source_rank"),
    "commits": Dataset("commits", arrow_schema(COMMIT_COLUMNS), ("repo", "sha"), None),
    "tags": Dataset("tags", arrow_schema(TAG_COLUMNS), ("repo", "name"), None),
}


def activity_root(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("OSSMETA_HOME", ".ossmeta")) / "activity"


class ActivityFiles:
    """One dataset's files: append, compact, list. One writer at a time (a file lock)."""

    def __init__(self, root: Path, dataset: str) -> None:
        if dataset not in DATASETS:
            raise StoreError(f"unknown activity dataset {dataset!r}")
        self.spec = DATASETS[dataset]
        self.directory = root / dataset

    # -- reading ---------------------------------------------------------------------------

    def manifest(self) -> dict[str, list[str]]:
        path = self.directory / "manifest.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            message = f"cannot read the activity manifest: {error}"
            raise StoreError(message, path=str(path)) from None
        files = data.get("files") if isinstance(data, dict) else None
        if not isinstance(files, dict):
            raise StoreError("activity manifest has no 'files' object", path=str(path))
        return {str(month): [str(name) for name in names] for month, names in files.items()}

    def files(self, since: str | None = None) -> list[str]:
        """Absolute paths of the live files, oldest month first; ``since`` is ``YYYY-MM``."""
        return [
            str(self.directory / f"month={month}" / name)
            for month, names in sorted(self.manifest().items())
            if since is None or month >= since
            for name in names
        ]

    def months(self) -> list[str]:
        return sorted(self.manifest())

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[dict[str, list[str]]]:
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield self.manifest()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _write_manifest(self, manifest: dict[str, list[str]]) -> None:
        path = self.directory / "manifest.json"
        temporary = path.with_suffix(".json.tmp")
        body = {"files": {month: names for month, names in sorted(manifest.items()) if names}}
        temporary.write_text(json.dumps(body, indent=1), encoding="utf-8")
        os.replace(temporary, path)

    def _new_name(self, manifest: dict[str, list[str]]) -> str:
        sequence = 1 + max(
            (int(name.split("-", 1)[0]) for names in manifest.values() for name in names),
            default=0,
        )
        return f"{sequence:09d}-{secrets.token_hex(4)}.parquet"

    def _write_file(self, month: str, table: pa.Table, name: str) -> None:
        folder = self.directory / f"month={month}"
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{name}.tmp"
        pq.write_table(table, temporary, compression="zstd")
        os.replace(temporary, folder / name)

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
            self._remove_orphans(manifest)
            for month in months:
                part = table.filter(pc.equal(table["month"], month))
                name = self._new_name(manifest)
                self._write_file(month, part, name)
                manifest.setdefault(month, []).append(name)
            self._write_manifest(manifest)
        return months

    def compact(self, months: Sequence[str] | None = None) -> int:
        """Merge each month's files into one with duplicates removed; returns rows dropped."""
        import duckdb

        dropped = 0
        with self._locked() as manifest, duckdb.connect() as connection:
            for month in sorted(months if months is not None else manifest):
                names = manifest.get(month, [])
                if names:
                    dropped += self._compact_month(connection, manifest, month, names)
        return dropped

    def _compact_month(
        self, connection: Any, manifest: dict[str, list[str]], month: str, names: list[str]
    ) -> int:
        folder = self.directory / f"month={month}"
        paths = [str(folder / n) for n in names]
        keys = ", ".join(self.spec.key)
        order = f"{self.spec.rank} DESC, " if self.spec.rank else ""
        columns = ", ".join(f'"{c}"' for c in self.spec.schema.names)
        query = (
            f"SELECT {columns} FROM read_parquet($files, filename=true) "
            f"QUALIFY row_number() OVER (PARTITION BY {keys} "
            f"ORDER BY {order}filename DESC) = 1 ORDER BY {keys}"
        )
        name = self._new_name(manifest)
        temporary = folder / f".{name}.tmp"
        counted = connection.execute(
            "SELECT count(*) FROM read_parquet($files)", {"files": paths}
        ).fetchone()
        total = int(counted[0]) if counted else 0
        target = _quoted(temporary)
        written = connection.execute(
            f"COPY ({query}) TO '{target}' (FORMAT parquet, COMPRESSION zstd)",
            {"files": paths},
        ).fetchone()
        kept = int(written[0]) if written else 0
        if len(names) == 1 and kept == total:
            temporary.unlink(missing_ok=True)
            return 0
        os.replace(temporary, folder / name)
        manifest[month] = [name]
        self._write_manifest(manifest)
        for old in paths:
            Path(old).unlink(missing_ok=True)
        return total - kept

    def _remove_orphans(self, manifest: dict[str, list[str]]) -> None:
        """Delete files a killed write left behind (named by no manifest)."""
        for folder in self.directory.glob("month=*"):
            live = set(manifest.get(folder.name.removeprefix("month="), []))
            for path in folder.iterdir():
                if path.name not in live:
                    path.unlink(missing_ok=True)


def _quoted(path: Path) -> str:
    """A path inside a single-quoted SQL string literal."""
    return str(path).replace("'", "''")
