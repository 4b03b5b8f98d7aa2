"""The commit-based bus factor: CHAOSS's contributor absence factor over git history, for
repositories known only from git (OpenDigger's ``bus_factor`` is built on code-host events).

Per repository and period, people are ranked by what they authored, largest first (ties by
name, so the list is stable); the bus factor is the smallest number of them who together
authored at least half of it. Two measures:

- ``git_bus_factor_commits``: non-merge commits (a merge is who pressed the button, not who
  wrote the change; ``commit_frequency.non_merge`` counts the same commits);
- ``git_bus_factor_lines``: lines changed (insertions + deletions; merges carry none).

People are the merged identities and bots are left out, as in ``active_authors``
(``git_sql.commit_authors``). ``detail`` lists the members as ``[name, amount]`` in rank
order. A period with nothing to count (no commits, or no changed lines) has no value.

Example: 6, 3 and 1 commits make 10; the first person alone has 6 >= 5, so the factor is 1.
"""

from __future__ import annotations

from typing import Final

from ossmeta.analyses.metrics.git_sql import commit_authors, result_row
from ossmeta.analyses.metrics.model import Context, Definition, Period
from ossmeta.analyses.metrics.opendigger_sql import json_list, json_text

__all__ = ["DEFINITIONS", "bus_factor_commits", "bus_factor_lines"]


def _bus_factor(metric: str, amount: str, where: str, period: Period) -> str:
    label = period.label("author_time")
    member = f"'[' || {json_text('display')} || ',' || CAST(amount AS VARCHAR) || ']'"
    return f"""
        WITH {commit_authors()},
        contributed AS (
            SELECT repo, {label} AS period, person, max(display) AS display,
                {amount} AS amount
            FROM resolved WHERE NOT is_bot AND {where}
            GROUP BY repo, {label}, person
        ),
        ranked AS (
            SELECT repo, period, person, display, amount,
                sum(amount) OVER (PARTITION BY repo, period ORDER BY amount DESC, display, person
                                  ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running,
                sum(amount) OVER (PARTITION BY repo, period) AS total
            FROM contributed WHERE amount > 0
        ),
        members AS (
            -- needed while those ranked above have not yet reached half
            SELECT * FROM ranked WHERE 2 * (running - amount) < total
        )
        SELECT {
        result_row(
            "repo",
            f"'{metric}'",
            "period",
            "count(*)",
            json_list(member, "amount DESC, display, person"),
        )
    }
        FROM members GROUP BY repo, period"""


def bus_factor_commits(context: Context, period: Period) -> str:
    del context
    return _bus_factor("git_bus_factor_commits", "count(*)", "NOT is_merge", period)


def bus_factor_lines(context: Context, period: Period) -> str:
    del context
    return _bus_factor("git_bus_factor_lines", "sum(lines)", "true", period)


DEFINITIONS: Final = (
    Definition("git_bus_factor_commits", "repo", bus_factor_commits),
    Definition("git_bus_factor_lines", "repo", bus_factor_lines),
)
