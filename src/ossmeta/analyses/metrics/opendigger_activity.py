"""OpenDigger's activity index and the bus factor built on it (indices.ts, chaoss.ts).

Activity of one developer in one repository over some events (``basicActivitySqlComponent``,
weights of December 2023)::

    sqrt(0.5252·ic + 2.2235·oi + 4.0679·op + 0.7427·rc + 2.0339·mp)

ic distinct issue comments ``created``; oi distinct issues ``opened``; op distinct PRs
``opened``; rc distinct review comments ``created``/``added``; mp distinct PRs merged. The
developer is the event's actor, except for a merged PR, which is credited to its *author*.
Only the four activity types count (no pushes, stars or forks).

- ``activity`` (repo): per (repo, developer, **month**) the square root above, kept when > 0;
  a period's value is the sum of those monthly values, so a quarter is the sum of monthly
  square roots, never the square root of the quarter's counts (getRepoActivity).
- ``activity`` (developer, subject ``github.com/<login>``): OpenDigger's user activity
  (getUserActivity): the same per (repo, developer, month) values summed over every
  repository and month of the period. Bots are not filtered (its ``withBot`` defaults to
  true); a merged PR counts for its author, as in the repo index.
- ``bus_factor`` / ``bus_factor_detail`` (chaossBusFactor, ``by: 'activity'``): per period
  and developer, ``contribution = ceil(activity)`` over the **whole period's** counts (not a
  sum of months). Bots (``%[bot]`` and the ``bots`` view) are dropped by the developer's
  latest credited login. The threshold is ClickHouse's
  ``quantileExactWeighted(0.5)(contribution, contribution)``: with the developers sorted by
  contribution, the smallest contribution whose cumulative weight (all developers with that
  contribution or less — a window sum with its default RANGE frame) reaches
  ``ceil(total · 0.5)``. The bus factor is the number of developers at or above it (ties all
  count); the detail lists them as ``[login, contribution]``, largest first, then by login
  (upstream leaves the order unspecified). Developers whose activity is 0 (they only closed
  issues, say) take part with contribution 0, as upstream, so a period in which nobody has
  positive activity has every such developer in its bus factor (threshold 0).
"""

from __future__ import annotations

from typing import Final

from ossmeta.analyses.metrics.model import Context, Definition, Period
from ossmeta.analyses.metrics.opendigger_sql import (
    ACTIVITY_TYPES,
    MERGED_CLOSE,
    count_distinct_if,
    developer_rows,
    double,
    json_list,
    json_text,
    latest,
    not_bot,
    repo_rows,
    unpivot,
)

__all__ = [
    "ACTIVITY",
    "ACTIVITY_WEIGHTS",
    "DEFINITIONS",
    "bus_factor",
    "credited_events",
    "developer_activity",
    "repo_activity",
]

#: indices.ts L20-24 (commit 3c3a0ba3, December 2023).
ACTIVITY_WEIGHTS: Final[dict[str, float]] = {
    "issue_comment": 0.5252,
    "open_issue": 2.2235,
    "open_pull": 4.0679,
    "review_comment": 0.7427,
    "merged_pull": 2.0339,
}

#: The activity of a group of ``credited_events`` rows.
ACTIVITY: Final = (
    "sqrt("
    + " + ".join(
        f"{double(ACTIVITY_WEIGHTS[name])} * {count}"
        for name, count in (
            (
                "issue_comment",
                count_distinct_if(
                    "issue_comment_id", "type = 'IssueCommentEvent' AND action = 'created'"
                ),
            ),
            (
                "open_issue",
                count_distinct_if("issue_id", "type = 'IssuesEvent' AND action = 'opened'"),
            ),
            (
                "open_pull",
                count_distinct_if("issue_id", "type = 'PullRequestEvent' AND action = 'opened'"),
            ),
            (
                "review_comment",
                count_distinct_if(
                    "pull_review_comment_id",
                    "type = 'PullRequestReviewCommentEvent' AND action IN ('created', 'added')",
                ),
            ),
            ("merged_pull", count_distinct_if("issue_id", "merged_close")),
        )
    )
    + ")"
)


