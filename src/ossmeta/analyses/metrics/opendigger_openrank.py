"""OpenRank as a metric step: the monthly graph input in SQL (on the engine), the iteration
in ``ossmeta.analyses.openrank`` (SciPy on DuckDB runs, Spark on Spark runs).

**Global OpenRank** (reference §1.2, globalOpenrank.ts). Per month, repo and actor over all
history (``events_all``: each month carries the last one's values)::

    A(r,u) = ROUND(22.235·issues opened + 5.252·issue comments + 9.712·issues closed
                   + 7.427·review comments + 40.679·PRs opened + 14.695·pushes, 3)

(distinct ids; comments and review comments of any action), over the four activity types and
PushEvent, without events on issues titled ``[snyk]%``, without actors in the ``bots`` view
(upstream: accounts labelled ``:bot``), keeping a pair when A > 0, its latest login is not
``%[bot]``, and it has at least one of: issue opened or closed, issue comment created, review
comment created, PR opened or closed (a push-only pair is dropped). The actor is always the
event's actor (no merged-PR credit). Repo metric ``openrank`` and developer metric
``openrank`` per month; a quarter or year is the sum of its months (getRepoOpenrank,
getUserOpenrank).

**Community OpenRank** (reference §1.3, communityOpenrank.ts). Per month, repo, issue or PR
number and actor, without ``deleted`` events::

    ROUND(22.235·issue opened + 5.252·comments + 9.712·issue closed + 7.427·review comments
          + 40.679·PR opened + 14.695·PR closed, 3)

kept when > 0; the item is a PR for that actor when one of the actor's events on it is a
PullRequestEvent or review comment (upstream's per-row ``is_pull``); merged when one of the
actor's events on it says merged (``MAX(pull_merged)``). Computed for the repositories that
have a global OpenRank, as upstream. Stored as repo metric ``community_openrank`` per month:
value NULL, detail the JSON object ``{login: value}`` of every developer's community OpenRank
in the repository (3 decimals, as the upstream network export writes them). Bots stay in the
graph (upstream's graph keeps them) and are left out of the detail (as upstream's
``normalized_community_openrank``); the values are the community graph's own, not rescaled
to the repository's global OpenRank.

Both inputs are sorted before the solver sees them, so both engines hand it the same table.

On Spark the steps have DataFrame twins (``SPARK_STEPS``): the edges and items stay
DataFrames, global OpenRank runs as DataFrame jobs (``openrank.spark_global``), community
OpenRank one repository per executor task (``openrank.spark_community``), and the detail JSON
is written per (repository, month) group on the executors with the same code as here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final

import pyarrow as pa

from ossmeta.analyses.metrics.engine import MetricEngine, SparkEngine
from ossmeta.analyses.metrics.model import PERIODS, RESULT_SCHEMA, Context, Period
from ossmeta.analyses.metrics.opendigger_sql import (
    ACTIVITY_TYPES,
    MERGED,
    count_distinct_if,
    double,
    latest,
    not_bot,
)
from ossmeta.analyses.openrank import community_openrank, global_openrank
from ossmeta.analyses.openrank.global_rank import GLOBAL_MAX_ITERATIONS, GLOBAL_TOLERANCE

__all__ = [
    "COMMUNITY_ITEMS",
    "GLOBAL_EDGES",
    "SPARK_STEPS",
    "community_openrank_frame",
    "community_openrank_step",
    "global_openrank_frame",
    "global_openrank_step",
]

_MONTH: Final = "strftime(created_at, '%Y-%m')"

_GLOBAL_TERMS: Final = (
    (22.235, "issue_id", "type = 'IssuesEvent' AND action = 'opened'"),
    (5.252, "issue_comment_id", "type = 'IssueCommentEvent'"),
    (9.712, "issue_id", "type = 'IssuesEvent' AND action = 'closed'"),
    (7.427, "pull_review_comment_id", "type = 'PullRequestReviewCommentEvent'"),
    (40.679, "issue_id", "type = 'PullRequestEvent' AND action = 'opened'"),
    (14.695, "push_id", "type = 'PushEvent'"),
)
_COMMUNITY_TERMS: Final = (
    *_GLOBAL_TERMS[:5],
    (14.695, "issue_id", "type = 'PullRequestEvent' AND action = 'closed'"),
)
_VALID: Final = (
    "(type = 'IssuesEvent' AND action IN ('opened', 'closed')) "
    "OR (type = 'IssueCommentEvent' AND action = 'created') "
    "OR (type = 'PullRequestReviewCommentEvent' AND action = 'created') "
    "OR (type = 'PullRequestEvent' AND action IN ('opened', 'closed'))"
)


def _weighted(terms: tuple[tuple[float, str, str], ...]) -> str:
    total = " + ".join(f"{double(w)} * {count_distinct_if(c, cond)}" for w, c, cond in terms)
    return f"round({total}, 3)"


GLOBAL_EDGES: Final = (
    "SELECT month, repo_id, repo_name, actor_id, actor_login, activity FROM ("
    f"SELECT {_MONTH} AS month, repo_id, {latest('repo_name', 'created_at')} AS repo_name, "
    f"actor_id, {latest('actor_login', 'created_at')} AS actor_login, "
    f"{_weighted(_GLOBAL_TERMS)} AS activity, "
    f"count(CASE WHEN {_VALID} THEN 1 END) AS valid_count "
    "FROM events_all "
    f"WHERE type IN ('PushEvent', {ACTIVITY_TYPES[1:-1]}) AND actor_id IS NOT NULL "
    "AND coalesce(issue_title, '') NOT ILIKE '[snyk]%' "
    "AND lower(coalesce(actor_login, '')) NOT IN (SELECT lower(login) FROM bots) "
    f"GROUP BY {_MONTH}, repo_id, actor_id"
    ") AS pairs WHERE activity > 0 AND valid_count > 0 "
    "AND coalesce(actor_login, '') NOT LIKE '%[bot]' "
    "ORDER BY month, repo_id, actor_id"
)

COMMUNITY_ITEMS: Final = (
    "SELECT month, repo_id, repo_name, actor_id, actor_login, item_kind, item_number, merged, "
    "activity FROM ("
    f"SELECT {_MONTH} AS month, repo_id, {latest('repo_name', 'created_at')} AS repo_name, "
    f"actor_id, {latest('actor_login', 'created_at')} AS actor_login, "
    "CASE WHEN count(CASE WHEN type IN ('PullRequestEvent', 'PullRequestReviewCommentEvent') "
    "THEN 1 END) > 0 THEN 'pr' ELSE 'issue' END AS item_kind, "
    "issue_number AS item_number, "
    f"coalesce(bool_or({MERGED}), false) AS merged, "
    f"{_weighted(_COMMUNITY_TERMS)} AS activity "
    f"FROM events_all WHERE type IN {ACTIVITY_TYPES} AND action <> 'deleted' "
    "AND issue_number IS NOT NULL AND actor_id IS NOT NULL "
    f"GROUP BY {_MONTH}, repo_id, issue_number, actor_id"
    ") AS items WHERE activity > 0 AND actor_id > 0 "
    "AND repo_id IN (SELECT id FROM openrank_global WHERE kind = 'repo') "
    "ORDER BY month, repo_id, actor_id, item_kind, item_number"
)


def _global_rows(period: Period) -> str:
    """RESULT_SCHEMA rows of global OpenRank for one grain (a period sums its months)."""
    months = "CAST(month || '-01' AS TIMESTAMP)"
    label = period.label("month_start")
    source = f"SELECT kind, id, openrank, {months} AS month_start FROM openrank_global"
    return (
        f"SELECT r.repo AS subject, 'openrank' AS metric, {label} AS period, "
        "sum(o.openrank) AS value, CAST(NULL AS VARCHAR) AS detail "
        f"FROM ({source}) AS o JOIN repos AS r ON r.repo_id = o.id WHERE o.kind = 'repo' "
        f"GROUP BY r.repo, {label} "
        "UNION ALL "
        f"SELECT d.developer AS subject, 'openrank' AS metric, {label} AS period, "
        "sum(o.openrank) AS value, CAST(NULL AS VARCHAR) AS detail "
        f"FROM ({source}) AS o JOIN developers AS d ON d.actor_id = o.id "
        f"WHERE o.kind = 'user' AND d.developer IS NOT NULL GROUP BY d.developer, {label}"
    )


_COMMUNITY_DETAIL: Final = (
    "SELECT r.repo AS subject, c.month AS period, d.login AS login, c.openrank AS openrank "
    "FROM openrank_community AS c JOIN repos AS r ON r.repo_id = c.repo_id "
    "JOIN developers AS d ON d.actor_id = c.id "
    f"WHERE c.kind = 'user' AND d.login IS NOT NULL AND {not_bot('d.login')} "
    "ORDER BY subject, period, login"
)


def global_openrank_step(engine: MetricEngine, context: Context) -> pa.Table:
    """Global OpenRank rows (raw values); leaves the solver's output registered as
    ``openrank_global`` for ``community_openrank_step``."""
    if isinstance(engine, SparkEngine):
        return _arrow(global_openrank_frame(engine, context))
    del context  # OpenRank carries every month into the next: all history is computed
    ranked = global_openrank(engine.query(GLOBAL_EDGES), solver="scipy")
    engine.register_arrow("openrank_global", ranked)
    return pa.concat_tables(
        [engine.query(_global_rows(period)).cast(RESULT_SCHEMA) for period in PERIODS]
    )


def community_openrank_step(engine: MetricEngine, context: Context) -> pa.Table:
    """Community OpenRank rows; runs after ``global_openrank_step`` (its repositories are
    those with a global OpenRank)."""
    if isinstance(engine, SparkEngine):
        return _arrow(community_openrank_frame(engine, context))
    community = community_openrank(engine.query(COMMUNITY_ITEMS))
    engine.register_arrow("openrank_community", community)
    return _community_rows(engine.query(_COMMUNITY_DETAIL))


def global_openrank_frame(engine: SparkEngine, context: Context) -> Any:
    """``global_openrank_step``'s rows as a DataFrame; the ranks stay on the executors."""
    from ossmeta.analyses.openrank.spark_global import global_openrank_spark

    del context
    ranked = global_openrank_spark(
        engine.frame(GLOBAL_EDGES), tolerance=GLOBAL_TOLERANCE, max_iterations=GLOBAL_MAX_ITERATIONS
    )
    engine.register_frame("openrank_global", ranked)
    parts = [engine.frame(_global_rows(period)) for period in PERIODS]
    result = parts[0]
    for part in parts[1:]:
        result = result.unionByName(part)
    return result


