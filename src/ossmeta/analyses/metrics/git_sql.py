"""SQL pieces shared by the git-health metrics (DuckDB dialect, transpiled for Spark).

Everything here returns SQL text: common table expressions and literals. Days are compared as
DATEs (``date_diff('day', CAST(a AS DATE), CAST(b AS DATE))``) so both engines count calendar
boundaries, never elapsed 24-hour blocks.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ossmeta.analyses.metrics.model import Context

__all__ = [
    "as_of_day",
    "as_of_instant",
    "as_of_month",
    "canonical_repo",
    "commit_authors",
    "merged_pull_requests",
    "month_calendar",
    "releases",
    "result_row",
]


def canonical_repo(column: str) -> str:
    """A repository key in canonical form: GitHub owner and name are case-insensitive, so a
    ``github.com/...`` key is lower-cased (as ``normalizers.repos`` writes it and git import
    stores it); keys of other hosts keep their case."""
    return f"(CASE WHEN {column} LIKE 'github.com/%' THEN lower({column}) ELSE {column} END)"


def commit_authors() -> str:
    """CTEs ending in ``resolved``: one row per commit with its author as a person,
    ``(repo, author_time, person, display, is_bot, is_merge, lines)``.

    A commit's author identity is ``email:<lower-cased email>`` (``name:<name>`` when the
    email is empty), joined to the ``identities`` table, so the two addresses of one person
    count once. An identity the table does not know is a person of its own, shown by the
    commit's author name. A person is a bot when any of their identities is (curations
    included); an unknown identity is a bot when its name ends in ``[bot]`` or its email's
    local part does (GitHub App accounts), the identities table's own tests for those two.
    """
    return f"""
        people AS (
            SELECT person, bool_or(coalesce(is_bot, false)) AS is_bot, max(display) AS display
            FROM identities GROUP BY person
        ),
        known AS (
            SELECT i.identity, i.person, p.is_bot, p.display
            FROM identities i JOIN people p ON i.person = p.person
        ),
        authored AS (
            SELECT {canonical_repo("repo")} AS repo, author_time, author_name, author_email,
                coalesce(is_merge, false) AS is_merge,
                coalesce(insertions, 0) + coalesce(deletions, 0) AS lines,
                CASE WHEN coalesce(author_email, '') <> '' THEN 'email:' || lower(author_email)
                     ELSE 'name:' || coalesce(author_name, '') END AS identity
            FROM commits WHERE author_time IS NOT NULL
        ),
        resolved AS (
            SELECT a.repo, a.author_time, a.is_merge, a.lines,
                coalesce(k.person, a.identity) AS person,
                coalesce(k.display, a.author_name, a.identity) AS display,
                CASE WHEN k.person IS NOT NULL THEN k.is_bot
                     ELSE coalesce(lower(a.author_name) LIKE '%[bot]', false)
                          OR coalesce(lower(a.author_email) LIKE '%[bot]@%', false)
                END AS is_bot
            FROM authored a LEFT JOIN known k ON k.identity = a.identity
        )"""


def _utc(moment: datetime) -> datetime:
    """``as_of`` as naive UTC, the form stored timestamps have."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def as_of_instant(context: Context) -> str:
    return f"TIMESTAMP '{_utc(context.as_of).strftime('%Y-%m-%d %H:%M:%S.%f')}'"


def as_of_day(context: Context) -> str:
    return f"DATE '{_utc(context.as_of).strftime('%Y-%m-%d')}'"


def as_of_month(context: Context) -> str:
    """The first day of the month holding ``as_of``: the last month any "as of" series has."""
    return f"DATE '{_utc(context.as_of).strftime('%Y-%m-01')}'"


def result_row(subject: str, metric: str, period: str, value: str, detail: str = "NULL") -> str:
    """The five result columns (model.RESULT_SCHEMA), typed the same on both engines."""
    return (
        f"{subject} AS subject, {metric} AS metric, {period} AS period, "
        f"CAST({value} AS DOUBLE) AS value, CAST({detail} AS VARCHAR) AS detail"
    )


def releases() -> str:
    """CTE body: one row per release, ``(repo, tag, released_at)``, over all history.

    A release is a git tag or a published ReleaseEvent; the two name the same release when
    the tag name is the same (per repository), so they are merged into one row. Its time is the
    best-known moment it was made, in this order: an annotated tag's tagger date (when the tag
    was made, also right for releases published later for old tags), else the earliest
    ``published`` event (when it was made public), else a lightweight tag's time (which is the
    tagged commit's date, only a lower bound). A release event without a tag name is its own
    release, keyed by the release id.
    """
    event_repo = canonical_repo("r.repo")
    return f"""
        SELECT repo, tag, released_at FROM (
            SELECT repo, tag, moment AS released_at,
                row_number() OVER (PARTITION BY repo, tag ORDER BY preference, moment) AS pick
            FROM (
                SELECT {canonical_repo("repo")} AS repo, name AS tag, tagged_at AS moment,
                    CASE WHEN annotated THEN 1 ELSE 3 END AS preference
                FROM tags_all
                WHERE name IS NOT NULL AND tagged_at IS NOT NULL
                UNION ALL
                SELECT {event_repo} AS repo,
                    coalesce(e.release_tag_name,
                             'release-id:' || CAST(e.release_id AS VARCHAR)) AS tag,
                    e.created_at AS moment, 2 AS preference
                FROM events_all e JOIN repos r ON e.repo_id = r.repo_id
                WHERE e.type = 'ReleaseEvent' AND e.action = 'published'
            ) candidates
        ) ranked
        WHERE pick = 1"""


def merged_pull_requests() -> str:
    """CTE body: ``(repo, merged_at)`` per merged pull request close event. A trimmed payload
    (after October 2025) may leave ``pull_merged`` empty; ``pull_merged_at`` then decides."""
    return f"""
        SELECT {canonical_repo("r.repo")} AS repo, e.created_at AS merged_at
        FROM events_all e JOIN repos r ON e.repo_id = r.repo_id
        WHERE e.type = 'PullRequestEvent' AND e.action = 'closed'
            AND (e.pull_merged OR e.pull_merged_at IS NOT NULL)"""


def month_calendar(firsts: str, context: Context) -> str:
    """CTE body: ``(repo, month_start, day)`` for every month from each repository's first
    month in ``firsts`` (a relation with ``repo, first_month``) to the month of ``as_of``;
    ``day`` is the month's last day, or ``as_of``'s day in the month holding it."""
    return f"""
        SELECT repo, month_start,
            least(last_day(month_start), {as_of_day(context)}) AS day
        FROM (
            SELECT repo, CAST(month AS DATE) AS month_start FROM (
                SELECT repo, unnest(generate_series(first_month, {as_of_month(context)},
                                                    INTERVAL 1 MONTH)) AS month
                FROM {firsts}
                WHERE first_month <= {as_of_month(context)}
            ) expanded
        ) months"""
