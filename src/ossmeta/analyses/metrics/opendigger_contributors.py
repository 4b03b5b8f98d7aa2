"""Contributors, new contributors and inactive contributors (chaoss.ts, ``by: 'change
request'``): a contributor is the author of a merged pull request.

- ``contributors`` / ``contributors_detail`` (chaossContributors): distinct authors of the PRs
  merged in the period; the detail is their distinct logins, sorted.
- ``new_contributors`` / ``new_contributors_detail`` (chaossNewContributors): authors whose
  *first* merged PR in the repository over all history (``events_all``) falls in the period.
- ``inactive_contributors`` (chaossInactiveContributors, 6 months, ``minCount`` 0): at each
  period's end T, the authors whose first merged PR is before T and who have no merged PR in
  ``[T - 6 months, T]`` (both ends included, as upstream). Periods run from the first month of
  the data to the last whole period: one whose end is no later than the start of the month
  after the newest event, nor than the start of ``as_of``'s month (OpenDigger stops at the
  last finished month too). A still-running quarter or year has no value.

Bots: OpenDigger drops ``%[bot]`` authors from new and inactive contributors; the lead's brief
drops them from ``contributors`` too (upstream's chaossContributors, at 9dbe6212, does not),
and every one of them also drops the logins of the ``bots`` view. Merges without an author id
are not counted (ClickHouse would group them under id 0).
"""

from __future__ import annotations

from datetime import UTC
from typing import Final

from ossmeta.analyses.metrics.model import Context, Definition, Period
from ossmeta.analyses.metrics.opendigger_sql import (
    MERGED_CLOSE,
    json_list,
    json_text,
    latest,
    not_bot,
    repo_rows,
    unpivot,
)

__all__ = [
    "DEFINITIONS",
    "INACTIVE_MONTHS",
    "contributors",
    "inactive_contributors",
    "new_contributors",
]

INACTIVE_MONTHS: Final = 6

_AUTHORS_WHERE: Final = (
    f"{MERGED_CLOSE} AND issue_author_id IS NOT NULL AND {not_bot('issue_author_login')}"
)


def contributors(context: Context, period: Period) -> str:
    del context
    label = period.label("created_at")
    authors = (
        f"SELECT DISTINCT repo_id, {label} AS period, issue_author_id, issue_author_login "
        f"FROM events WHERE {_AUTHORS_WHERE}"
    )
    logins = (
        "SELECT repo_id, period, "
        f"{json_list(json_text('login'), 'login')} AS listed FROM ("
        "SELECT DISTINCT repo_id, period, issue_author_login AS login FROM authors "
        "WHERE issue_author_login IS NOT NULL) AS distinct_logins GROUP BY repo_id, period"
    )
    summary = (
        "SELECT a.repo_id, a.period, a.authors, l.listed FROM ("
        "SELECT repo_id, period, count(DISTINCT issue_author_id) AS authors FROM authors "
        "GROUP BY repo_id, period) AS a "
        "LEFT JOIN logins AS l ON l.repo_id = a.repo_id AND l.period = a.period"
    )
    parts = [("contributors", "authors", None), ("contributors_detail", None, "listed")]
    return f"WITH authors AS ({authors}), logins AS ({logins}) " + repo_rows(
        unpivot("repo_id", summary, parts)
    )


def _first_merges() -> str:
    """Per (repo, author): the first merged PR over all history, and the latest login."""
    return (
        "SELECT repo_id, issue_author_id AS developer_id, min(created_at) AS first_time, "
        f"{latest('issue_author_login', 'created_at')} AS login "
        f"FROM events_all WHERE {_AUTHORS_WHERE} GROUP BY repo_id, issue_author_id"
    )


def new_contributors(context: Context, period: Period) -> str:
    del context
    label = period.label("first_time")
    summary = (
        f"SELECT repo_id, {label} AS period, count(*) AS authors, "
        f"{json_list(json_text('login'), 'login')} AS listed "
        f"FROM ({_first_merges()}) AS firsts GROUP BY repo_id, {label}"
    )
    parts = [("new_contributors", "authors", None), ("new_contributors_detail", None, "listed")]
    return repo_rows(unpivot("repo_id", summary, parts))


def inactive_contributors(context: Context, period: Period) -> str:
    as_of = context.as_of
    if as_of.tzinfo is not None:
        as_of = as_of.astimezone(UTC).replace(tzinfo=None)
    now_month = f"date_trunc('month', TIMESTAMP '{as_of:%Y-%m-%d %H:%M:%S}')"
    merges = (
        "SELECT repo_id, issue_author_id AS developer_id, created_at FROM events_all "
        f"WHERE {_AUTHORS_WHERE}"
    )
    bounds = (
        "SELECT date_trunc('month', min(created_at)) AS first_month, "
        f"least(date_trunc('month', max(created_at)) + INTERVAL 1 MONTH, {now_month}) "
        "AS horizon FROM events_all"
    )
    months = (
        "SELECT UNNEST(generate_series(first_month, horizon, INTERVAL 1 MONTH)) AS month "
        "FROM bounds"
    )
    # Periods before ``since``'s year are dropped after the query anyway; skip them here.
    since = f" AND period_end > TIMESTAMP '{context.since[:4]}-01-01'" if context.since else ""
    ends = (
        "SELECT DISTINCT e.period, e.period_end FROM ("
        f"SELECT {period.label('month')} AS period, {period.end('month')} AS period_end "
        "FROM months) AS e CROSS JOIN bounds AS b "
        f"WHERE e.period_end <= b.horizon{since}"
    )
    window = f"INTERVAL {INACTIVE_MONTHS} MONTH"
    candidates = (
        "SELECT f.repo_id, f.developer_id, e.period, e.period_end FROM firsts AS f "
        "JOIN ends AS e ON f.first_time < e.period_end"
    )
    active = (
        "SELECT DISTINCT c.repo_id, c.developer_id, c.period FROM candidates AS c "
        "JOIN merges AS m ON m.repo_id = c.repo_id AND m.developer_id = c.developer_id "
        f"AND m.created_at >= c.period_end - {window} AND m.created_at <= c.period_end"
    )
    grouped = (
        "SELECT c.repo_id, 'inactive_contributors' AS metric, c.period, count(*) AS value, "
        "NULL AS detail FROM candidates AS c LEFT JOIN active AS a "
        "ON a.repo_id = c.repo_id AND a.developer_id = c.developer_id AND a.period = c.period "
        "WHERE a.repo_id IS NULL GROUP BY c.repo_id, c.period"
    )
    return (
        f"WITH merges AS ({merges}), "
        "firsts AS (SELECT repo_id, developer_id, min(created_at) AS first_time FROM merges "
        "GROUP BY repo_id, developer_id), "
        f"bounds AS ({bounds}), months AS ({months}), ends AS ({ends}), "
        f"candidates AS ({candidates}), active AS ({active}) " + repo_rows(grouped)
    )


DEFINITIONS: Final[list[Definition]] = [
    Definition("contributors", "repo", contributors),
    Definition("new_contributors", "repo", new_contributors),
    Definition("inactive_contributors", "repo", inactive_contributors),
]
