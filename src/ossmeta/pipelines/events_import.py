"""``ossmeta events import``: GH Archive hourly files → event rows → Parquet by month.

Steps:

1. **Files.** ``plan`` expands the paths (files, directories, globs); a path that names
   nothing is a ``SourceError`` before anything is written.
2. **Rows.** DuckDB reads and flattens each file (``normalizers.gharchive_sql``); a file
   it rejects (any damaged line, any value outside GH Archive's plain form) is read
   again line by line (``sources.gharchive``) with every event flattened in Python
   (``normalizers.gharchive_events``), which gives the same rows and reports each
   problem. Rows go on in Arrow tables of at most ``batch_rows`` rows. A damaged line
   or event is counted and its ``file:line: reason`` kept (the first
   ``max_problems``); the rest of the file goes on. With ``workers`` > 1 files are
   converted in parallel processes, each file whole in one process. One is the default:
   on the shared two-core machine this was measured on, two processes were slower than
   one (bench/bench_events_import.py); they pay only on idle cores.
3. **Stage.** Tables are staged in the ``events`` dataset in batches: written, not yet
   seen by readers.
4. **Publish.** At the end (also when the import stops early) the staged files are merged
   into their months in one swap: one row per ``event_key``, a code-host API row over a
   GH Archive row, among equals the smallest event id. So importing the same hour twice
   stores it once, and a reader never sees an import's rows twice. The rows counted new
   are the keys no other file holds; an import killed before publishing left nothing
   visible, so its rerun counts them new, never a negative number.

The garbage collector is paused while rows are built: a batch is hundreds of thousands of
containers, none in a cycle, and the collector's passes over them doubled the time spent
building rows (measured on the benchmark's hours).
"""

from __future__ import annotations

import gc
import multiprocessing
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.compute as pc

from ossmeta.errors import NormalizeError, UsageError
from ossmeta.normalizers.gharchive_events import (
    CONSTANTS,
    GENERIC,
    HEAD_COLUMNS,
    LAYOUTS,
    SkippedEvent,
    event_row,
)
from ossmeta.normalizers.gharchive_sql import COLUMNS, EVENTS_SQL
from ossmeta.sources.gharchive import ArchiveFile, ByteProgress, Malformed, expand, read_events
from ossmeta.store.activity_files import DATASETS, ActivityFiles, new_owner

__all__ = [
    "BATCH_ROWS",
    "FileResult",
    "ImportReport",
    "Problem",
    "convert_file",
    "import_files",
    "plan",
]

BATCH_ROWS: Final = 200_000
MAX_PROBLEMS: Final = 100
#: Hourly files DuckDB reads in one query, in parallel: as many as it has threads on two
#: cores, and few, since their rows are held until the last is read.
READ_TOGETHER: Final = 2

_SCHEMA: Final = DATASETS["events"].schema


@dataclass(frozen=True, slots=True)
class Problem:
    """A line that could not be stored, and why."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass(frozen=True, slots=True)
class FileResult:
    """What one file gave."""

    lines: int
    events: int
    malformed: int
    problems: tuple[Problem, ...]
    skipped: tuple[tuple[str, int], ...]
    trimmed: int


@dataclass(frozen=True, slots=True)
class ImportReport:
    files: int
    input_bytes: int  # the files' size on disk
    lines: int  # non-blank lines read
    events: int  # rows written before deduplication
    # Rows this import brought whose event was already stored (or came twice in the input).
    duplicates: int
    malformed: int
    problems: tuple[Problem, ...]  # the first ones, in file order
    skipped: tuple[tuple[str, int], ...]  # (reason, events) for shapes not imported
    trimmed: int  # events in the payload shape trimmed in October 2025
    months: tuple[str, ...]
    workers: int

    @property
    def stored(self) -> int:
        """Events the store did not hold before: written minus duplicates."""
        return self.events - self.duplicates


def plan(paths: Sequence[str]) -> list[ArchiveFile]:
    """The files the paths name (a ``SourceError`` for a path that names nothing, a
    ``UsageError`` when together they hold no hourly file: a wrong folder, not an import
    of nothing)."""
    files = expand(paths)
    if not files:
        raise UsageError(
            "no GH Archive hourly files (.json, .ndjson or .jsonl, gzipped or not) "
            f"under {', '.join(paths)}"
        )
    return files


# -- rows → Arrow --------------------------------------------------------------------------


class EventTables:
    """Rows grouped by layout, turned into one table of the ``events`` schema on demand:
    each layout's columns from its rows, every other column NULL, constants repeated."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[object, ...]]] = {}
        self.count = 0

    def add(self, layout: str, values: tuple[object, ...]) -> None:
        rows = self.rows.get(layout)
        if rows is None:
            rows = self.rows[layout] = []
        rows.append(values)
        self.count += 1

    def take(self) -> pa.Table:
        """The rows added so far as one table; the builder is empty afterwards."""
        parts = [_layout_table(layout, rows) for layout, rows in self.rows.items() if rows]
        self.rows = {}
        self.count = 0
        if not parts:
            return _SCHEMA.empty_table()
        return pa.concat_tables(parts) if len(parts) > 1 else parts[0]


