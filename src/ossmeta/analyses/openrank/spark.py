"""OpenRank's Pregel iteration on Spark DataFrames, for graphs whose supersteps outgrow one
machine. It runs the same supersteps as ``pregel.iterate`` (superstep 0 sends the initial
values; an unconverged node moves to ``r·c0 + (1-r)·Σ w·v``; a node that moved by less than
the tolerance is frozen, keeps its value and keeps sending it; stop when all are frozen or
after ``max_iterations`` supersteps counting superstep 0), so both solvers return the same
values up to the order of floating-point sums.

Layout: ``edges(src, dst, weight)`` without the background's edges, and ``state(id, init,
retention, to_bg, from_bg, value, frozen)`` without the background node. The background node
is connected to every node, so its edges would make one key of the join and of the group-by
as large as the graph; instead its value lives on the driver and enters every superstep as a
literal (``from_bg · v_bg``), and its incoming sum is the aggregate ``Σ to_bg · v`` that the
superstep's one action computes anyway, together with the number of unfrozen nodes.

Each superstep is one join of the edges with the sending values, one group-by sum per target
and one left join back onto the state. Every state is persisted before the action that
materialises it, the previous one is then released, and every ``checkpoint_every``
supersteps the state is cut from its lineage with a local checkpoint, so the plan does not
grow with the number of supersteps.

The graph arrives built by graph.py (NumPy arrays, see its docstring for why) and
is handed to Spark through Arrow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from ossmeta.analyses.openrank.graph import OpenRankGraph, weighted_sums
from ossmeta.analyses.openrank.pregel import Iteration

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["BackgroundNode", "Solved", "initial_state", "iterate_spark", "run_supersteps"]


def iterate_spark(
    spark: SparkSession,
    graph: OpenRankGraph,
    *,
    tolerance: float,
    max_iterations: int,
    checkpoint_every: int = 4,
) -> Iteration:
    """The OpenRank iteration of ``graph`` (built on the driver) on ``spark``, its values
    brought back as an array; see the module docstring."""
    n = graph.size
    if n == 0:
        return Iteration(values=np.empty(0), supersteps=0, converged=True)
    background = _Background(graph)
    edges, state = _frames(spark, graph, background)
    scalars = BackgroundNode(
        init=background.init,
        retention=background.retention,
        self_weight=background.self_weight,
        absent=background.absent,
    )
    solved = run_supersteps(
        edges,
        state,
        scalars,
        tolerance=tolerance,
        max_iterations=max_iterations,
        checkpoint_every=checkpoint_every,
    )
    values = _collect(solved.state, n)
    if background.index is not None:
        values[background.index] = solved.background_value
    solved.state.unpersist()
    edges.unpersist()
    return Iteration(values=values, supersteps=solved.supersteps, converged=solved.converged)


@dataclass(frozen=True)
class BackgroundNode:
    """The background node's scalars (its edges are folded into the state's ``to_bg`` and
    ``from_bg`` columns); ``absent`` when the graph has none."""

    init: float = 0.0
    retention: float = 0.0
    self_weight: float = 0.0
    absent: bool = True


@dataclass(frozen=True, eq=False)
class Solved:
    state: DataFrame  # id, init, retention, to_bg, from_bg, value, frozen (persisted)
    background_value: float
    supersteps: int
    converged: bool


def initial_state(state: DataFrame) -> DataFrame:
    """``state(id, init, retention, to_bg, from_bg)`` with superstep 0's value and flag."""
    from pyspark.sql import functions as F

    return state.withColumn("value", F.col("init")).withColumn("frozen", F.lit(False))


