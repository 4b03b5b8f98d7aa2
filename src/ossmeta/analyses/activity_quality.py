"""What the stored GH Archive events are worth, month by month (DESIGN §5: GH Archive has
lost events and trimmed payloads since 2025; the report says so rather than hiding it).

Per month of the ``events`` dataset:

- ``events``: rows stored, whatever their source;
- ``hours_present``: distinct UTC hours holding at least one GH Archive event;
  ``hours_expected``: the hours of the month (up to ``now`` for the current one);
  ``missing_hours`` = expected - present. An hour without a single event in a month with
  any means a lost (or not imported) hourly file: real hours hold thousands of events;
- ``trimmed_share``: GH Archive rows in the payload shape trimmed in October 2025 (fields
  such as a pull request's merge state may be absent), over GH Archive rows;
- ``api_share``: rows from a code-host API (which replace the log's), over all rows.

DuckDB reads the Parquet files of a pinned snapshot: one aggregate scan.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ossmeta.store.activity_snapshot import activity_snapshot

__all__ = ["ArchiveMonth", "archive_months"]


@dataclass(frozen=True, slots=True)
class ArchiveMonth:
    month: str  # YYYY-MM
    events: int
    gharchive_rows: int
    api_rows: int
    trimmed: int
    hours_present: int
    hours_expected: int

    @property
    def missing_hours(self) -> int | None:
        """None for a month without GH Archive rows: its hours say nothing of the log."""
        if not self.gharchive_rows:
            return None
        return max(0, self.hours_expected - self.hours_present)

    @property
    def trimmed_share(self) -> float | None:
        return self.trimmed / self.gharchive_rows if self.gharchive_rows else None

    @property
    def api_share(self) -> float | None:
        return self.api_rows / self.events if self.events else None


_MONTHS_SQL = """
SELECT month, count(*) AS events,
    count(*) FILTER (WHERE source = 'gharchive') AS gharchive_rows,
    count(*) FILTER (WHERE source = 'api') AS api_rows,
    count(*) FILTER (WHERE source = 'gharchive' AND trimmed) AS trimmed,
    count(DISTINCT date_trunc('hour', created_at)) FILTER (WHERE source = 'gharchive')
        AS hours_present
FROM read_parquet($files)
GROUP BY month ORDER BY month
"""


def hours_in_month(month: str, now: datetime) -> int:
    """The hours of ``month`` (YYYY-MM) that have begun by ``now``."""
    year, number = int(month[:4]), int(month[5:7])
    start = datetime(year, number, 1, tzinfo=UTC)
    whole = calendar.monthrange(year, number)[1] * 24
    if now < start:
        return 0
    return min(whole, int((now - start).total_seconds() // 3600) + 1)


def archive_months(root: Path, now: datetime) -> tuple[ArchiveMonth, ...]:
    """The months of the ``events`` dataset under the activity ``root``, oldest first."""
    now = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
    with activity_snapshot(root, ["events"]) as snapshot:
        files = snapshot.files("events")
        if not files:
            return ()
        with duckdb.connect() as connection:
            connection.execute("SET TimeZone = 'UTC'")
            rows = connection.execute(_MONTHS_SQL, {"files": files}).fetchall()
    return tuple(
        ArchiveMonth(
            str(month),
            int(events),
            int(archive),
            int(api),
            int(trimmed),
            int(hours),
            hours_in_month(str(month), now),
        )
        for month, events, archive, api, trimmed, hours in rows
    )
