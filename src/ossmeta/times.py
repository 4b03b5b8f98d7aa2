"""Times as ossmeta keeps and shows them: always UTC. SQLite hands stored datetimes back
naive (every stored time is UTC), so a naive value is read as UTC, never as local time."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["as_utc", "utc_text"]


def as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_text(value: datetime | None) -> str | None:
    """ISO 8601 to the second with ``Z``, as the JSON contracts write times."""
    aware = as_utc(value)
    return None if aware is None else aware.strftime("%Y-%m-%dT%H:%M:%SZ")
