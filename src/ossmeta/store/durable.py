"""Writes that survive a crash and a power loss: a file's bytes and its directory entry are
on disk before anything names the file, and a swap (``os.replace``) is on disk before the
caller goes on.

Why both fsyncs: ``os.replace`` is atomic for readers on a running system, but after a power
loss the new name may point at a file whose blocks were never written (the data was only in
the page cache), or the rename itself may be undone (the directory was not flushed).

``OSSMETA_CRASH_AFTER_SYNCS=N`` kills the process with SIGKILL at the N-th durable step (a
test hook: the crash tests use it to stop a write at every point that matters, on purpose
and reproducibly, instead of at random times).
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Final

__all__ = ["durable_replace", "durable_write_text", "sync_directory", "sync_file"]

_CRASH_VARIABLE: Final = "OSSMETA_CRASH_AFTER_SYNCS"
_steps = 0


def _step() -> None:
    """Count one durable step; die here if the crash hook asks for it."""
    global _steps
    wanted = os.environ.get(_CRASH_VARIABLE)
    if not wanted:
        return
    _steps += 1
    if _steps >= int(wanted):
        os.kill(os.getpid(), signal.SIGKILL)


def sync_file(path: Path) -> None:
    """Flush a written file's bytes to disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    _step()


def sync_directory(path: Path) -> None:
    """Flush a directory's entries (created, renamed, removed names) to disk."""
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    _step()


def durable_replace(temporary: Path, target: Path) -> None:
    """Move a fully written ``temporary`` onto ``target`` (same directory) so that after a
    crash at any point either the old or the new content is there, never a torn one."""
    sync_file(temporary)
    sync_directory(target.parent)
    os.replace(temporary, target)
    sync_directory(target.parent)


def durable_write_text(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` through a temporary file and a durable swap."""
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    durable_replace(temporary, target)
