"""The one exception tree of ossmeta.

    OssmetaError
    ├── InputError          a user's file or argument is wrong (exit code 2)
    │   ├── SourceError     a source could not read or parse its input
    │   └── UsageError      a command-line usage mistake
    ├── NormalizeError      a raw record cannot be turned into the model
    ├── StoreError          the store cannot be opened, migrated or written
    └── AnalysisError       an analysis cannot run on what the store holds

Every error renders as one line: ``path:line: message`` when it knows the file.
"""

from __future__ import annotations


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


class NormalizeError(OssmetaError):
    """A raw record does not fit the model (a malformed OSV record, say)."""


class StoreError(OssmetaError):
    """The store cannot be opened, migrated or written."""


class AnalysisError(OssmetaError):
    """An analysis cannot run on what the store holds."""
