"""Commit metrics per repository and period: commit frequency, active authors, code churn.

All three bucket a commit by its author time (UTC), the moment the change was written; the
committer time moves with every rebase and cherry-pick. They read the ``commits`` view (from the
start of ``since``'s year), so quarters and years are whole.
"""

from __future__ import annotations

from typing import Final

from ossmeta.analyses.metrics.git_sql import canonical_repo, result_row
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
    """``active_authors``: distinct people who authored a commit in the period, bots excluded.

    A commit's author identity is ``email:<lower-cased email>`` (``name:<name>`` when the email
    is empty), joined to the ``identities`` table, so the two addresses of one person count
    once. An identity the table does not know is a person of its own. A person is a bot when
    any of their identities is (the identities table's rule, curations included: a curated
    ``human`` stays counted); an identity the table does not know is a bot when its name
    ends in ``[bot]`` or its email's local part does (GitHub App accounts), the identities
    table's own tests for those two cases.
    """
    label = period.label("author_time")
    return f"""
        WITH people AS (
            SELECT person, bool_or(coalesce(is_bot, false)) AS is_bot
            FROM identities GROUP BY person
        ),
        known AS (
            SELECT i.identity, i.person, p.is_bot
            FROM identities i JOIN people p ON i.person = p.person
        ),
        authored AS (
            SELECT {canonical_repo("repo")} AS repo, author_time, author_name, author_email,
                CASE WHEN coalesce(author_email, '') <> '' THEN 'email:' || lower(author_email)
                     ELSE 'name:' || coalesce(author_name, '') END AS identity
            FROM commits WHERE author_time IS NOT NULL
        ),
        resolved AS (
            SELECT a.repo, a.author_time, coalesce(k.person, a.identity) AS person,
                CASE WHEN k.person IS NOT NULL THEN k.is_bot
                     ELSE coalesce(lower(a.author_name) LIKE '%[bot]', false)
                          OR coalesce(lower(a.author_email) LIKE '%[bot]@%', false)
                END AS is_bot
            FROM authored a LEFT JOIN known k ON k.identity = a.identity
        )
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
