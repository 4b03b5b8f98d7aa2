"""Commit metrics per repository and period: commit frequency, active authors, code churn.

All three bucket a commit by its author time (UTC), the moment the change was written; the
committer time moves with every rebase and cherry-pick. They read the ``commits`` view (from the
start of ``since``'s year), so quarters and years are whole.
"""

from __future__ import annotations

from typing import Final

from ossmeta.analyses.metrics.git_sql import canonical_repo, commit_authors, result_row
from ossmeta.analyses.metrics.model import Context, Definition, Period

__all__ = ["DEFINITIONS", "active_authors", "code_churn", "commit_frequency"]


def commit_frequency(context: Context, period: Period) -> str:
    """``commit_frequency``: commits authored in the period, merges included (a merge is a
    commit on the history, often the only trace of a pull request merged on the host);
    ``commit_frequency.non_merge``: the same without merges (as the code host's contributor
    graphs count), the series to read for hand-written changes."""
    label = period.label("author_time")
    repo = canonical_repo("repo")
    return f"""
        WITH counted AS (
            SELECT {repo} AS repo, {label} AS period, count(*) AS commits,
                sum(CASE WHEN coalesce(is_merge, false) THEN 0 ELSE 1 END) AS non_merge
            FROM commits WHERE author_time IS NOT NULL
            GROUP BY {repo}, {label}
        )
        SELECT {result_row("repo", "'commit_frequency'", "period", "commits")} FROM counted
        UNION ALL
        SELECT {result_row("repo", "'commit_frequency.non_merge'", "period", "non_merge")}
        FROM counted"""


def active_authors(context: Context, period: Period) -> str:
    """``active_authors``: distinct people who authored a commit in the period, bots excluded
    (who a commit's author is, and which are bots: ``git_sql.commit_authors``)."""
    label = period.label("author_time")
    return f"""
        WITH {commit_authors()}
        SELECT {result_row("repo", "'active_authors'", label, "count(DISTINCT person)")}
        FROM resolved WHERE NOT is_bot
        GROUP BY repo, {label}"""


def code_churn(context: Context, period: Period) -> str:
    """``code_churn``: lines inserted plus lines deleted by the period's commits, and its parts
    ``code_churn.insertions`` and ``code_churn.deletions``. Merge commits carry no line counts
    (git import records none for them), so a change merged in is counted once, at its own
    commit; binary files count as 0 lines."""
    label = period.label("author_time")
    repo = canonical_repo("repo")
    return f"""
        WITH summed AS (
            SELECT {repo} AS repo, {label} AS period,
                sum(coalesce(insertions, 0)) AS insertions,
                sum(coalesce(deletions, 0)) AS deletions
            FROM commits WHERE author_time IS NOT NULL
            GROUP BY {repo}, {label}
        )
        SELECT {result_row("repo", "'code_churn'", "period", "insertions + deletions")}
        FROM summed
        UNION ALL
        SELECT {result_row("repo", "'code_churn.insertions'", "period", "insertions")}
        FROM summed
        UNION ALL
        SELECT {result_row("repo", "'code_churn.deletions'", "period", "deletions")}
        FROM summed"""


DEFINITIONS: Final = (
    Definition("commit_frequency", "repo", commit_frequency),
    Definition("active_authors", "repo", active_authors),
    Definition("code_churn", "repo", code_churn),
)