def _layout_table(layout: str, rows: list[tuple[object, ...]]) -> pa.Table:
    count = len(rows)
    # Rows of one layout all have its length (the normalizer builds them so), hence no
    # strict zip here: this is the hottest loop after the parsing.
    given = dict(zip(HEAD_COLUMNS + LAYOUTS[layout], zip(*rows)))  # noqa: B905
    constants = CONSTANTS if layout == GENERIC else {**CONSTANTS, "type": layout}
    arrays = []
    for spec in _SCHEMA:
        if spec.name in constants:
            arrays.append(pa.repeat(pa.scalar(constants[spec.name], spec.type), count))
        elif spec.name in given:
            arrays.append(pa.array(given[spec.name], type=spec.type))
        else:
            arrays.append(pa.nulls(count, spec.type))
    return pa.Table.from_arrays(arrays, schema=_SCHEMA)


# -- one file ------------------------------------------------------------------------------


@contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _gzipped(file: ArchiveFile) -> bool:
    with file.path.open("rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def _flattened(files: Sequence[ArchiveFile]) -> pa.Table:
    """The rows of ``files`` (all gzipped or none) as DuckDB flattens them, with the
    ``filename`` each came from; a ``duckdb.Error`` when it rejects any of them."""
    import duckdb

    with duckdb.connect() as connection:
        connection.execute("SET enable_progress_bar = false")
        parameters = {
            "file": [str(f.path) for f in files],
            "columns": COLUMNS,
            "compression": "gzip" if _gzipped(files[0]) else "none",
        }
        table: pa.Table = connection.sql(EVENTS_SQL, params=parameters).to_arrow_table()
    return table


def _rows_by_duckdb(files: Sequence[ArchiveFile]) -> list[pa.Table | None]:
    """Each file's rows as DuckDB flattens them, or None for a file it rejects (the
    Python reader then tells why, line by line). The files are read together when they
    can be (DuckDB then reads several at once), else one by one. A file is read whole
    before any of its rows is handed on, so a rejection midway leaves nothing to take
    back."""
    import duckdb

    try:
        if len(files) > 1 and len({_gzipped(f) for f in files}) == 1 and all(map(_plain, files)):
            table = _flattened(files)
            names = table["filename"]
            parts = [table.filter(pc.equal(names, str(f.path))) for f in files]
            if sum(part.num_rows for part in parts) == table.num_rows:
                return [part.select(_SCHEMA.names).cast(_SCHEMA) for part in parts]
    except (duckdb.Error, OSError):
        pass
    found: list[pa.Table | None] = []
    for file in files:
        try:
            flat = _flattened([file]) if _plain(file) else None
        except (duckdb.Error, OSError):
            flat = None
        found.append(None if flat is None else flat.select(_SCHEMA.names).cast(_SCHEMA))
    return found


def _plain(file: ArchiveFile) -> bool:
    """Whether DuckDB takes the path for itself: it reads ``*``, ``?`` and ``[`` as a
    pattern, which could name other files."""
    return not any(c in str(file.path) for c in "*?[")


def _emit_flattened(
    file: ArchiveFile,
    table: pa.Table,
    emit: Callable[[pa.Table], None],
    batch_rows: int,
    on_bytes: ByteProgress | None,
) -> FileResult:
    for start in range(0, table.num_rows, batch_rows):
        emit(table.slice(start, batch_rows))
    if on_bytes is not None:
        on_bytes(file.size)
    trimmed = pc.sum(table["trimmed"]).as_py() or 0
    return FileResult(table.num_rows, table.num_rows, 0, (), (), int(trimmed))


def convert_file(
    file: ArchiveFile,
    emit: Callable[[pa.Table], None],
    *,
    batch_rows: int = BATCH_ROWS,
    on_bytes: ByteProgress | None = None,
    max_problems: int = MAX_PROBLEMS,
    flattened: tuple[pa.Table | None] | None = None,
) -> FileResult:
    """Read one file; hand its rows to ``emit`` as tables of at most ``batch_rows``.
    ``flattened``: what DuckDB already made of the file (``(None,)``: it rejected it), when
    it read it together with others; by default it is read here."""
    table = _rows_by_duckdb([file])[0] if flattened is None else flattened[0]
    if table is not None:
        return _emit_flattened(file, table, emit, batch_rows, on_bytes)
    return _convert_in_python(file, emit, batch_rows, on_bytes, max_problems)


def _convert_in_python(
    file: ArchiveFile,
    emit: Callable[[pa.Table], None],
    batch_rows: int,
    on_bytes: ByteProgress | None,
    max_problems: int,
) -> FileResult:
    lines = events = malformed = trimmed = 0
    problems: list[Problem] = []
    skipped: Counter[str] = Counter()
    tables = EventTables()
    with _collector_paused():
        for item in read_events(file, on_bytes):
            lines += 1
            if type(item) is Malformed:
                malformed += 1
                if len(problems) < max_problems:
                    problems.append(Problem(item.path, item.line, item.reason))
                continue
            number, event = item  # type: ignore[misc]
            try:
                layout, values = event_row(event)
            except SkippedEvent as skip:
                skipped[skip.reason] += 1
                continue
            except NormalizeError as error:
                malformed += 1
                if len(problems) < max_problems:
                    problems.append(Problem(file.display, number, error.message))
                continue
            tables.add(layout, values)
            if values[-1] is True:  # ``trimmed`` closes every layout
                trimmed += 1
            if tables.count >= batch_rows:
                events += tables.count
                emit(tables.take())
        if tables.count:
            events += tables.count
            emit(tables.take())
    return FileResult(
        lines, events, malformed, tuple(problems), tuple(sorted(skipped.items())), trimmed
    )


# -- many files ----------------------------------------------------------------------------


class _Batches:
    """Tables gathered until a batch is worth a Parquet file, then staged."""

    def __init__(self, store: ActivityFiles, owner: str, batch_rows: int) -> None:
        self.store = store
        self.owner = owner
        self.batch_rows = batch_rows
        self.pending: list[pa.Table] = []
        self.rows = 0

    def add(self, table: pa.Table) -> None:
        self.pending.append(table)
        self.rows += table.num_rows
        if self.rows >= self.batch_rows:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            batch = pa.concat_tables(self.pending) if len(self.pending) > 1 else self.pending[0]
            self.pending, self.rows = [], 0
            self.store.stage(batch, self.owner)


def _import_apart(
    file: ArchiveFile, root: Path, owner: str, batch_rows: int, max_problems: int
) -> FileResult:
    """One file in a worker process, staging its own batches for the parent's ``owner``:
    the store's lock keeps the writers one at a time, and no table has to travel back."""
    batches = _Batches(ActivityFiles(root, "events"), owner, batch_rows)
    result = convert_file(file, batches.add, batch_rows=batch_rows, max_problems=max_problems)
    batches.flush()
    return result


@dataclass
class _Tally:
    """Totals over the files."""

    max_problems: int
    lines: int = 0
    events: int = 0
    malformed: int = 0
    trimmed: int = 0
    problems: list[Problem] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)

    def add(self, result: FileResult) -> None:
        self.lines += result.lines
        self.events += result.events
        self.malformed += result.malformed
        self.trimmed += result.trimmed
        room = self.max_problems - len(self.problems)
        self.problems.extend(result.problems[: max(room, 0)])
        self.skipped.update(dict(result.skipped))


