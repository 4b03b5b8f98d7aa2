"""Writing a report where ``-o``/``--output`` says, the way shell redirection would.

``-`` (or no option) is stdout. A path that names a stream (a FIFO, a character device such
as ``/dev/null``, or anything under ``/dev`` and ``/proc`` like ``/dev/stdout`` and
``/dev/fd/3``) is opened and written as it comes: replacing it would leave a reader waiting
forever or swap a device for a file. A regular file, or a path that does not exist yet, is
written beside its target and renamed over it, so a failed run never leaves half a report
where the previous one was; a symlink is followed, so the link stays and its target is
replaced. A directory is the user's mistake (exit 2); a full disk or an I/O error is the
machine's (exit 4)."""

from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from ossmeta.errors import OutputError, UsageError

__all__ = ["check_output", "output_failure", "write_output"]

# What the machine did wrong, not the user: a retry elsewhere or later can succeed.
_ENVIRONMENT = {errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EROFS, errno.EFBIG}
_STREAM_ROOTS = ("/dev/", "/proc/")


def output_failure(where: str, error: OSError) -> OutputError | UsageError:
    """The one-line error for an ``OSError`` while writing ``where``."""
    reason = error.strerror or type(error).__name__
    if error.errno in _ENVIRONMENT:
        return OutputError(f"cannot write {where}: {reason}")
    return UsageError(f"cannot write {where}: {reason}")


def check_output(output: Path | None) -> int | None:
    """Refuse an output that cannot be written before any work is done (a directory, a
    folder that does not exist); the file's mode when it exists."""
    if output is None or str(output) == "-":
        return None
    try:
        mode = os.stat(output).st_mode  # follows symlinks
    except FileNotFoundError:
        parent = Path(os.path.realpath(output)).parent
        if not parent.is_dir():
            raise UsageError(f"cannot write {output}: {parent} is not a directory") from None
        return None
    except OSError as error:  # a parent that is a file, a loop of links, no permission
        raise output_failure(str(output), error) from None
    if stat.S_ISDIR(mode):
        raise UsageError(f"cannot write {output}: it is a directory")
    return mode


def write_output(output: Path | None, render: Callable[[TextIO], None]) -> None:
    """``render`` into stdout, a stream or a file (see the module docstring)."""
    if output is None or str(output) == "-":
        render(sys.stdout)
        return
    mode = check_output(output)
    if (mode is not None and not stat.S_ISREG(mode)) or str(output).startswith(_STREAM_ROOTS):
        _stream(output, render)
    else:
        _replace(Path(os.path.realpath(output)), str(output), render)


def _stream(output: Path, render: Callable[[TextIO], None]) -> None:
    try:
        with open(output, "w", encoding="utf-8") as stream:
            render(stream)
    except BrokenPipeError:
        raise
    except OSError as error:
        raise output_failure(str(output), error) from None


def _replace(target: Path, shown: str, render: Callable[[TextIO], None]) -> None:
    """Write beside ``target`` and rename over it. The file gets the usual permissions
    (umask), not mkstemp's private 0600."""
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as error:
        raise output_failure(shown, error) from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        stream: TextIO
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            render(stream)
        os.replace(temporary, target)
    except BaseException as error:
        os.unlink(temporary)
        if isinstance(error, OSError):
            raise output_failure(shown, error) from None
        raise
