"""Response time and resolution duration of issues and change requests (chaoss.ts
chaossResponseTime, chaossResolutionDuration), in days.

Each is a composite metric, one row per part: ``<name>.avg``, ``<name>.quantile_0`` ..
``quantile_4`` (ClickHouse ``quantile(q/4)``: linear interpolation, as ``quantile_cont``;
upstream samples above 8192 items, we do not) and ``<name>.levels`` (detail: the JSON list of
the item counts with ≤ 3, ≤ 7, ≤ 15 and > 15 days).

Days are ClickHouse's ``dateDiff('day', a, b)``: calendar-day boundaries crossed in UTC, so
23:59 → 00:01 the next day is 1 day; both ends are cast to DATE first (Spark's DATEDIFF on
timestamps counts elapsed 24 hours).

**Response time**, per (repo, issue number), bots' events (``%[bot]`` and the ``bots`` view)
removed first: created = the first ``opened`` event with no comments yet; responded = the
first ``created`` event (comment, review comment, review) by someone other than the author,
or the first ``closed``; never responded = created + 15 days, so exactly 15. Items are bucketed
by creation. Issues read IssuesEvent and IssueCommentEvent; change requests PullRequestEvent,
IssueCommentEvent, PullRequestReviewCommentEvent and PullRequestReviewEvent. A missing comment
count is 0 and a missing author is nobody (ClickHouse's defaults).

**Resolution duration**, per (repo, number) over IssuesEvent (PullRequestEvent for change
requests), no bot filter: kept when the last of its opened/closed/reopened events is
``closed`` (at one instant, closed counts as after reopened, reopened after opened; upstream
leaves such ties to chance); opened = the payload's creation time on its latest event; closed
= the last ``closed`` event. Bucketed by opened, from the first month of the data on (an item
opened before it has only part of its history here).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import Final

from ossmeta.analyses.metrics.model import Context, Definition, Period
from ossmeta.analyses.metrics.opendigger_sql import latest, not_bot, repo_rows, unpivot

__all__ = [
    "DEFINITIONS",
    "LEVEL_THRESHOLDS",
    "UNANSWERED_DAYS",
    "resolution_duration",
    "response_time",
]

LEVEL_THRESHOLDS: Final = (3, 7, 15)
UNANSWERED_DAYS: Final = 15
QUANTILES: Final = (0.0, 0.25, 0.5, 0.75, 1.0)

_ISSUE_RESPONSE_TYPES: Final = "('IssueCommentEvent', 'IssuesEvent')"
_CHANGE_REQUEST_RESPONSE_TYPES: Final = (
    "('IssueCommentEvent', 'PullRequestEvent', 'PullRequestReviewCommentEvent', "
    "'PullRequestReviewEvent')"
)


def _days(start: str, end: str) -> str:
    return f"CAST(date_diff('day', CAST({start} AS DATE), CAST({end} AS DATE)) AS DOUBLE)"


def _summary(durations: str) -> str:
    """avg, quantiles and level counts of ``days`` per (repo, period)."""
    quantiles = ", ".join(f"quantile_cont(days, {q}) AS q{i}" for i, q in enumerate(QUANTILES))
    bounds = [None, *LEVEL_THRESHOLDS, None]
    levels = ", ".join(
        "count(CASE WHEN "
        + " AND ".join(
            ([f"days > {low}"] if low is not None else [])
            + ([f"days <= {high}"] if high is not None else [])
        )
        + f" THEN 1 END) AS l{i}"
        for i, (low, high) in enumerate(pairwise(bounds))
    )
    return (
        f"SELECT repo_id, period, avg(days) AS mean, {quantiles}, {levels} "
        f"FROM ({durations}) AS durations GROUP BY repo_id, period"
    )


def _composite(name: str, durations: str) -> str:
    levels = " || ',' || ".join(f"CAST(l{i} AS VARCHAR)" for i in range(len(LEVEL_THRESHOLDS) + 1))
    parts: list[tuple[str, str | None, str | None]] = [
        (f"{name}.avg", "mean", None),
        *((f"{name}.quantile_{i}", f"q{i}", None) for i in range(len(QUANTILES))),
        (f"{name}.levels", None, f"'[' || {levels} || ']'"),
    ]
    return repo_rows(unpivot("repo_id", _summary(durations), parts))


def response_time(name: str, types: str) -> Callable[[Context, Period], str]:
    def build(context: Context, period: Period) -> str:
        del context
        items = (
            "SELECT repo_id, issue_number, "
            "min(CASE WHEN action = 'opened' AND coalesce(issue_comments, 0) = 0 "
            "THEN created_at END) AS created, "
            "min(CASE WHEN (action = 'created' AND actor_id IS DISTINCT FROM issue_author_id) "
            "OR action = 'closed' THEN created_at END) AS responded "
            f"FROM events WHERE type IN {types} AND issue_number IS NOT NULL "
            f"AND {not_bot('actor_login')} GROUP BY repo_id, issue_number"
        )
        answered = f"coalesce(responded, created + INTERVAL {UNANSWERED_DAYS} DAY)"
        durations = (
            f"SELECT repo_id, {period.label('created')} AS period, "
            f"{_days('created', answered)} AS days "
            f"FROM ({items}) AS items WHERE created IS NOT NULL"
        )
        return _composite(name, durations)

    return build


_ACTION_ORDER: Final = "CASE action WHEN 'opened' THEN '1' WHEN 'reopened' THEN '2' ELSE '3' END"


def resolution_duration(name: str, event_type: str) -> Callable[[Context, Period], str]:
    def build(context: Context, period: Period) -> str:
        del context
        last_key = (
            "CASE WHEN action IN ('opened', 'closed', 'reopened') THEN "
            f"strftime(created_at, '%Y-%m-%d %H:%M:%S.%f') || {_ACTION_ORDER} END"
        )
        items = (
            "SELECT repo_id, issue_number, "
            f"arg_max(action, {last_key}) AS last_action, "
            f"{latest('issue_created_at', 'created_at')} AS opened_at, "
            "max(CASE WHEN action = 'closed' THEN created_at END) AS closed_at "
            f"FROM events WHERE type = '{event_type}' AND issue_number IS NOT NULL "
            "GROUP BY repo_id, issue_number"
        )
        durations = (
            f"SELECT repo_id, {period.label('opened_at')} AS period, "
            f"{_days('opened_at', 'closed_at')} AS days FROM ({items}) AS items "
            "WHERE last_action = 'closed' AND opened_at IS NOT NULL "
            "AND opened_at >= (SELECT date_trunc('month', min(created_at)) FROM events)"
        )
        return _composite(name, durations)

    return build


DEFINITIONS: Final[list[Definition]] = [
    Definition(
        "issue_response_time", "repo", response_time("issue_response_time", _ISSUE_RESPONSE_TYPES)
    ),
    Definition(
        "change_request_response_time",
        "repo",
        response_time("change_request_response_time", _CHANGE_REQUEST_RESPONSE_TYPES),
    ),
    Definition(
        "issue_resolution_duration",
        "repo",
        resolution_duration("issue_resolution_duration", "IssuesEvent"),
    ),
    Definition(
        "change_request_resolution_duration",
        "repo",
        resolution_duration("change_request_resolution_duration", "PullRequestEvent"),
    ),
]
