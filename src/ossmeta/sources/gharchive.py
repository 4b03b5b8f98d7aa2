"""GH Archive hourly files: newline-delimited JSON, gzip-compressed or plain.

A path may be a file, a directory (searched recursively, sorted) or a glob pattern. Files
are read as a stream, so an hour of any size needs only one decompressed chunk and one line
in memory. What a line holds is the normalizer's business; this module only splits lines
and parses JSON.

Damage is reported, never fatal: a line that is not JSON, not an object, longer than the
line limit, or cut off by a truncated or corrupt gzip stream comes out as a ``Malformed``
item naming the file and line, and reading goes on where it can (after a corrupt gzip
block nothing more can be decompressed, so that file ends there). A path that does not
exist, a glob that matches nothing and a file that cannot be opened are ``SourceError``s.
"""

from __future__ import annotations

import glob
import itertools
import json
import os
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Final

import orjson

from ossmeta.errors import SourceError

__all__ = [
    "MAX_LINE_BYTES",
    "ArchiveFile",
    "Malformed",
    "expand",
    "read_events",
    "read_lines",
]

#: Longest line accepted. Real events stay under a few hundred KiB (a pull request with
#: its two repository objects is the largest); a longer line is a bomb or garbage.
MAX_LINE_BYTES: Final = 16 * 1024 * 1024
#: Bytes read from disk at a time, and the most one decompression step may produce.
READ_BYTES: Final = 1024 * 1024
INFLATE_BYTES: Final = 8 * 1024 * 1024

SUFFIXES: Final = (".json.gz", ".json", ".ndjson", ".ndjson.gz", ".jsonl", ".jsonl.gz")
_GZIP_MAGIC: Final = b"\x1f\x8b"

ByteProgress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class ArchiveFile:
    """One file to read, with the name it is reported under and its size on disk."""

    path: Path
    display: str
    size: int


@dataclass(frozen=True, slots=True)
class Malformed:
    """A line that could not be read as one JSON object."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


# -- finding files -------------------------------------------------------------------------


def _is_archive_name(name: str) -> bool:
    return not name.startswith(".") and name.lower().endswith(SUFFIXES)


def _under(directory: Path) -> list[Path]:
    found: list[Path] = []
    for folder, subdirs, names in os.walk(directory):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        found.extend(Path(folder) / name for name in sorted(names) if _is_archive_name(name))
    return found


def _opened(path: Path, display: str) -> ArchiveFile:
    """The file, after checking that it can be opened (a permission problem is better
    found before an import starts than half-way through)."""
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
    except FileNotFoundError:
        raise SourceError("no such file or directory", path=display) from None
    except IsADirectoryError:
        raise SourceError("is a directory, not a file", path=display) from None
    except OSError as error:
        raise SourceError(f"cannot read: {error.strerror or error}", path=display) from None
    return ArchiveFile(path, display, size)


def expand(paths: Sequence[str]) -> list[ArchiveFile]:
    """Every file the arguments name, in the order given; a directory's files and a
    glob's matches in sorted order. A file named explicitly is read whatever its suffix;
    inside directories only ``.json[.gz]``, ``.ndjson[.gz]`` and ``.jsonl[.gz]`` are."""
    out: list[ArchiveFile] = []
    seen: set[Path] = set()

    def add(path: Path, display: str) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            out.append(_opened(path, display))

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for found in _under(path):
                add(found, str(found))
        elif path.exists() or not glob.has_magic(raw):
            add(path, raw)
        else:
            matches = sorted(glob.glob(raw, recursive=True))
            if not matches:
                raise SourceError("no file matches this pattern", path=raw)
            for match in matches:
                matched = Path(match)
                for found in _under(matched) if matched.is_dir() else [matched]:
                    add(found, str(found))
    return out


# -- reading lines -------------------------------------------------------------------------


def _chunks(handle: BinaryIO, display: str, on_bytes: ByteProgress | None) -> Iterator[bytes]:
    while True:
        try:
            chunk = handle.read(READ_BYTES)
        except OSError as error:
            raise SourceError(f"cannot read: {error.strerror or error}", path=display) from None
        if not chunk:
            return
        if on_bytes is not None:
            on_bytes(len(chunk))
        yield chunk


class _Inflated:
    """The decompressed blocks of a gzip stream (members one after another, as ``gzip``
    allows), each at most ``INFLATE_BYTES``. ``damage`` tells, once the blocks are spent,
    whether the stream was cut short or corrupt."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self.damage: str | None = None

    def __iter__(self) -> Iterator[bytes]:
        inflater = zlib.decompressobj(wbits=31)
        fed = False  # whether the current member has begun (a file may end between members)
        pending = b""  # compressed input not yet taken by the inflater
        for chunk in self._chunks:
            pending += chunk
            while pending:
                fed = True
                try:
                    block = inflater.decompress(pending, INFLATE_BYTES)
                except zlib.error as error:
                    self.damage = f"corrupt gzip data ({error}); the rest of the file is lost"
                    return
                if block:
                    yield block
                if inflater.eof:
                    # Another member may follow (``cat a.gz b.gz`` is a valid gzip file).
                    pending = inflater.unused_data
                    inflater = zlib.decompressobj(wbits=31)
                    fed = False
                    if pending and not _GZIP_MAGIC.startswith(pending[:2]):
                        self.damage = "trailing bytes after the gzip data"
                        return
                else:
                    pending = inflater.unconsumed_tail
        if fed and not inflater.eof:
            rest = inflater.flush()  # output zlib held back for want of room, if any
            if rest:
                yield rest
            self.damage = "truncated gzip stream: the file ends inside compressed data"


