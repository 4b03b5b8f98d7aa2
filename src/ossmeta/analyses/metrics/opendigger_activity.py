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

How it is computed: each activity event is tagged with the one weighted *kind* it is (ic, oi,
op, rc, mp, or none) and the id it counts; the distinct (group, developer, kind, id) rows are
then counted per kind. That equals the five ``uniqExactIf`` of upstream (the kinds never
overlap) and is 2× faster than five distinct aggregates. A developer's latest login travels
along as ``max(time as text || login)``, which is ``opendigger_sql.latest`` in one pass.
"""

from __future__ import annotations

from typing import Final

from ossmeta.analyses.metrics.model import Context, Definition, Period
from ossmeta.analyses.metrics.opendigger_sql import (
    ACTIVITY_TYPES,
    MERGED_CLOSE,
    TIME_TEXT,
    developer_rows,
    double,
    json_list,
    json_text,
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
    "per_developer",
    "repo_activity",
]

#: indices.ts L20-24 (commit 3c3a0ba3, December 2023), by the kind of event they weigh.
ACTIVITY_WEIGHTS: Final[dict[str, float]] = {
    "ic": 0.5252,  # ISSUE_COMMENT_WEIGHT: an issue comment created
    "oi": 2.2235,  # OPEN_ISSUE_WEIGHT: an issue opened
    "op": 4.0679,  # OPEN_PULL_WEIGHT: a PR opened
    "rc": 0.7427,  # REVIEW_COMMENT_WEIGHT: a review comment created or added
    "mp": 2.0339,  # PULL_MERGED_WEIGHT: a PR merged (credited to its author)
}

_KIND: Final = (
    "CASE WHEN type = 'IssueCommentEvent' AND action = 'created' THEN 'ic' "
    "WHEN type = 'IssuesEvent' AND action = 'opened' THEN 'oi' "
    "WHEN type = 'PullRequestEvent' AND action = 'opened' THEN 'op' "
    "WHEN type = 'PullRequestReviewCommentEvent' AND action IN ('created', 'added') THEN 'rc' "
    f"WHEN {MERGED_CLOSE} THEN 'mp' END"
)
_ITEM: Final = (
    "CASE WHEN type = 'IssueCommentEvent' THEN issue_comment_id "
    "WHEN type = 'PullRequestReviewCommentEvent' THEN pull_review_comment_id "
    "ELSE issue_id END"
)
_DEVELOPER: Final = f"CASE WHEN {MERGED_CLOSE} THEN issue_author_id ELSE actor_id END"
_LOGIN: Final = f"CASE WHEN {MERGED_CLOSE} THEN issue_author_login ELSE actor_login END"

#: The activity of a group of ``per_developer`` item rows.
ACTIVITY: Final = (
    "sqrt("
    + " + ".join(
        f"{double(weight)} * count(CASE WHEN kind = '{kind}' THEN 1 END)"
        for kind, weight in ACTIVITY_WEIGHTS.items()
    )
    + ")"
)


def credited_events() -> str:
    """The activity events, each with the developer it counts for (a merged PR: its author;
    one whose author is unknown counts for nobody), its weighted kind and the id it counts
    (kind NULL: the event weighs nothing, like closing an issue, or lacks its id)."""
    tagged = (
        f"SELECT repo_id, created_at, {_DEVELOPER} AS developer_id, "
        f"{_LOGIN} AS developer_login, {_KIND} AS kind, {_ITEM} AS item "
        f"FROM events WHERE type IN {ACTIVITY_TYPES}"
    )
    return (
        "SELECT repo_id, created_at, developer_id, developer_login, "
        "CASE WHEN item IS NOT NULL THEN kind END AS kind, "
        "CASE WHEN kind IS NOT NULL THEN item END AS item "
        f"FROM ({tagged}) AS tagged WHERE developer_id IS NOT NULL"
    )


def per_developer(group: str) -> str:
    """Per (repo, ``group`` of created_at, developer): ``activity`` and the latest ``login``."""
    login_key = f"strftime(created_at, {TIME_TEXT}) || developer_login"
    items = (
        f"SELECT repo_id, {group} AS grp, developer_id, kind, item, max({login_key}) AS login_key "
        f"FROM ({credited_events()}) AS credited "
        f"GROUP BY repo_id, {group}, developer_id, kind, item"
    )
    text_length = 26  # of the time as text, before the login
    return (
        f"SELECT repo_id, grp, developer_id, {ACTIVITY} AS activity, "
        f"substr(max(login_key), {text_length + 1}) AS login "
        f"FROM ({items}) AS items GROUP BY repo_id, grp, developer_id"
    )


def _monthly() -> str:
    """Per (repo, developer, month): the activity, rows with activity > 0 only."""
    months = per_developer("date_trunc('month', created_at)")
    return (
        "SELECT repo_id, developer_id, grp AS month, activity "
        f"FROM ({months}) AS monthly WHERE activity > 0"
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
    # Grouped by the period's first instant (a number to hash), labelled once per summary row.
    developers = (
        "SELECT repo_id, grp AS period_start, login, "
        "CAST(ceil(activity) AS BIGINT) AS contribution "
        f"FROM ({per_developer(period.start('created_at'))}) AS developers"
    )
    weighted = (
        "SELECT repo_id, period_start, login, contribution, "
        "sum(contribution) OVER (PARTITION BY repo_id, period_start ORDER BY contribution) "
        "AS running, sum(contribution) OVER (PARTITION BY repo_id, period_start) AS total "
        f"FROM ({developers}) AS developers WHERE {not_bot('login')}"
    )
    # The threshold is the smallest contribution whose running weight reaches half the
    # total; as the running weight grows with the contribution, a developer is at or above
    # the threshold exactly when its own running weight reaches half: no second pass.
    core = (
        "SELECT repo_id, period_start, login, contribution FROM weighted "
        "WHERE running >= ceil(CAST(total AS DOUBLE) * 0.5)"
    )
    member = f"'[' || {json_text('login')} || ',' || CAST(contribution AS VARCHAR) || ']'"
    summary = (
        f"SELECT repo_id, {period.label('period_start')} AS period, count(*) AS members, "
        f"{json_list(member, 'contribution DESC, login')} AS listed "
        "FROM core GROUP BY repo_id, period_start"
    )
    parts = [("bus_factor", "members", None), ("bus_factor_detail", None, "listed")]
    return f"WITH weighted AS ({weighted}), core AS ({core}) " + repo_rows(
        unpivot("repo_id", summary, parts)
    )


DEFINITIONS: Final[list[Definition]] = [
    Definition("activity", "repo", repo_activity),
    Definition("activity", "developer", developer_activity),
    Definition("bus_factor", "repo", bus_factor),
]
