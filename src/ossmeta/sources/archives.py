"""Reading members of zip archives without trusting them: no path traversal, no zip bombs."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import PurePosixPath

from ossmeta.sources.files import InputFile, max_input_bytes

#: A member that claims to inflate more than this many times its compressed size is a bomb.
MAX_RATIO = 200
#: Total inflated bytes we accept from one archive (the full OSV dump is ~3 GB inflated).
MAX_TOTAL_BYTES = 16 * 1024 * 1024 * 1024


def _check_name(archive: InputFile, name: str) -> None:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        archive.fail(f"archive member {name!r} points outside the archive (path traversal)")


def iter_members(archive: InputFile, suffixes: tuple[str, ...]) -> Iterator[tuple[str, bytes]]:
    """Yield (member name, bytes) for regular members whose name ends with a suffix."""
    limit = max_input_bytes()
    try:
        handle = zipfile.ZipFile(archive.path)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        archive.fail(f"not a readable zip archive: {error}")
    with handle:
        members = handle.infolist()
        total = 0
        for info in members:
            _check_name(archive, info.filename)
            total += info.file_size
            if info.file_size > limit:
                archive.fail(f"archive member {info.filename!r} is larger than the input limit")
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
                archive.fail(
                    f"archive member {info.filename!r} has a suspicious compression ratio "
                    "(zip bomb)"
                )
        if total > MAX_TOTAL_BYTES:
            archive.fail("archive inflates to more than the accepted total size (zip bomb)")
        for info in members:
            if info.is_dir() or not info.filename.lower().endswith(suffixes):
                continue
            try:
                with handle.open(info) as member:
                    # Read at most what the header promised: a forged header cannot make us
                    # inflate more than the checks above allowed.
                    data = member.read(info.file_size + 1)
            except (
                zipfile.BadZipFile,
                OSError,
                EOFError,
                ValueError,
                NotImplementedError,
            ) as error:
                archive.fail(f"archive member {info.filename!r} is corrupt: {error}")
            if len(data) > info.file_size:
                archive.fail(f"archive member {info.filename!r} is larger than its header says")
            yield info.filename, data


def count_members(archive: InputFile, suffixes: tuple[str, ...]) -> int:
    try:
        with zipfile.ZipFile(archive.path) as handle:
            return sum(
                1
                for i in handle.infolist()
                if not i.is_dir() and i.filename.lower().endswith(suffixes)
            )
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        archive.fail(f"not a readable zip archive: {error}")
