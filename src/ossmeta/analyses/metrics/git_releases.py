"""Release cadence per repository and period: how many releases, and how far apart.

A release is a git tag or a ReleaseEvent with action ``published``; a tag and a release with
the same tag name in one repository are one release, timed by ``git_sql.releases`` (annotated
tag, else published event, else lightweight tag). Every tag counts, pre-releases included: a
tag does not say whether it is one, and release candidates are releases users can install.
"""

from __future__ import annotations

from typing import Final

from ossmeta.analyses.metrics.git_sql import releases, result_row
from ossmeta.analyses.metrics.model import Context, Definition, Period

__all__ = ["DEFINITIONS", "release_cadence"]


def release_cadence(context: Context, period: Period) -> str:
    """``releases``: releases made in the period. ``release_interval_days``: the median, over
    the period's releases, of the days since the release before it (that one may lie in an
    earlier period, so one release in a quarter still has an interval; a repository's first
    release has none). Days count calendar-day boundaries; the median interpolates linearly
    between the two middle values, as OpenDigger's quantiles do. Read over all history
    (``tags_all``, ``events_all``): a release's predecessor may predate ``since``."""
    label = period.label("released_at")
    return f"""
        WITH released AS ({releases()}),
        spaced AS (
            SELECT repo, released_at,
                date_diff('day',
                    CAST(lag(released_at) OVER (
                        PARTITION BY repo ORDER BY released_at, tag) AS DATE),
                    CAST(released_at AS DATE)) AS interval_days
            FROM released
        ),
        counted AS (
            SELECT repo, {label} AS period, count(*) AS releases,
                quantile_cont(interval_days, 0.5) AS median_interval
            FROM spaced GROUP BY repo, {label}
        )
        SELECT {result_row("repo", "'releases'", "period", "releases")} FROM counted
        UNION ALL
        SELECT {result_row("repo", "'release_interval_days'", "period", "median_interval")}
        FROM counted WHERE median_interval IS NOT NULL"""


DEFINITIONS: Final = (Definition("release_cadence", "repo", release_cadence),)
