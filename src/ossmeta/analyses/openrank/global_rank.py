"""OpenRank (issue 4 §3), the entry points the metrics use: global OpenRank on the monthly
repo–developer graph (this module) and community OpenRank inside each repository
(community.py), as OpenDigger computes them (reference/opendigger.md §1.2, §1.3).

The graph of a month is built once with NumPy (graph.py) and iterated on SciPy
sparse matrices (pregel.py: the Pregel supersteps with per-node freezing that
OpenDigger runs on Neo4j GDS), or with ``solver="spark"`` as Spark DataFrame jobs from the
activity rows to the result (spark_global.py: the same graph rules, the same supersteps).

Choices where the reference is silent or self-contradictory:

- ``previous`` rows of a month that this call computes are ignored (the recomputed month
  wins); a carry only looks at months before the month being computed.
- OpenDigger stores OpenRank as a ClickHouse ``Float`` (32-bit) and carries that; we carry
  the float64 values we output.
- Names are the last ``repo_name``/``actor_login`` seen in the month's rows (upstream takes
  the one of the latest event, which the metrics SQL already resolves).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ossmeta.analyses.openrank.graph import (
    KIND_NAMES,
    CarryHistory,
    OpenRankGraph,
    build_global_month,
    float_column,
    int_column,
    month_index,
    month_rows,
    require_columns,
)
from ossmeta.analyses.openrank.pregel import iterate, solve_exact
from ossmeta.errors import AnalysisError

__all__ = ["GLOBAL_SCHEMA", "global_openrank"]

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

GLOBAL_TOLERANCE = 0.01  # globalOpenrank.ts L242-249
GLOBAL_MAX_ITERATIONS = 100
EDGE_COLUMNS = ("month", "repo_id", "repo_name", "actor_id", "actor_login", "activity")

GLOBAL_SCHEMA = pa.schema(
    [
        ("month", pa.string()),
        ("kind", pa.string()),
        ("id", pa.int64()),
        ("name", pa.string()),
        ("openrank", pa.float64()),
    ]
)


def global_openrank(
    edges: pa.Table,
    *,
    solver: str = "scipy",
    spark: Any = None,
    previous: pa.Table | None = None,
) -> pa.Table:
    """Monthly global OpenRank of every active repo and user (GLOBAL_SCHEMA rows).

    ``edges``: one row per (month, repo, user) with A(r,u) > 0, already rounded and filtered
    of bots, '[snyk]%' issues and push-only pairs. ``previous``: earlier results (same columns
    as the output) to carry from. ``solver``: "scipy" (the Pregel iteration, tolerance 0.01,
    at most 100 supersteps, as upstream), "spark" (the same iteration on ``spark`` or a new
    session), or "exact" (the closed form; a cross-check, not what upstream publishes).
    """
    require_columns(edges, EDGE_COLUMNS, "activity rows")
    if solver == "spark":
        return _on_spark(edges, spark, previous)
    solve = _global_solver(solver)
    history = CarryHistory()
    months = month_rows(edges)
    pending = _previous_batches(previous, {m for m, _ in months})
    parts: list[pa.Table] = []
    for month, rows in months:
        this_month = month_index(month)
        while pending and pending[0].month < this_month:
            batch = pending.pop(0)
            history.fold(batch.kind, batch.ids, np.full(batch.ids.size, batch.month), batch.values)
        part = edges if len(months) == 1 else edges.take(pa.array(rows))
        built = build_global_month(
            month,
            int_column(part, "repo_id"),
            part.column("repo_name").combine_chunks(),
            int_column(part, "actor_id"),
            part.column("actor_login").combine_chunks(),
            float_column(part, "activity"),
            history,
        )
        if built is None:
            continue  # nothing active after the filters: no rows, as upstream
        values = solve(built.graph)
        others = built.graph.size - 1
        openrank = values[:others] + values[others] / others
        for kind in (0, 1):
            mask = built.kinds == kind
            ids = built.ids[mask]
            history.fold(kind, ids, np.full(ids.size, this_month), openrank[mask])
        parts.append(
            pa.table(
                {
                    "month": pa.array([month] * others, pa.string()),
                    "kind": pc.take(pa.array(KIND_NAMES), pa.array(built.kinds)),
                    "id": pa.array(built.ids, pa.int64()),
                    "name": built.names,
                    "openrank": pa.array(openrank, pa.float64()),
                },
                schema=GLOBAL_SCHEMA,
            )
        )
    return pa.concat_tables(parts) if parts else GLOBAL_SCHEMA.empty_table()


@dataclass(frozen=True, eq=False)
class _Batch:
    month: int
    kind: int
    ids: Ints
    values: Floats


def _global_solver(solver: str) -> Callable[[OpenRankGraph], Floats]:
    if solver == "scipy":
        return lambda graph: (
            iterate(graph, tolerance=GLOBAL_TOLERANCE, max_iterations=GLOBAL_MAX_ITERATIONS).values
        )
    if solver == "exact":
        return solve_exact
    raise AnalysisError(f"OpenRank: unknown solver {solver!r} (scipy, spark or exact)")


def _on_spark(edges: pa.Table, spark: Any, previous: pa.Table | None) -> pa.Table:
    """The DataFrame jobs of spark_global.py on Arrow tables (tests, small inputs); the
    metrics hand it DataFrames directly."""
    from ossmeta.analyses.openrank.spark_global import global_openrank_spark

    if spark is None:
        from ossmeta.analyses.spark_session import spark_session

        spark = spark_session()
    frame = spark.createDataFrame(edges) if edges.num_rows else None
    if frame is None:
        return GLOBAL_SCHEMA.empty_table()
    earlier = None
    if previous is not None and previous.num_rows:
        require_columns(previous, ("month", "kind", "id", "openrank"), "previous results")
        earlier = spark.createDataFrame(previous.select(["month", "kind", "id", "openrank"]))
    ranked = global_openrank_spark(
        frame, previous=earlier, tolerance=GLOBAL_TOLERANCE, max_iterations=GLOBAL_MAX_ITERATIONS
    )
    table: pa.Table = ranked.toArrow()
    order = [("month", "ascending"), ("kind", "ascending"), ("id", "ascending")]
    return table.cast(GLOBAL_SCHEMA).sort_by(order)


def _previous_batches(previous: pa.Table | None, computed: set[str]) -> list[_Batch]:
    """``previous`` as per-(month, kind) batches in ascending month order, leaving out the
    months this call computes."""
    if previous is None or previous.num_rows == 0:
        return []
    require_columns(previous, ("month", "kind", "id", "openrank"), "previous results")
    kinds = previous.column("kind").to_numpy(zero_copy_only=False)
    ids = int_column(previous, "id")
    values = float_column(previous, "openrank")
    batches: list[_Batch] = []
    for month, rows in month_rows(previous):
        if month in computed:
            continue
        for code, name in enumerate(KIND_NAMES):
            chosen = rows[kinds[rows] == name]
            if chosen.size:
                batches.append(_Batch(month_index(month), code, ids[chosen], values[chosen]))
    return batches
