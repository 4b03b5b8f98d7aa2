"""SQL pieces the OpenDigger definitions share (DuckDB dialect; ``engine`` transpiles them).

Every piece is a string of SQL or a function returning one, so a definition reads as one
query, as OpenDigger's ClickHouse queries do (src/metrics/*.ts). Where ClickHouse and the SQL
standard part ways, the piece here says how OpenDigger's meaning is kept:

- ClickHouse columns are never NULL (a missing value is 0 or ''); ours are. So a merge is
  ``pull_merged`` (an unknown merge is no merge), a login is compared as ``coalesce(x, '')``,
  an issue's comment count as ``coalesce(x, 0)``, an id as ``IS DISTINCT FROM``.
- ``argMax`` picks some row among ties; DuckDB and Spark pick different ones, and Spark's
  ``MAX_BY`` returns a NULL value where DuckDB skips it. ``latest`` fixes both.
- Weights are ``DOUBLE`` (ClickHouse's ``Float64``), not exact decimals.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

__all__ = [
    "ACTIVITY_TYPES",
    "MERGED",
    "MERGED_CLOSE",
    "TIME_TEXT",
    "count_distinct_if",
    "developer_rows",
    "double",
    "json_list",
    "json_text",
    "latest",
    "not_bot",
    "repo_rows",
    "unpivot",
]

#: The event types of activity, participants and bus factor (indices.ts, metrics.ts).
ACTIVITY_TYPES: Final = (
    "('IssuesEvent', 'IssueCommentEvent', 'PullRequestEvent', 'PullRequestReviewCommentEvent')"
)

#: A merged pull request. ``pull_merged`` is NULL when a trimmed payload no longer says; the
#: merge time, when a source gave one, still tells.
MERGED: Final = "coalesce(pull_merged, pull_merged_at IS NOT NULL)"

#: OpenDigger's ``type='PullRequestEvent' AND action='closed' AND pull_merged=1``.
MERGED_CLOSE: Final = f"(type = 'PullRequestEvent' AND action = 'closed' AND {MERGED})"

#: A time as sortable text (26 characters), for tie-safe "latest" keys.
TIME_TEXT: Final = "'%Y-%m-%d %H:%M:%S.%f'"


def double(weight: float) -> str:
    """A weight as a DOUBLE literal (ClickHouse multiplies Float64, not decimals)."""
    return f"CAST({weight!r} AS DOUBLE)"


def count_distinct_if(column: str, condition: str) -> str:
    """ClickHouse's ``uniqExactIf(column, condition)`` (NULLs are not counted)."""
    return f"count(DISTINCT CASE WHEN {condition} THEN {column} END)"


def latest(value: str, time: str) -> str:
    """``argMax(value, time)``, the same on every engine: rows with a NULL value are skipped,
    and among rows at the same instant the greatest value (as text) wins."""
    key = f"strftime({time}, {TIME_TEXT}) || CAST({value} AS VARCHAR)"
    return f"arg_max({value}, CASE WHEN {value} IS NOT NULL THEN {key} END)"


def not_bot(login: str) -> str:
    """The login is no bot: not ``%[bot]`` (OpenDigger's rule) and not in the ``bots`` view
    (our maintained list and curations, matched without case)."""
    text = f"coalesce({login}, '')"
    return f"({text} NOT LIKE '%[bot]' AND lower({text}) NOT IN (SELECT lower(login) FROM bots))"


def json_text(value: str) -> str:
    """A JSON string of a login or name. Logins hold no quote or backslash; they are dropped
    rather than escaped, since the two engines read backslashes in SQL literals differently."""
    return f"('\"' || replace(replace(coalesce({value}, ''), chr(92), ''), chr(34), '') || '\"')"


def json_list(element: str, order: str) -> str:
    """An aggregate: the JSON list of ``element`` (already JSON text) in ``order``."""
    return f"('[' || string_agg({element}, ',' ORDER BY {order}) || ']')"


def repo_rows(grouped: str) -> str:
    """RESULT_SCHEMA rows from a query giving ``repo_id, metric, period, value, detail``:
    the subject is the repository's current name."""
    return (
        "SELECT r.repo AS subject, g.metric AS metric, g.period AS period, "
        "CAST(g.value AS DOUBLE) AS value, CAST(g.detail AS VARCHAR) AS detail "
        f"FROM ({grouped}) AS g JOIN repos AS r ON r.repo_id = g.repo_id"
    )


def developer_rows(grouped: str) -> str:
    """RESULT_SCHEMA rows from a query giving ``actor_id, metric, period, value, detail``:
    the subject is ``github.com/<current login>``."""
    return (
        "SELECT d.developer AS subject, g.metric AS metric, g.period AS period, "
        "CAST(g.value AS DOUBLE) AS value, CAST(g.detail AS VARCHAR) AS detail "
        f"FROM ({grouped}) AS g JOIN developers AS d ON d.actor_id = g.actor_id "
        "WHERE d.developer IS NOT NULL"
    )


def unpivot(key: str, summary: str, parts: Sequence[tuple[str, str | None, str | None]]) -> str:
    """One row per part of a composite metric from one summary row per (key, period).

    ``parts`` are (metric, value SQL, detail SQL) over the summary's columns. One pass over
    the summary (a cross join with the part names), not one query per part. Parts without a
    value and without a detail are left out."""
    names = ", ".join(f"('{metric}')" for metric, _, _ in parts)
    values = " ".join(f"WHEN '{m}' THEN {v}" for m, v, _ in parts if v is not None)
    details = " ".join(f"WHEN '{m}' THEN {d}" for m, _, d in parts if d is not None)
    value = f"CASE p.metric {values} END" if values else "NULL"
    detail = f"CASE p.metric {details} END" if details else "NULL"
    return (
        f"SELECT {key}, metric, period, value, detail FROM ("
        f"SELECT s.{key} AS {key}, p.metric AS metric, s.period AS period, "
        f"CAST({value} AS DOUBLE) AS value, CAST({detail} AS VARCHAR) AS detail "
        f"FROM ({summary}) AS s CROSS JOIN (VALUES {names}) AS p(metric)"
        ") AS parts WHERE value IS NOT NULL OR detail IS NOT NULL"
    )
