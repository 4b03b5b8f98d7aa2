"""Days since the last commit and since the last release, as monthly series.

Evaluated at each month's end: the month's last day, or ``as_of``'s day in the month holding
``as_of`` (nothing after ``as_of`` counts, so a recomputation "as of" a past date sees only
what existed then). A monthly series rather than one number: its history shows when a project
went quiet, and its latest month answers "how long ago, now". The series of a repository starts
with the month of its first commit (first release) and runs to ``as_of``'s month; quarters and
years are not computed, as "days since" at a quarter's end is its last month's value.

Days count calendar-day boundaries between the two dates (OpenDigger's ``dateDiff('day')``),
so a commit on the evaluated day is 0 days ago. Unlike every other metric, these two series
keep their zeros (compute's ``finish`` exempts them): "0 days since the last commit" is news,
not an absent value, so every month of a series is present.
"""

from __future__ import annotations

from typing import Final

from ossmeta.analyses.metrics.git_sql import (
    as_of_instant,
    canonical_repo,
    month_calendar,
    releases,
    result_row,
)
from ossmeta.analyses.metrics.model import Context, Definition, Period

__all__ = ["DEFINITIONS", "MONTHLY", "days_since_last_commit", "days_since_last_release"]

MONTHLY: Final = (Period("month"),)


def _days_since(metric: str, moments: str, context: Context, period: Period) -> str:
    """``moments`` is a relation ``(repo, moment)``. The latest moment up to each month's end is
    carried forward over the months without one (a running max over a dense calendar), so the
    cost is linear in months, not months times moments."""
    label = period.label("month_start")
    return f"""
        WITH moments AS (
            SELECT repo, CAST(moment AS DATE) AS day FROM ({moments}) given
            WHERE moment IS NOT NULL AND moment <= {as_of_instant(context)}
        ),
        monthly AS (
            SELECT repo, CAST(date_trunc('month', day) AS DATE) AS month_start,
                max(day) AS latest_in_month
            FROM moments GROUP BY repo, CAST(date_trunc('month', day) AS DATE)
        ),
        firsts AS (SELECT repo, min(month_start) AS first_month FROM monthly GROUP BY repo),
        calendar AS ({month_calendar("firsts", context)}),
        carried AS (
            SELECT c.repo, c.month_start, c.day,
                max(m.latest_in_month) OVER (
                    PARTITION BY c.repo ORDER BY c.month_start
                    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
                ) AS latest
            FROM calendar c
            LEFT JOIN monthly m ON m.repo = c.repo AND m.month_start = c.month_start
        )
        SELECT {result_row("repo", f"'{metric}'", label, "date_diff('day', latest, day)")}
        FROM carried"""


def days_since_last_commit(context: Context, period: Period) -> str:
    """``days_since_last_commit``: by author time, merges included (see module doc)."""
    commits = f"SELECT {canonical_repo('repo')} AS repo, author_time AS moment FROM commits_all"
    return _days_since("days_since_last_commit", commits, context, period)


def days_since_last_release(context: Context, period: Period) -> str:
    """``days_since_last_release``: tags and published releases, one release per tag name
    (``git_sql.releases``)."""
    released = f"SELECT repo, released_at AS moment FROM ({releases()}) releases"
    return _days_since("days_since_last_release", released, context, period)


DEFINITIONS: Final = (
    Definition("days_since_last_commit", "repo", days_since_last_commit, MONTHLY),
    Definition("days_since_last_release", "repo", days_since_last_release, MONTHLY),
)