def credited_events() -> str:
    """The activity events with the developer they count for (a merged PR: its author; one
    whose author is unknown counts for nobody)."""
    return (
        "SELECT repo_id, created_at, type, action, issue_id, issue_comment_id, "
        "pull_review_comment_id, "
        f"{MERGED_CLOSE} AS merged_close, "
        f"CASE WHEN {MERGED_CLOSE} THEN issue_author_id ELSE actor_id END AS developer_id, "
        f"CASE WHEN {MERGED_CLOSE} THEN issue_author_login ELSE actor_login END "
        "AS developer_login "
        f"FROM events WHERE type IN {ACTIVITY_TYPES}"
        f" AND (CASE WHEN {MERGED_CLOSE} THEN issue_author_id ELSE actor_id END) IS NOT NULL"
    )


def _monthly() -> str:
    """Per (repo, developer, month): the activity, rows with activity > 0 only."""
    month = "date_trunc('month', created_at)"
    return (
        "SELECT * FROM ("
        f"SELECT repo_id, developer_id, {month} AS month, {ACTIVITY} AS activity "
        f"FROM ({credited_events()}) AS credited GROUP BY repo_id, developer_id, {month}"
        ") AS monthly WHERE activity > 0"
    )


def repo_activity(context: Context, period: Period) -> str:
    del context
    label = period.label("month")
    return repo_rows(
        f"SELECT repo_id, 'activity' AS metric, {label} AS period, sum(activity) AS value, "
        f"NULL AS detail FROM ({_monthly()}) AS monthly GROUP BY repo_id, {label}"
    )


def developer_activity(context: Context, period: Period) -> str:
    del context
    label = period.label("month")
    return developer_rows(
        f"SELECT developer_id AS actor_id, 'activity' AS metric, {label} AS period, "
        f"sum(activity) AS value, NULL AS detail FROM ({_monthly()}) AS monthly "
        f"GROUP BY developer_id, {label}"
    )


def bus_factor(context: Context, period: Period) -> str:
    del context
    label = period.label("created_at")
    per_developer = (
        f"SELECT repo_id, {label} AS period, developer_id, "
        f"{latest('developer_login', 'created_at')} AS login, "
        f"CAST(ceil({ACTIVITY}) AS BIGINT) AS contribution "
        f"FROM ({credited_events()}) AS credited GROUP BY repo_id, {label}, developer_id"
    )
    weighted = (
        "SELECT repo_id, period, login, contribution, "
        "sum(contribution) OVER (PARTITION BY repo_id, period ORDER BY contribution) AS running, "
        "sum(contribution) OVER (PARTITION BY repo_id, period) AS total "
        f"FROM ({per_developer}) AS developers WHERE {not_bot('login')}"
    )
    thresholds = (
        "SELECT repo_id, period, min(contribution) AS threshold FROM weighted "
        "WHERE running >= ceil(CAST(total AS DOUBLE) * 0.5) GROUP BY repo_id, period"
    )
    core = (
        "SELECT w.repo_id, w.period, w.login, w.contribution FROM weighted AS w "
        "JOIN thresholds AS t ON t.repo_id = w.repo_id AND t.period = w.period "
        "WHERE w.contribution >= t.threshold"
    )
    member = f"'[' || {json_text('login')} || ',' || CAST(contribution AS VARCHAR) || ']'"
    summary = (
        "SELECT repo_id, period, count(*) AS members, "
        f"{json_list(member, 'contribution DESC, login')} AS listed "
        "FROM core GROUP BY repo_id, period"
    )
    parts = [("bus_factor", "members", None), ("bus_factor_detail", None, "listed")]
    return (
        f"WITH weighted AS ({weighted}), thresholds AS ({thresholds}), core AS ({core}) "
        + repo_rows(unpivot("repo_id", summary, parts))
    )


DEFINITIONS: Final[list[Definition]] = [
    Definition("activity", "repo", repo_activity),
    Definition("activity", "developer", developer_activity),
    Definition("bus_factor", "repo", bus_factor),
]
