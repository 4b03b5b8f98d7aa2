"""OpenDigger's per-repository counts and sums over a period's events.

Each entry of ``COUNTS`` is one exported file of OpenDigger's monthly export
(monthlyExport.ts L182-226) with the query it comes from:

=================================  ==========================================================
attention                          indices.ts getAttention: distinct stargazers + 2 × distinct
                                   forkers
stars                              metrics.ts repoStars: distinct WatchEvent actors
technical_fork                     chaoss.ts chaossTechnicalFork: ForkEvent rows (re-forks
                                   count again)
participants                       metrics.ts repoParticipants: distinct actors of the four
                                   activity types, any action, distinct per period
issues_new                         chaoss.ts chaossIssuesNew: distinct issues opened or reopened
issues_closed                      chaoss.ts chaossIssuesClosed
issues_and_change_request_active   chaoss.ts: distinct issues and PRs with any activity event
issue_comments                     metrics.ts repoIssueComments: IssueCommentEvent ``created``
                                   rows (PR conversation comments included)
change_requests                    chaoss.ts chaossChangeRequests: distinct PRs opened
change_requests_accepted           chaoss.ts chaossChangeRequestsAccepted: distinct PRs merged
change_requests_reviews            chaoss.ts chaossChangeRequestReviews: distinct review
                                   *comments* (line comments), any action
code_change_lines_add/remove/sum   chaoss.ts chaossCodeChangeLines: additions, deletions,
                                   additions − deletions summed over *every* PullRequestEvent
                                   row (no action filter, as upstream)
=================================  ==========================================================

No bot filter (OpenDigger has none for these). A missing line count adds nothing (ClickHouse
stores 0). A metric has a row only for the periods where its filter matched an event, and a
sum of 0 (as many lines removed as added) is dropped by ``compute``, as the export drops it.

Each metric is a sum over one or more *parts*: a filtered projection of the events, each
row weighing ``value``, or, where OpenDigger counts distinct ids (``uniqExact``), each
distinct id once. ``attention`` is two parts (stargazers weigh 1, forkers 2);
``code_change_lines_sum`` is additions minus deletions. All parts of all metrics go through
one ``UNION ALL`` and one ``GROUP BY``: the distincts are small hash tables, one per part,
rather than fourteen distinct aggregates over every row. The parts read one projection of the
events (``counted``), which DuckDB computes once (``MATERIALIZED``; Spark plans it per use).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ossmeta.analyses.metrics.model import Context, Definition, Period
from ossmeta.analyses.metrics.opendigger_sql import ACTIVITY_TYPES, MERGED_CLOSE, repo_rows

__all__ = ["COUNTS", "DEFINITIONS", "Part", "counts"]

_PULL: Final = "type = 'PullRequestEvent'"


@dataclass(frozen=True)
class Part:
    where: str  # which events
    value: str = "1"  # what one row, or one distinct id, adds
    distinct: str | None = None  # count each distinct value of this column once


_WATCH: Final = "type = 'WatchEvent'"
_FORK: Final = "type = 'ForkEvent'"
_ACTIVE: Final = f"type IN {ACTIVITY_TYPES}"

COUNTS: Final[dict[str, tuple[Part, ...]]] = {
    "attention": (Part(_WATCH, "1", "actor_id"), Part(_FORK, "2", "actor_id")),
    "stars": (Part(_WATCH, distinct="actor_id"),),
    "technical_fork": (Part(_FORK),),
    "participants": (Part(_ACTIVE, distinct="actor_id"),),
    "issues_new": (
        Part("type = 'IssuesEvent' AND action IN ('opened', 'reopened')", distinct="issue_id"),
    ),
    "issues_closed": (Part("type = 'IssuesEvent' AND action = 'closed'", distinct="issue_id"),),
    "issues_and_change_request_active": (Part(_ACTIVE, distinct="issue_id"),),
    "issue_comments": (Part("type = 'IssueCommentEvent' AND action = 'created'"),),
    "change_requests": (Part(f"{_PULL} AND action = 'opened'", distinct="issue_id"),),
    "change_requests_accepted": (Part(MERGED_CLOSE, distinct="issue_id"),),
    "change_requests_reviews": (
        Part("type = 'PullRequestReviewCommentEvent'", distinct="pull_review_comment_id"),
    ),
    "code_change_lines_add": (Part(_PULL, "pull_additions"),),
    "code_change_lines_remove": (Part(_PULL, "pull_deletions"),),
    "code_change_lines_sum": (Part(_PULL, "pull_additions"), Part(_PULL, "-pull_deletions")),
}


_COLUMNS: Final = (
    "repo_id, created_at, type, action, actor_id, issue_id, pull_review_comment_id, "
    "pull_merged, pull_merged_at, pull_additions, pull_deletions"
)


def _part(metric: str, part: Part, label: str) -> str:
    if part.distinct is None:
        return (
            f"SELECT repo_id, '{metric}' AS metric, {label} AS period, "
            f"coalesce({part.value}, 0) AS weight FROM counted WHERE {part.where}"
        )
    return (
        f"SELECT repo_id, '{metric}' AS metric, period, {part.value} AS weight FROM ("
        f"SELECT DISTINCT repo_id, {label} AS period, {part.distinct} AS id FROM counted "
        f"WHERE {part.where} AND {part.distinct} IS NOT NULL) AS ids"
    )


def counts(context: Context, period: Period) -> str:
    del context  # the events view already starts where the periods asked for need it
    label = period.label("created_at")
    parts = " UNION ALL ".join(
        _part(metric, part, label)
        for metric, metric_parts in COUNTS.items()
        for part in metric_parts
    )
    types = "('WatchEvent', 'ForkEvent', " + ACTIVITY_TYPES[1:]
    counted = f"SELECT {_COLUMNS} FROM events WHERE type IN {types}"
    summed = (
        "SELECT repo_id, metric, period, sum(weight) AS value, NULL AS detail "
        f"FROM ({parts}) AS parts GROUP BY repo_id, metric, period"
    )
    return f"WITH counted AS MATERIALIZED ({counted}) " + repo_rows(summed)


DEFINITIONS: Final[list[Definition]] = [Definition("counts", "repo", counts)]
