"""The one exception tree of ossmeta, and the one table of exit codes.

    OssmetaError
    ├── InputError            the user's file or argument is wrong               exit 2
    │   ├── SourceError       a source could not read or parse its input
    │   ├── UsageError        a command-line usage mistake
    │   ├── NotFoundError     what the user named does not exist (or is not theirs)
    │   ├── AuthenticationError  no valid credentials (HTTP 401)
    │   └── ForbiddenError    valid credentials without the right to do this (HTTP 403)
    ├── NormalizeError        a record given to ossmeta does not fit the model   exit 2
    ├── AnalysisError         an analysis cannot run on what was asked            exit 2
    └── UnavailableError      the environment failed, not the user               exit 4
        ├── StoreError        the store is missing, unreachable, locked, read-only for a
        │                     write, out of date, or failed underneath
        ├── OutputError       the output could not be written (disk full, I/O error)
        └── (sources.http.FetchError: a network or upstream failure; its ``NotFound`` is
             also a ``SourceError``: the thing the user named does not exist, exit 2)

Exit codes of the ``ossmeta`` command (the README repeats this table):

    0    success; nothing found
    1    findings (``scan``), or some items failed and the rest were kept (``sync``, imports)
    2    the user's input is wrong: a file, an argument, a configuration value
    3    a bug in ossmeta: any exception that is not an ``OssmetaError`` (traceback kept)
    4    the environment failed: an upstream registry or the network, the store (missing,
         unreachable, locked, read-only for a write, needing ``ossmeta db upgrade``), a
         runtime ossmeta needs (Java for Spark), a helper process, a full disk
    130  interrupted (Ctrl-C); what was kept is said on stderr
    141  the reader of the output went away (a closed pipe); nothing is printed

``exit_code`` is the mapping the command uses. Every error renders as one line:
``path:line: message`` when it knows the file.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 2
EXIT_BUG = 3
EXIT_UNAVAILABLE = 4
EXIT_INTERRUPTED = 130
EXIT_CLOSED_PIPE = 141


class OssmetaError(Exception):
    """Base of every error ossmeta raises on purpose."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = self.path or ""
        if where and self.line is not None:
            where = f"{where}:{self.line}"
        flat = " ".join(self.message.split())
        return f"{where}: {flat}" if where else flat


class InputError(OssmetaError):
    """A file or argument given by the user is malformed, too large or unsupported."""


class SourceError(InputError):
    """A source could not read or parse its input (a lockfile, an SBOM, an OSV dump)."""


class UsageError(InputError):
    """The command line was used wrongly."""


class NotFoundError(InputError):
    """What the user named does not exist, or belongs to another tenant: the two are told
    apart nowhere, so nobody learns what another tenant holds."""


class AuthenticationError(InputError):
    """The credentials are missing, unknown, expired or revoked."""


class ForbiddenError(InputError):
    """The credentials are valid but their role or scope does not allow this."""


class NormalizeError(OssmetaError):
    """A raw record does not fit the model (a malformed OSV record, say)."""


class AnalysisError(OssmetaError):
    """An analysis cannot run on what the store holds."""


class UnavailableError(OssmetaError):
    """Something ossmeta depends on failed: an upstream, the network, the store, a runtime,
    a helper process, the disk. Trying again later (or fixing the machine) may help;
    changing the input will not."""


class StoreError(UnavailableError):
    """The store cannot be opened, migrated or written."""


class OutputError(UnavailableError):
    """The report could not be written where it was asked to go."""


class Interrupted(Exception):
    """Ctrl-C during a long write, with what was kept and how to go on (``kept``). Not a
    ``KeyboardInterrupt``: the CLI framework would swallow one into a silent exit 130."""

    def __init__(self, kept: str) -> None:
        super().__init__(kept)
        self.kept = kept


def exit_code(error: BaseException) -> int:
    """The exit code for an error that ended a command (see the table above). Input comes
    first: an error that is both (a ``NotFound`` for a name the user typed) is the user's."""
    if isinstance(error, (KeyboardInterrupt, Interrupted)):
        return EXIT_INTERRUPTED
    if isinstance(error, (InputError, NormalizeError, AnalysisError)):
        return EXIT_INPUT
    if isinstance(error, UnavailableError):
        return EXIT_UNAVAILABLE
    return EXIT_BUG