def community_openrank_frame(engine: SparkEngine, context: Context) -> Any:
    """``community_openrank_step``'s rows as a DataFrame: one task per repository for the
    ranks, one per (repository, month) for the detail."""
    from ossmeta.analyses.openrank.spark_community import community_openrank_spark

    del context
    community = community_openrank_spark(engine.frame(COMMUNITY_ITEMS)).localCheckpoint()
    engine.register_frame("openrank_community", community)
    detail = engine.frame(_COMMUNITY_DETAIL)
    grouped = detail.rdd.map(lambda row: ((row[0], row[1]), tuple(row))).groupByKey()
    return engine.session.createDataFrame(grouped.flatMap(_detail_group), _RESULT_DDL)


_RESULT_DDL: Final = "subject string, metric string, period string, value double, detail string"


def _detail_group(group: tuple[Any, Any]) -> list[tuple[Any, ...]]:
    """One (repository, month)'s detail row, on an executor, by ``_community_rows``."""
    names = ("subject", "period", "login", "openrank")
    rows = sorted(group[1], key=lambda row: row[2])  # by login, as _COMMUNITY_DETAIL orders
    table = pa.Table.from_pylist([dict(zip(names, row, strict=True)) for row in rows])
    result = _community_rows(table)
    return list(zip(*(result.column(n).to_pylist() for n in result.column_names), strict=True))


