"""Community OpenRank on Spark: each repository's rows go to one executor task (an RDD
grouped by repository: plain Python workers, no pandas), which runs
``community.community_openrank`` on them. A repository's graphs are small (its users,
issues and PRs) and its months depend on each other through the carried values, so a
repository is the natural unit of work; the driver only sees the list of months.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ossmeta.analyses.openrank.community import ITEM_COLUMNS, community_openrank
from ossmeta.errors import AnalysisError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["COMMUNITY_DDL", "community_openrank_spark"]

COMMUNITY_DDL = "month string, repo_id long, kind string, id long, name string, openrank double"
_ORDER = ["month", "repo_id", "actor_id", "item_kind", "item_number"]  # COMMUNITY_ITEMS' order
_PREVIOUS = ("month", "repo_id", "kind", "id", "openrank")
_ITEM_SCHEMA = pa.schema(
    [
        ("month", pa.string()),
        ("repo_id", pa.int64()),
        ("repo_name", pa.string()),
        ("actor_id", pa.int64()),
        ("actor_login", pa.string()),
        ("activity", pa.float64()),
        ("item_kind", pa.string()),
        ("item_number", pa.int64()),
        ("merged", pa.bool_()),
    ]
)
_HISTORY = pa.schema(
    [
        ("month", pa.string()),
        ("repo_id", pa.int64()),
        ("kind", pa.string()),
        ("id", pa.int64()),
        ("openrank", pa.float64()),
    ]
)


def community_openrank_spark(items: DataFrame, *, previous: DataFrame | None = None) -> DataFrame:
    """``community_openrank``'s rows as a DataFrame, one repository per task."""
    missing = [c for c in ITEM_COLUMNS if c not in items.columns]
    if missing:
        message = f"OpenRank community activity rows: missing column(s) {', '.join(missing)}"
        raise AnalysisError(message)
    spark = items.sparkSession
    by_repo = items.select(*ITEM_COLUMNS).rdd.map(lambda row: (row["repo_id"], tuple(row)))
    if previous is None:
        solved = by_repo.groupByKey().flatMap(lambda group: _solve(group[1], ()))
        return spark.createDataFrame(solved, COMMUNITY_DDL)
    months = [str(row[0]) for row in items.select("month").distinct().collect()]
    earlier = previous.select(*_PREVIOUS).where(~previous["month"].isin(months))
    history = earlier.rdd.map(lambda row: (row["repo_id"], tuple(row)))
    joined = by_repo.cogroup(history).flatMap(lambda group: _solve(*group[1]))
    return spark.createDataFrame(joined, COMMUNITY_DDL)


def _solve(rows: Iterable[tuple[Any, ...]], earlier: Iterable[tuple[Any, ...]]) -> list[Any]:
    """One repository's rows (and its earlier results) through ``community_openrank``, on an
    executor. The rows are sorted as the metrics SQL gives them: names are 'the last row's',
    so the order matters and the shuffle does not keep it."""
    listed = [dict(zip(ITEM_COLUMNS, row, strict=True)) for row in rows]
    if not listed:  # a repository only in ``previous``
        return []
    table = pa.Table.from_pylist(listed, schema=_ITEM_SCHEMA)
    table = table.sort_by([(c, "ascending") for c in _ORDER])
    past = [dict(zip(_PREVIOUS, row, strict=True)) for row in earlier]
    history = pa.Table.from_pylist(past, schema=_HISTORY) if past else None
    ranked = community_openrank(table, previous=history)
    columns = [ranked.column(name).to_pylist() for name in ranked.column_names]
    return list(zip(*columns, strict=True))