def import_files(
    files: Sequence[ArchiveFile],
    root: Path,
    *,
    workers: int = 1,
    batch_rows: int = BATCH_ROWS,
    max_problems: int = MAX_PROBLEMS,
    on_bytes: ByteProgress | None = None,
    on_compact: Callable[[Sequence[str]], None] | None = None,
) -> ImportReport:
    """Import ``files`` into the ``events`` dataset under the activity ``root``.
    ``workers``: processes converting files (more than one starts a process pool).
    ``on_bytes`` hears of progress in bytes of input; ``on_compact`` of the months about
    to be compacted."""
    store = ActivityFiles(root, "events")
    owner = new_owner()
    tally = _Tally(max_problems)
    used = max(1, min(workers, len(files)))
    months: list[str] = []
    new = 0
    try:
        if used == 1:
            batches = _Batches(store, owner, batch_rows)
            for start in range(0, len(files), READ_TOGETHER):
                group = files[start : start + READ_TOGETHER]
                for file, flattened in zip(group, _rows_by_duckdb(group), strict=True):
                    tally.add(
                        convert_file(
                            file,
                            batches.add,
                            batch_rows=batch_rows,
                            on_bytes=on_bytes,
                            max_problems=max_problems,
                            flattened=(flattened,),
                        )
                    )
            batches.flush()
        else:
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(used, mp_context=context) as pool:
                count = len(files)
                done = pool.map(
                    _import_apart,
                    files,
                    [root] * count,
                    [owner] * count,
                    [batch_rows] * count,
                    [max_problems] * count,
                )
                for file, result in zip(files, done, strict=True):
                    tally.add(result)
                    if on_bytes is not None:
                        on_bytes(file.size)
    finally:
        # Also after a failure (here or in a worker): what was staged is published, so the
        # months are found from the manifest, not from the results.
        months = store.staged_months(owner)
        if months:
            if on_compact is not None:
                on_compact(months)
            new = store.publish(owner).new
    return ImportReport(
        files=len(files),
        input_bytes=sum(f.size for f in files),
        lines=tally.lines,
        events=tally.events,
        duplicates=tally.events - new,
        malformed=tally.malformed,
        problems=tuple(tally.problems),
        skipped=tuple(sorted(tally.skipped.items())),
        trimmed=tally.trimmed,
        months=tuple(months),
        workers=used,
    )