def _arrow(frame: Any) -> pa.Table:
    table: pa.Table = frame.toArrow()
    return table.cast(RESULT_SCHEMA)


def _community_rows(detail: pa.Table) -> pa.Table:
    """One row per (repo, month): detail ``{login: value}`` (sorted rows in, sorted keys out)."""
    grouped: dict[tuple[str, str], dict[str, float]] = {}
    for subject, period, login, value in zip(
        detail.column("subject").to_pylist(),
        detail.column("period").to_pylist(),
        detail.column("login").to_pylist(),
        detail.column("openrank").to_pylist(),
        strict=True,
    ):
        grouped.setdefault((subject, period), {})[login] = round(float(value), 3)
    keys = list(grouped)
    return pa.table(
        {
            "subject": [s for s, _ in keys],
            "metric": ["community_openrank"] * len(keys),
            "period": [p for _, p in keys],
            "value": pa.nulls(len(keys), pa.float64()),
            "detail": [json.dumps(grouped[k], sort_keys=True) for k in keys],
        },
        schema=RESULT_SCHEMA,
    )


SPARK_STEPS: Final[dict[Callable[..., pa.Table], Callable[..., Any]]] = {
    global_openrank_step: global_openrank_frame,
    community_openrank_step: community_openrank_frame,
}
