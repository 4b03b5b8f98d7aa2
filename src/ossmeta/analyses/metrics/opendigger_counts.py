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
``code_change_lines_sum`` is additions minus deletions. The parts are grouped into
*families* by what they count: every row, or distinct ``actor_id``, ``issue_id`` or
``pull_review_comment_id``. Each family is one aggregate: the row family sums conditional
values per (repo, period); a distinct family groups by (repo, period, id) once, counting per
part the id's matching rows, then counts per part the ids that matched at least once. So the
events pass through four hash tables, not one per part plus a ``GROUP BY`` over a union of
every counted row (2× the time at 10M events). The families read one projection of the
events (``counted``), which DuckDB computes once (``MATERIALIZED``; Spark plans it per use).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ossmeta.analyses.metrics.model import Context, Definition, Period
from ossmeta.analyses.metrics.opendigger_sql import ACTIVITY_TYPES, MERGED_CLOSE, repo_rows, unpivot

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
    "repo_id, type, action, actor_id, issue_id, pull_review_comment_id, "
    "pull_merged, pull_merged_at, pull_additions, pull_deletions"
)


def _families() -> dict[str | None, list[tuple[str, int, Part]]]:
    """The parts by the column they count distinct values of (None: every row), each with
    its metric and a number naming its columns in the summaries."""
    families: dict[str | None, list[tuple[str, int, Part]]] = {}
    for metric, parts in COUNTS.items():
        if len({part.distinct for part in parts}) != 1:
            raise AssertionError(f"the parts of {metric} count different things")
        for part in parts:
            family = families.setdefault(part.distinct, [])
            family.append((metric, len(family), part))
    return families


def _metric_values(
    column: str | None, family: list[tuple[str, int, Part]]
) -> list[tuple[str, str, None]]:
    """Each metric's value over its family's summary: NULL (no row) where no part matched;
    a sum of its parts' values, or of each distinct id's weight."""
    by_metric: dict[str, list[tuple[int, Part]]] = {}
    for metric, number, part in family:
        by_metric.setdefault(metric, []).append((number, part))
    values: list[tuple[str, str, None]] = []
    for metric, numbered in by_metric.items():
        matched = " + ".join(f"n{n}" for n, _ in numbered)
        weighed = (f"s{n}" if column is None else f"{p.value} * n{n}" for n, p in numbered)
        values.append((metric, f"CASE WHEN {matched} > 0 THEN {' + '.join(weighed)} END", None))
    return values


def _summary(column: str | None, family: list[tuple[str, int, Part]]) -> str:
    """Per (repo, period): for each part, ``n<i>`` its matching rows (or distinct ids) and,
    for the parts of every row, ``s<i>`` the sum of its values."""
    if column is None:
        sums = ", ".join(
            f"count(CASE WHEN {p.where} THEN 1 END) AS n{n}, "
            f"sum(CASE WHEN {p.where} THEN coalesce({p.value}, 0) END) AS s{n}"
            for _, n, p in family
        )
        return f"SELECT repo_id, period, {sums} FROM counted GROUP BY repo_id, period"
    # One hash table of (repo, period, id) for every part of the family, not one per part:
    # an id counts for a part when at least one of its rows matched that part.
    hits = ", ".join(f"count(CASE WHEN {p.where} THEN 1 END) AS h{n}" for _, n, p in family)
    counted = ", ".join(f"count(CASE WHEN h{n} > 0 THEN 1 END) AS n{n}" for _, n, _ in family)
    return (
        f"SELECT repo_id, period, {counted} FROM ("
        f"SELECT repo_id, period, {column}, {hits} FROM counted "
        f"WHERE {column} IS NOT NULL GROUP BY repo_id, period, {column}) AS ids "
        "GROUP BY repo_id, period"
    )


def counts(context: Context, period: Period) -> str:
    del context  # the events view already starts where the periods asked for need it
    rows = []
    for column, family in _families().items():
        parts = _metric_values(column, family)
        rows.append(unpivot("repo_id", _summary(column, family), parts))
    types = "('WatchEvent', 'ForkEvent', " + ACTIVITY_TYPES[1:]
    counted = (
        f"SELECT {_COLUMNS}, {period.label('created_at')} AS period FROM events "
        f"WHERE type IN {types}"
    )
    return f"WITH counted AS MATERIALIZED ({counted}) " + repo_rows(" UNION ALL ".join(rows))


DEFINITIONS: Final[list[Definition]] = [Definition("counts", "repo", counts)]
