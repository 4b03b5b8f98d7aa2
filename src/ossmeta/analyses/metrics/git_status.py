"""Maintenance status per repository and month: ``active``, ``slowing``, ``inactive`` or
``archived``.

The result row has ``value`` NULL and ``detail`` the status as a JSON string (``"active"``).

Evidence, all up to ``as_of`` and timed to the day (UTC):

- commits (git, author time; merges included),
- merged pull requests (PullRequestEvent ``closed`` and merged, at the close event),
- releases (tags and published releases, one per tag name, see ``git_sql.releases``).

Each month is judged at its end (its last day, or ``as_of``'s day in ``as_of``'s month). "The
trailing N days" are the N calendar days ending on that day, both ends included. In order:

1. **archived**: the code host says the repository is archived (``repo_facts.archived``),
   only for ``as_of``'s month: the flag is a fact about now, not about when it happened, and
   earlier months keep the status their evidence gives.
2. **active**: a commit or merged pull request in the trailing 90 days, **and** the commits of
   the trailing 180 days are at least half those of the 180 days before them (days 180-359).
3. **slowing**: not active, but a commit, merged pull request or release in the trailing 365
   days.
4. **inactive**: none of them in the trailing 365 days.

Why these thresholds:

- 90 days is the window OSS Compass evaluates activity over (its scores are computed weekly
  over the trailing 90 days) and the one OpenSSF Scorecard's "Maintained" check looks back
  over; a quarter without a single change or merge is the common mark of an unattended project.
- 365 days for "some sign of life" matches Compass's ``recent_releases`` window (the last
  year): a project that only ships a yearly release is maintained, if slowly; a full year
  without commit, merge or release is the usual line for "inactive".
- Half of the previous half-year flags a real decline, not noise: 180-day windows smooth a
  quiet month (holidays), and a halving in commit volume is a drop a reader sees at once.
  A release alone does not make a project active (a tag on old code is no development), but
  keeps it "slowing" rather than "inactive". A repository with merged pull requests but no
  imported git history has no commits on either side of the comparison, which then holds
  (0 >= 0 / 2), so its activity decides alone.

Quarter and year: the status at the period's end, i.e. its last judged month (``as_of``'s
month for the period holding ``as_of``). The months of a repository run from the month of its
first evidence to ``as_of``'s month; before any evidence there is no status.
"""

from __future__ import annotations

from typing import Final

from ossmeta.analyses.metrics.git_sql import (
    as_of_instant,
    as_of_month,
    canonical_repo,
    merged_pull_requests,
    month_calendar,
    releases,
    result_row,
)
from ossmeta.analyses.metrics.model import Context, Definition, Period

__all__ = ["ACTIVE_DAYS", "DECLINE_DAYS", "DEFINITIONS", "LIFE_DAYS", "maintenance_status"]

ACTIVE_DAYS: Final = 90
DECLINE_DAYS: Final = 180  # each of the two half-years compared
LIFE_DAYS: Final = 365


def maintenance_status(context: Context, period: Period) -> str:
    label = period.label("month_start")
    status = "'\"' || arg_max(status, month_start) || '\"'"
    return f"""
        WITH released AS ({releases()}),
        merged AS ({merged_pull_requests()}),
        evidence AS (
            SELECT {canonical_repo("repo")} AS repo, author_time AS moment,
                1 AS commits, 0 AS merges, 0 AS releases
            FROM commits_all
            UNION ALL SELECT repo, merged_at, 0, 1, 0 FROM merged
            UNION ALL SELECT repo, released_at, 0, 0, 1 FROM released
        ),
        daily AS (
            SELECT repo, CAST(moment AS DATE) AS day, sum(commits) AS commits,
                sum(merges) AS merges, sum(releases) AS releases
            FROM evidence
            WHERE moment IS NOT NULL AND moment <= {as_of_instant(context)}
            GROUP BY repo, CAST(moment AS DATE)
        ),
        firsts AS (
            SELECT repo, CAST(date_trunc('month', min(day)) AS DATE) AS first_month
            FROM daily GROUP BY repo
        ),
        calendar AS ({month_calendar("firsts", context)}),
        aged AS (
            SELECT c.repo, c.month_start, d.commits, d.merges, d.releases,
                date_diff('day', d.day, c.day) AS ago
            FROM calendar c LEFT JOIN daily d ON d.repo = c.repo
                AND date_diff('day', d.day, c.day) BETWEEN 0 AND {LIFE_DAYS - 1}
        ),
        windows AS (
            SELECT repo, month_start,
                coalesce(sum(CASE WHEN ago < {ACTIVE_DAYS} THEN commits + merges END), 0)
                    AS recent_work,
                coalesce(sum(CASE WHEN ago < {DECLINE_DAYS} THEN commits END), 0)
                    AS recent_commits,
                coalesce(sum(CASE WHEN ago >= {DECLINE_DAYS} AND ago < {2 * DECLINE_DAYS}
                                  THEN commits END), 0) AS earlier_commits,
                coalesce(sum(commits + merges + releases), 0) AS year_evidence
            FROM aged GROUP BY repo, month_start
        ),
        facts AS (
            SELECT {canonical_repo("repo")} AS repo, bool_or(archived) AS archived
            FROM repo_facts GROUP BY {canonical_repo("repo")}
        ),
        judged AS (
            SELECT w.repo, w.month_start,
                CASE
                    WHEN coalesce(f.archived, false)
                        AND w.month_start = {as_of_month(context)} THEN 'archived'
                    WHEN w.recent_work > 0 AND 2 * w.recent_commits >= w.earlier_commits
                        THEN 'active'
                    WHEN w.year_evidence > 0 THEN 'slowing'
                    ELSE 'inactive'
                END AS status
            FROM windows w LEFT JOIN facts f ON f.repo = w.repo
        )
        SELECT {result_row("repo", "'maintenance_status'", label, "NULL", status)}
        FROM judged GROUP BY repo, {label}"""


DEFINITIONS: Final = (Definition("maintenance_status", "repo", maintenance_status),)