def read_lines(
    file: ArchiveFile,
    on_bytes: ByteProgress | None = None,
    max_line_bytes: int = MAX_LINE_BYTES,
) -> Iterator[tuple[int, bytes] | Malformed]:
    """``(line number, raw line)`` for every non-blank line, or a ``Malformed`` for a line
    that is too long or cut off by a damaged gzip stream. Line numbers count from 1 in
    the decompressed text, blank lines included. ``on_bytes`` hears of every chunk read
    from disk (its size in bytes, compressed), for a progress bar."""
    try:
        handle = file.path.open("rb")
    except OSError as error:
        raise SourceError(f"cannot read: {error.strerror or error}", path=file.display) from None
    with handle:
        chunks = _chunks(handle, file.display, on_bytes)
        first = next(chunks, b"")
        stream = itertools.chain((first,), chunks)
        inflated = _Inflated(stream) if first.startswith(_GZIP_MAGIC) else None
        too_long = f"line longer than {max_line_bytes} bytes"
        number = 0
        partial = b""  # the start of a line whose end is in a later block
        oversized = False  # the current line passed the limit: skip to its end
        for block in inflated if inflated is not None else stream:
            lines = block.split(b"\n")
            tail = lines.pop()
            if lines:
                if oversized:
                    number += 1
                    yield Malformed(file.display, number, too_long)
                    del lines[0]
                    oversized = False
                elif partial:
                    lines[0] = partial + lines[0]
                partial = b""
            for line in lines:
                number += 1
                if len(line) > max_line_bytes:
                    yield Malformed(file.display, number, too_long)
                elif line and not line.isspace():  # isspace stops at the first "{"
                    yield number, line
            if not oversized:
                partial += tail
                if len(partial) > max_line_bytes:
                    partial, oversized = b"", True
        damage = inflated.damage if inflated is not None else None
        if oversized:
            yield Malformed(file.display, number + 1, too_long)
        elif damage is not None:
            cut = "" if partial.isspace() or not partial else "; the last line is incomplete"
            yield Malformed(file.display, number + 1, damage + cut)
        elif partial and not partial.isspace():
            yield number + 1, partial  # the last line, without a final newline


def read_events(
    file: ArchiveFile,
    on_bytes: ByteProgress | None = None,
    max_line_bytes: int = MAX_LINE_BYTES,
) -> Iterator[tuple[int, dict[str, Any]] | Malformed]:
    """``(line number, event object)`` per line, parsed with orjson; a line that is not
    JSON or not a JSON object comes out as ``Malformed``."""
    loads = orjson.loads
    for item in read_lines(file, on_bytes, max_line_bytes):
        if type(item) is Malformed:
            yield item
            continue
        number, line = item  # type: ignore[misc]
        try:
            event = loads(line)
        except orjson.JSONDecodeError as error:
            event = _with_lone_surrogates(line) if "surrogate" in str(error) else None
            if event is None:
                yield Malformed(file.display, number, f"invalid JSON: {_first_line(str(error))}")
                continue
        if type(event) is not dict:
            kind = type(event).__name__
            yield Malformed(file.display, number, f"not a JSON object but {_json_kind(kind)}")
            continue
        yield number, event


def _with_lone_surrogates(line: bytes) -> Any:
    """A line orjson refuses for an unpaired surrogate escape (``"\\ud83d"``, half an
    emoji cut by a truncated title): valid JSON all the same, so parse it with the
    standard library and put U+FFFD where the half character was. None if it still fails."""
    try:
        return _scrubbed(json.loads(line))
    except ValueError:
        return None


def _scrubbed(value: Any) -> Any:
    if type(value) is str:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in value)
        return value
    if type(value) is dict:
        return {_scrubbed(key): _scrubbed(item) for key, item in value.items()}
    if type(value) is list:
        return [_scrubbed(item) for item in value]
    return value


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else "cannot parse"


def _json_kind(python_name: str) -> str:
    return {
        "list": "an array",
        "str": "a string",
        "int": "a number",
        "float": "a number",
        "bool": "a boolean",
        "NoneType": "null",
    }.get(python_name, python_name)
