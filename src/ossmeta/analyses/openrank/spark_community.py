"""Community OpenRank on Spark: each repository's rows go to one executor task
(``applyInArrow`` grouped by repository), which runs ``community.community_openrank`` on
them. A repository's graphs are small (its users, issues and PRs) and its months depend on
each other through the carried values, so a repository is the natural unit of work; the
driver only sees the list of months.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from ossmeta.analyses.openrank.community import ITEM_COLUMNS, community_openrank
from ossmeta.errors import AnalysisError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["COMMUNITY_DDL", "community_openrank_spark"]

COMMUNITY_DDL = "month string, repo_id long, kind string, id long, name string, openrank double"
_ORDER = ["month", "repo_id", "actor_id", "item_kind", "item_number"]  # COMMUNITY_ITEMS' order
_PREVIOUS = ("month", "repo_id", "kind", "id", "openrank")


def community_openrank_spark(items: DataFrame, *, previous: DataFrame | None = None) -> DataFrame:
    """``community_openrank``'s rows as a DataFrame, one repository per task."""
    missing = [c for c in ITEM_COLUMNS if c not in items.columns]
    if missing:
        message = f"OpenRank community activity rows: missing column(s) {', '.join(missing)}"
        raise AnalysisError(message)
    chosen = items.select(*ITEM_COLUMNS)
    if previous is None:
        return chosen.groupBy("repo_id").applyInArrow(_solve, COMMUNITY_DDL)
    months = [str(row[0]) for row in items.select("month").distinct().collect()]
    earlier = previous.select(*_PREVIOUS).where(~previous["month"].isin(months))
    grouped = chosen.groupBy("repo_id").cogroup(earlier.groupBy("repo_id"))
    return grouped.applyInArrow(_solve_with_history, COMMUNITY_DDL)


def _sorted(rows: pa.Table) -> pa.Table:
    """One repository's rows in the order the metrics SQL gives them (names are 'the last
    row's', so the order matters and the shuffle does not keep it)."""
    return rows.sort_by([(c, "ascending") for c in _ORDER])


def _solve(rows: pa.Table) -> pa.Table:
    return community_openrank(_sorted(rows))


def _solve_with_history(rows: pa.Table, earlier: pa.Table) -> pa.Table:
    """A repository's rows with its earlier results (the computed months already left out:
    a month computed for any repository is ignored in ``previous``, as in one local call)."""
    from ossmeta.analyses.openrank.community import COMMUNITY_SCHEMA

    if rows.num_rows == 0:  # a repository only in ``previous``
        return COMMUNITY_SCHEMA.empty_table()
    history = earlier if earlier.num_rows else None
    return community_openrank(_sorted(rows), previous=history)
