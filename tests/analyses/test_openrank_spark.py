"""OpenRank on Spark: the 6-node vector, and the same values and superstep counts as the
SciPy solver on generated graphs, with and without a background node."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute
import pytest

from ossmeta.analyses.openrank import global_openrank, iterate
from ossmeta.analyses.openrank.graph import CarryHistory, OpenRankGraph, build_global_month
from ossmeta.analyses.openrank.spark import iterate_spark
from ossmeta.errors import AnalysisError
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


def assert_same_ranks(distributed: pa.Table, local: pa.Table) -> None:
    key = ["month", "kind", "id", "name"]
    assert distributed.num_rows == local.num_rows > 0
    assert distributed.select(key).equals(local.select(key))
    np.testing.assert_allclose(
        distributed.column("openrank").to_numpy(),
        local.column("openrank").to_numpy(),
        rtol=0,
        atol=1e-9,
    )


def test_spark_carries_previous_results_like_scipy(spark: Any) -> None:
    table = random_edges(7, months=["2024-01", "2024-03"], repos=20, users=90, pairs=300)
    first = table.filter(pa.compute.equal(table["month"], "2024-01"))
    second = table.filter(pa.compute.equal(table["month"], "2024-03"))
    earlier = global_openrank(first)
    local = global_openrank(second, previous=earlier)
    distributed = global_openrank(second, solver="spark", spark=spark, previous=earlier)
    assert_same_ranks(distributed, local)
    fresh = global_openrank(second)  # the carry changes the values: the test can tell
    assert not np.allclose(fresh.column("openrank").to_numpy(), local.column("openrank").to_numpy())


def test_spark_removes_users_with_over_300_relations_like_scipy(spark: Any) -> None:
    # user 1 works on 301 repositories, so it leaves the graph; repository 1000 only had
    # user 1 and drops; repository 1001 keeps user -2 (a negative id keeps its key)
    rows = [("2024-05", 1000 + r, f"o/r{r}", 1, "busy", 22.235) for r in range(301)]
    rows.append(("2024-05", 1001, "o/r1", -2, "minus", 40.679))
    rows.append(("2024-05", 1400, "o/solo", 3, "solo", 5.252))
    names = ["month", "repo_id", "repo_name", "actor_id", "actor_login", "activity"]
    table = pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)})
    local = global_openrank(table)
    distributed = global_openrank(table, solver="spark", spark=spark)
    assert_same_ranks(distributed, local)
    kept = set(zip(local["kind"].to_pylist(), local["id"].to_pylist(), strict=True))
    assert kept == {("repo", 1001), ("repo", 1400), ("user", -2), ("user", 3)}


def test_spark_names_a_repeated_pair(spark: Any) -> None:
    table = random_edges(3, months=["2024-01"], repos=5, users=10, pairs=20)
    twice = pa.concat_tables([table, table.slice(0, 1)])
    with pytest.raises(AnalysisError, match="appear in more than one activity row"):
        global_openrank(twice, solver="spark", spark=spark)
