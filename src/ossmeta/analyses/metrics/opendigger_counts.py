"""OpenDigger's per-repository counts: one filter and one aggregate over a period's events.

Each row of ``COUNTS`` is one exported file of OpenDigger's monthly export
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
stores 0). A count is 0 where its filter matched nothing, and zeros are dropped by
``compute``, so periods without a matching event have no row.

All counts of a period come from one scan of the events (each aggregate carries its filter
inside, ``count(DISTINCT CASE WHEN filter THEN id END)``) and are then unpivoted into one row
per metric: fourteen metrics cost one query per period instead of fourteen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ossmeta.analyses.metrics.model import Context, Definition, Period
from ossmeta.analyses.metrics.opendigger_sql import (
    ACTIVITY_TYPES,
    MERGED_CLOSE,
    count_distinct_if,
    repo_rows,
    unpivot,
)

__all__ = ["COUNTS", "DEFINITIONS", "Count", "counts"]

_PULL: Final = "type = 'PullRequestEvent'"


@dataclass(frozen=True)
class Count:
    name: str
    value: str  # an aggregate over all the period's events, with its filter inside it


def _rows(where: str) -> str:
    return f"count(CASE WHEN {where} THEN 1 END)"


def _sum(column: str, where: str) -> str:
    return f"coalesce(sum(CASE WHEN {where} THEN {column} END), 0)"


COUNTS: Final[tuple[Count, ...]] = (
    Count(
        "attention",
        count_distinct_if("actor_id", "type = 'WatchEvent'")
        + " + 2 * "
        + count_distinct_if("actor_id", "type = 'ForkEvent'"),
    ),
    Count("stars", count_distinct_if("actor_id", "type = 'WatchEvent'")),
    Count("technical_fork", _rows("type = 'ForkEvent'")),
    Count("participants", count_distinct_if("actor_id", f"type IN {ACTIVITY_TYPES}")),
    Count(
        "issues_new",
        count_distinct_if("issue_id", "type = 'IssuesEvent' AND action IN ('opened', 'reopened')"),
    ),
    Count(
        "issues_closed", count_distinct_if("issue_id", "type = 'IssuesEvent' AND action = 'closed'")
    ),
    Count(
        "issues_and_change_request_active",
        count_distinct_if("issue_id", f"type IN {ACTIVITY_TYPES}"),
    ),
    Count("issue_comments", _rows("type = 'IssueCommentEvent' AND action = 'created'")),
    Count("change_requests", count_distinct_if("issue_id", f"{_PULL} AND action = 'opened'")),
    Count("change_requests_accepted", count_distinct_if("issue_id", MERGED_CLOSE)),
    Count(
        "change_requests_reviews",
        count_distinct_if("pull_review_comment_id", "type = 'PullRequestReviewCommentEvent'"),
    ),
    Count("code_change_lines_add", _sum("pull_additions", _PULL)),
    Count("code_change_lines_remove", _sum("pull_deletions", _PULL)),
    Count(
        "code_change_lines_sum",
        f"{_sum('pull_additions', _PULL)} - {_sum('pull_deletions', _PULL)}",
    ),
)

_TYPES: Final = "('WatchEvent', 'ForkEvent', " + ACTIVITY_TYPES[1:]


def counts(context: Context, period: Period) -> str:
    del context  # the events view already starts where the periods asked for need it
    label = period.label("created_at")
    columns = ", ".join(f"{count.value} AS v{i}" for i, count in enumerate(COUNTS))
    summary = (
        f"SELECT repo_id, {label} AS period, {columns} "
        f"FROM events WHERE type IN {_TYPES} GROUP BY repo_id, {label}"
    )
    parts = [(count.name, f"v{i}", None) for i, count in enumerate(COUNTS)]
    return repo_rows(unpivot("repo_id", summary, parts))


DEFINITIONS: Final[list[Definition]] = [Definition("counts", "repo", counts)]
