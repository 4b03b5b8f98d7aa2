"""What a database error means for the person running ossmeta: one line and its kind.

A store that is locked, unreachable, read-only, full or out of date is the environment's
failure (``StoreError``, exit 4); SQL that the current schema should accept but does not is a
bug (left as it is, exit 3)."""

from __future__ import annotations

import os

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError

from ossmeta.errors import StoreError, UsageError

#: Seconds a statement waits for a lock another session holds before it gives up.
DEFAULT_LOCK_TIMEOUT = 30.0

# PostgreSQL SQLSTATEs (Appendix A of its manual) and what they mean here.
_LOCK_NOT_AVAILABLE = "55P03"
_READ_ONLY = "25006"
_SCHEMA_MISMATCH = {"42P01", "42703", "42704", "3F000"}  # table, column, object, schema
_STATE_CLASSES_OF_THE_ENVIRONMENT = ("08", "53", "57", "58", "XX")  # connection, resources


def lock_timeout() -> float:
    """``OSSMETA_LOCK_TIMEOUT`` in seconds (default 30); a bad value is the user's mistake."""
    raw = os.environ.get("OSSMETA_LOCK_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_LOCK_TIMEOUT
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 86_400:
        raise UsageError(f"OSSMETA_LOCK_TIMEOUT must be seconds in (0, 86400], not {raw!r}")
    return seconds


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _sqlstate(error: SQLAlchemyError) -> str | None:
    original = getattr(error, "orig", None)
    state = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    return str(state) if state else None


def store_failure(error: BaseException) -> StoreError | None:
    """The one-line ``StoreError`` a database error stands for, or None when it is a bug
    (or not a database error at all)."""
    if not isinstance(error, SQLAlchemyError):
        return None
    detail = _first_line(error)
    lowered = detail.lower()
    state = _sqlstate(error)
    if state == _LOCK_NOT_AVAILABLE:
        return StoreError(
            f"the store is locked by another session (lock timeout {lock_timeout():g}s); "
            "try again when it has finished"
        )
    if "database is locked" in lowered or "database table is locked" in lowered:
        return StoreError(
            f"another process holds the store (waited {lock_timeout():g}s); "
            "try again when it has finished"
        )
    if state == _READ_ONLY or "readonly database" in lowered or "read-only" in lowered:
        return StoreError(f"the store is read-only and this command writes to it: {detail}")
    if state in _SCHEMA_MISMATCH or "no such table" in lowered or "no such column" in lowered:
        return StoreError(
            f"the store's schema does not match this ossmeta ({detail}); run 'ossmeta db upgrade'"
        )
    if "file is not a database" in lowered or "disk image is malformed" in lowered:
        return StoreError(f"the store is damaged or not a database: {detail}")
    if state is not None and state.startswith(_STATE_CLASSES_OF_THE_ENVIRONMENT):
        return StoreError(f"the store failed: {detail}")
    if isinstance(error, (OperationalError, InterfaceError)) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    ):
        return StoreError(f"the store failed: {detail}")
    return None