def run_supersteps(
    edges: DataFrame,
    state: DataFrame,
    background: BackgroundNode,
    *,
    tolerance: float,
    max_iterations: int,
    checkpoint_every: int = 4,
) -> Solved:
    """The supersteps over ``edges(src, dst, weight)`` and ``state`` (``initial_state``
    columns, both persisted and partitioned alike). Only scalars reach the driver: per
    superstep the background's incoming sum and the number of unfrozen nodes."""
    from pyspark.sql import functions as F

    first = state.agg(
        F.sum(F.col("to_bg") * F.col("init")).alias("to_bg"), F.count(F.lit(1)).alias("nodes")
    ).first()
    to_bg_sum = float(first["to_bg"] or 0.0) if first is not None else 0.0  # superstep 0
    live = int(first["nodes"] or 0) if first is not None else 0
    bg_value = background.init
    bg_frozen = background.absent
    supersteps = 0
    for step in range(1, max_iterations):
        if live == 0 and bg_frozen:
            break
        # Edges are partitioned by src and the state by id into the same partitions, so the
        # only shuffle of a superstep is the one of the messages to their targets.
        sending = state.select(F.col("id").alias("src"), F.col("value").alias("sent"))
        messages = (
            edges.join(sending.hint("shuffle_hash"), "src")
            .groupBy(F.col("dst").alias("id"))
            .agg(F.sum(F.col("weight") * F.col("sent")).alias("incoming"))
        )
        incoming = F.coalesce(F.col("incoming"), F.lit(0.0)) + F.col("from_bg") * F.lit(bg_value)
        candidate = F.col("retention") * F.col("init") + (F.lit(1.0) - F.col("retention")) * (
            incoming
        )
        following = state.join(messages.hint("shuffle_hash"), "id", "left").select(
            "id",
            "init",
            "retention",
            "to_bg",
            "from_bg",
            F.when(F.col("frozen"), F.col("value")).otherwise(candidate).alias("value"),
            (F.col("frozen") | (F.abs(candidate - F.col("value")) < F.lit(tolerance))).alias(
                "frozen"
            ),
        )
        if step % checkpoint_every == 0:
            following = following.localCheckpoint(eager=True)
        else:
            following = following.persist()
        totals = following.agg(
            F.sum(F.col("to_bg") * F.col("value")).alias("to_bg"),
            F.sum(F.when(F.col("frozen"), 0).otherwise(1)).alias("live"),
        ).first()
        state.unpersist()
        state = following
        if not bg_frozen:
            updated = background.retention * background.init + (1.0 - background.retention) * (
                to_bg_sum + background.self_weight * bg_value
            )
            bg_frozen = abs(updated - bg_value) < tolerance
            bg_value = updated
        to_bg_sum = float(totals["to_bg"] or 0.0) if totals is not None else 0.0
        live = int(totals["live"] or 0) if totals is not None else 0
        supersteps += 1
    return Solved(state, bg_value, supersteps, live == 0 and bg_frozen)


class _Background:
    """The background node's scalars and its edges folded into per-node weights."""

    def __init__(self, graph: OpenRankGraph) -> None:
        n = graph.size
        self.index = graph.background
        self.absent = self.index is None
        self.to_bg = np.zeros(n)
        self.from_bg = np.zeros(n)
        self.self_weight = 0.0
        self.init = 0.0
        self.retention = 0.0
        self.plain = np.ones(graph.src.shape[0], dtype=bool)
        if self.index is None:
            return
        from_bg = graph.src == self.index
        to_bg = graph.dst == self.index
        self.plain = ~from_bg & ~to_bg
        self.to_bg = weighted_sums(graph.src[to_bg & ~from_bg], graph.weight[to_bg & ~from_bg], n)
        self.from_bg = weighted_sums(graph.dst[from_bg & ~to_bg], graph.weight[from_bg & ~to_bg], n)
        self.self_weight = float(graph.weight[from_bg & to_bg].sum())
        self.init = float(graph.init[self.index])
        self.retention = float(graph.retention[self.index])


def _frames(
    spark: SparkSession, graph: OpenRankGraph, background: _Background
) -> tuple[DataFrame, DataFrame]:
    """(edges, initial state) as persisted DataFrames."""

    plain = background.plain
    edges_table = pa.table(
        {
            "src": pa.array(graph.src[plain], pa.int64()),
            "dst": pa.array(graph.dst[plain], pa.int64()),
            "weight": pa.array(graph.weight[plain], pa.float64()),
        }
    )
    nodes = np.arange(graph.size, dtype=np.int64)
    if background.index is not None:
        nodes = nodes[nodes != background.index]
    state_table = pa.table(
        {
            "id": pa.array(nodes, pa.int64()),
            "init": pa.array(graph.init[nodes], pa.float64()),
            "retention": pa.array(graph.retention[nodes], pa.float64()),
            "to_bg": pa.array(background.to_bg[nodes], pa.float64()),
            "from_bg": pa.array(background.from_bg[nodes], pa.float64()),
        }
    )
    partitions = int(spark.conf.get("spark.sql.shuffle.partitions") or 8)
    edges = _frame(spark, edges_table).repartition(partitions, "src").persist()
    state = initial_state(_frame(spark, state_table).repartition(partitions, "id")).persist()
    return edges, state


def _frame(spark: SparkSession, table: pa.Table) -> DataFrame:
    if table.num_rows:
        frame: DataFrame = spark.createDataFrame(table)
        return frame
    from pyspark.sql.pandas.types import from_arrow_schema

    empty: DataFrame = spark.createDataFrame([], from_arrow_schema(table.schema))
    return empty


def _collect(state: Any, n: int) -> np.ndarray[Any, np.dtype[np.float64]]:
    result = state.select("id", "value").toArrow()
    values = np.zeros(n, dtype=np.float64)
    ids = np.asarray(result.column("id").to_numpy(), dtype=np.int64)
    values[ids] = np.asarray(result.column("value").to_numpy(), dtype=np.float64)
    return values
