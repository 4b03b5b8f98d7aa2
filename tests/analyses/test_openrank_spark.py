"""OpenRank on Spark: the 6-node vector, and the same values and superstep counts as the
SciPy solver on generated graphs, with and without a background node."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from ossmeta.analyses.openrank import global_openrank, iterate
from ossmeta.analyses.openrank.graph import CarryHistory, OpenRankGraph, build_global_month
from ossmeta.analyses.openrank.spark import iterate_spark
from tests.analyses.test_openrank import (
    SIX_MAX_ITERATIONS,
    SIX_TOLERANCE,
    assert_six_node_vector,
    random_edges,
    random_graph,
    six_node_graph,
)

pytestmark = pytest.mark.xdist_group("spark")


def test_six_node_vector_on_spark(spark: Any) -> None:
    graph = six_node_graph()
    result = iterate_spark(spark, graph, tolerance=SIX_TOLERANCE, max_iterations=SIX_MAX_ITERATIONS)
    assert result.converged
    assert_six_node_vector(result.values)
    local = iterate(graph, tolerance=SIX_TOLERANCE, max_iterations=SIX_MAX_ITERATIONS)
    assert result.supersteps == local.supersteps  # > 4: local checkpoints were taken
    np.testing.assert_allclose(result.values, local.values, rtol=0, atol=1e-12)


def test_spark_and_scipy_agree_on_a_random_graph(spark: Any) -> None:
    graph = random_graph(0, n=300, degree=4)
    local = iterate(graph, tolerance=0.01, max_iterations=100)
    distributed = iterate_spark(spark, graph, tolerance=0.01, max_iterations=100)
    assert distributed.supersteps == local.supersteps
    assert distributed.converged == local.converged
    np.testing.assert_allclose(distributed.values, local.values, rtol=0, atol=1e-9)


def test_spark_stops_at_max_iterations_like_scipy(spark: Any) -> None:
    graph = random_graph(4, n=100, degree=3)
    local = iterate(graph, tolerance=1e-15, max_iterations=3)
    distributed = iterate_spark(spark, graph, tolerance=1e-15, max_iterations=3)
    assert (
        (distributed.supersteps, distributed.converged)
        == (2, False)
        == (
            local.supersteps,
            local.converged,
        )
    )
    np.testing.assert_allclose(distributed.values, local.values, rtol=0, atol=1e-12)


def test_a_graph_without_edges(spark: Any) -> None:
    # nothing arrives: superstep 1 moves every node to r·c0, superstep 2 leaves it there
    graph = OpenRankGraph(
        init=np.array([2.0, 4.0]),
        retention=np.array([0.5, 0.25]),
        src=np.empty(0, np.int64),
        dst=np.empty(0, np.int64),
        weight=np.empty(0),
    )
    result = iterate_spark(spark, graph, tolerance=0.01, max_iterations=10)
    assert result.values.tolist() == [0.5 * 2.0, 0.25 * 4.0]
    assert (result.supersteps, result.converged) == (2, True)


def test_background_graphs_agree(spark: Any) -> None:
    table = random_edges(11, months=["2024-01"], repos=60, users=250, pairs=900)
    built = build_global_month(
        "2024-01",
        table.column("repo_id").to_numpy(),
        table.column("repo_name").combine_chunks(),
        table.column("actor_id").to_numpy(),
        table.column("actor_login").combine_chunks(),
        table.column("activity").to_numpy(),
        CarryHistory(),
    )
    assert built is not None and built.graph.background is not None
    local = iterate(built.graph, tolerance=0.01, max_iterations=100)
    distributed = iterate_spark(spark, built.graph, tolerance=0.01, max_iterations=100)
    assert distributed.supersteps == local.supersteps
    np.testing.assert_allclose(distributed.values, local.values, rtol=0, atol=1e-9)


def test_global_openrank_on_spark_matches_scipy(spark: Any) -> None:
    table = random_edges(5, months=["2024-01", "2024-02"], repos=25, users=120, pairs=400)
    local = global_openrank(table)
    distributed = global_openrank(table, solver="spark", spark=spark)
    key = ["month", "kind", "id", "name"]
    assert distributed.select(key).equals(local.select(key))
    np.testing.assert_allclose(
        distributed.column("openrank").to_numpy(),
        local.column("openrank").to_numpy(),
        rtol=0,
        atol=1e-9,
    )
    assert set(local.column("month").to_pylist()) == {"2024-01", "2024-02"}
