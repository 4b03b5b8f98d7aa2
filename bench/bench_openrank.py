"""OpenRank benchmark: one month of a generated bipartite repo–developer graph (default
1,000,000 nodes and 10,000,000 relations, heavy-tailed degrees) through the SciPy solver.

Prints, from one child process per measurement (so each peak RSS belongs to that run alone):
- the graph build (filters, weights, initial values) and the CSR build, separately;
- the Pregel iteration (tolerance 0.01, at most 100 supersteps, as OpenDigger's job):
  supersteps and seconds, next to the floor of the same number of bare ``S @ v`` products on
  the same matrix, and their ratio. The iteration is timed twice: the first call in a fresh
  process also pays for first-touching its memory (slow on some VMs), the second does not;
- the public ``global_openrank`` call end to end (build + iteration + output table);
- the peak RSS of each child (``ru_maxrss``), and the RSS once the input table exists.
Optionally the Spark solver on a smaller graph (``--spark-relations 100000``), with the
SciPy solver on the same graph beside it.

    .venv/bin/python bench/bench_openrank.py [--nodes 1000000] [--relations 10000000]
        [--spark-relations 100000] [--seed 7]

Generator: 20% of the nodes are repos, 80% users. User degrees follow a Pareto law (α 1.2)
scaled to the relation count and capped at 300 (a user above 300 repos would be removed by
the job's filter, which would shrink the graph under test); each relation picks its repo with
Zipf-like popularity (weight 1/rank^0.8), so a few repos have six-figure user counts.
Duplicate (repo, user) pairs are drawn again. A(r,u) = 5.252·comments + 22.235·issues +
40.679·PRs with small random counts, rounded to 3 decimals, as the metrics SQL would give.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import dump
from ossmeta.analyses.openrank import global_openrank, iterate
from ossmeta.analyses.openrank.graph import CarryHistory, GlobalMonthGraph, build_global_month

MONTH = "2024-01"
TOLERANCE, MAX_ITERATIONS = 0.01, 100


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def user_degrees(rng: np.random.Generator, users: int, relations: int) -> np.ndarray:
    raw = (1.0 - rng.random(users)) ** (-1 / 1.2)
    low, high = 0.01, float(relations)
    for _ in range(60):  # scale so that the capped degrees sum to the relation count
        mid = (low + high) / 2
        total = np.clip(np.ceil(raw * mid), 1, 300).sum()
        low, high = (mid, high) if total < relations else (low, mid)
    degrees = np.clip(np.ceil(raw * high), 1, 300).astype(np.int64)
    excess = int(degrees.sum() - relations)
    order = np.argsort(-degrees)
    while excess > 0:  # trim the largest degrees until the sum is exact
        take = min(excess, order.size)
        shrink = order[:take][degrees[order[:take]] > 1]
        degrees[shrink] -= 1
        excess -= shrink.size
    return degrees


def generate(nodes: int, relations: int, seed: int) -> pa.Table:
    rng = np.random.default_rng(seed)
    repos = max(1, nodes // 5)
    users = nodes - repos
    user = np.repeat(np.arange(users, dtype=np.int64), user_degrees(rng, users, relations))
    popularity = 1.0 / np.arange(1, repos + 1) ** 0.8
    cumulative = np.cumsum(popularity / popularity.sum())
    repo = np.searchsorted(cumulative, rng.random(user.size)).clip(0, repos - 1)
    for _ in range(100):  # redraw duplicate pairs
        key = repo * users + user
        order = np.argsort(key, kind="stable")
        duplicate = np.zeros(key.size, dtype=bool)
        duplicate[order[1:]] = key[order[1:]] == key[order[:-1]]
        if not duplicate.any():
            break
        repo[duplicate] = rng.integers(0, repos, size=int(duplicate.sum()))
    counts = rng.geometric(0.6, size=(user.size, 3)) - 1
    counts[:, 0] += 1  # at least one comment: A > 0 and the pair is "valid"
    activity = np.round(counts @ np.array([5.252, 22.235, 40.679]), 3)
    repo_names = pa.array([f"org{r % 997}/repo{r}" for r in range(repos)])
    logins = pa.array([f"dev{u}" for u in range(users)])
    return pa.table(
        {
            "month": pa.DictionaryArray.from_arrays(
                pa.array(np.zeros(user.size, np.int32)), pa.array([MONTH])
            ),
            "repo_id": pa.array(repo + 1, pa.int64()),
            "repo_name": pc.take(repo_names, pa.array(repo)),
            "actor_id": pa.array(user + 1, pa.int64()),
            "actor_login": pc.take(logins, pa.array(user)),
            "activity": pa.array(activity, pa.float64()),
        }
    )


def build(table: pa.Table) -> GlobalMonthGraph:
    built = build_global_month(
        MONTH,
        table.column("repo_id").to_numpy(),
        table.column("repo_name").combine_chunks(),
        table.column("actor_id").to_numpy(),
        table.column("actor_login").combine_chunks(),
        table.column("activity").to_numpy(),
        CarryHistory(),
    )
    assert built is not None
    return built


def child_phases(nodes: int, relations: int, seed: int) -> dict[str, Any]:
    start = time.perf_counter()
    table = generate(nodes, relations, seed)
    figures: dict[str, Any] = {"generate_s": time.perf_counter() - start}
    figures["rss_input_mib"] = rss_mib()
    start = time.perf_counter()
    built = build(table)
    figures["build_s"] = time.perf_counter() - start
    graph = built.graph
    figures |= {
        "nodes": graph.size - 1,
        "directed_edges": int(graph.src.size),
        "removed_users": built.removed_users,
        "dropped_repos": built.dropped_repos,
    }
    start = time.perf_counter()
    matrix = graph.transition()
    figures["csr_s"] = time.perf_counter() - start
    start = time.perf_counter()
    result = iterate(graph, tolerance=TOLERANCE, max_iterations=MAX_ITERATIONS)
    figures["iterate_s"] = time.perf_counter() - start  # includes its own CSR build
    figures["supersteps"] = result.supersteps
    figures["converged"] = result.converged
    start = time.perf_counter()  # again, now that the process has its memory mapped
    iterate(graph, tolerance=TOLERANCE, max_iterations=MAX_ITERATIONS)
    figures["iterate_again_s"] = time.perf_counter() - start
    values = graph.init.copy()
    start = time.perf_counter()
    for _ in range(result.supersteps):
        values = matrix @ values
    figures["floor_matvec_s"] = time.perf_counter() - start
    figures["peak_rss_mib"] = rss_mib()
    return figures


def child_api(nodes: int, relations: int, seed: int) -> dict[str, Any]:
    table = generate(nodes, relations, seed)
    rss_input = rss_mib()
    start = time.perf_counter()
    out = global_openrank(table)
    return {
        "api_s": time.perf_counter() - start,
        "rows": out.num_rows,
        "rss_input_mib": rss_input,
        "peak_rss_mib": rss_mib(),
    }


def child_spark(nodes: int, relations: int, seed: int) -> dict[str, Any]:
    from ossmeta.analyses.openrank.spark import iterate_spark
    from ossmeta.analyses.spark_session import spark_session

    graph = build(generate(nodes, relations, seed)).graph
    start = time.perf_counter()
    local = iterate(graph, tolerance=TOLERANCE, max_iterations=MAX_ITERATIONS)
    local_s = time.perf_counter() - start
    spark = spark_session("ossmeta-bench-openrank")
    spark.sparkContext.setLogLevel("ERROR")
    iterate_spark(spark, graph, tolerance=TOLERANCE, max_iterations=2)  # JVM warm-up
    start = time.perf_counter()
    distributed = iterate_spark(spark, graph, tolerance=TOLERANCE, max_iterations=MAX_ITERATIONS)
    spark_s = time.perf_counter() - start
    spark.stop()
    return {
        "nodes": graph.size - 1,
        "directed_edges": int(graph.src.size),
        "spark_s": spark_s,
        "spark_supersteps": distributed.supersteps,
        "scipy_s": local_s,
        "scipy_supersteps": local.supersteps,
        "max_abs_diff": float(np.abs(distributed.values - local.values).max()),
        "master": os.environ.get("OSSMETA_SPARK_MASTER", "local[*]"),
    }


def run_child(kind: str, nodes: int, relations: int, seed: int) -> dict[str, Any]:
    argv = [sys.executable, __file__, "--child", kind, "--nodes", str(nodes)]
    argv += ["--relations", str(relations), "--seed", str(seed)]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"child {kind} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--relations", type=int, default=10_000_000)
    parser.add_argument("--spark-relations", type=int, default=0, help="0: skip Spark")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", choices=["phases", "api", "spark"])
    args = parser.parse_args()
    children = {"phases": child_phases, "api": child_api, "spark": child_spark}
    if args.child:
        print(json.dumps(children[args.child](args.nodes, args.relations, args.seed)))
        return

    print(f"graph: {args.nodes:,} nodes requested, {args.relations:,} repo–user relations")
    phases = run_child("phases", args.nodes, args.relations, args.seed)
    print(
        f"  built: {phases['nodes']:,} nodes + background, {phases['directed_edges']:,} directed "
        f"edges (background edges included); removed users {phases['removed_users']}, "
        f"dropped repos {phases['dropped_repos']}; generation {phases['generate_s']:.1f} s"
    )
    print(f"  graph build (filters, weights, init): {phases['build_s']:.2f} s")
    print(f"  CSR build:                            {phases['csr_s']:.2f} s")
    floor = phases["floor_matvec_s"]
    print(
        f"  iteration: {phases['supersteps']} supersteps, converged={phases['converged']}, "
        f"{phases['iterate_s']:.2f} s (CSR build included; first call in the process), "
        f"{phases['iterate_again_s']:.2f} s (second call)"
    )
    print(
        f"  floor: {phases['supersteps']} bare S @ v products on the built CSR {floor:.2f} s; "
        f"ratio {phases['iterate_s'] / floor:.2f}× (first call), "
        f"{phases['iterate_again_s'] / floor:.2f}× (second call), "
        f"{(phases['iterate_again_s'] - phases['csr_s']) / floor:.2f}× without the CSR build"
    )
    print(
        f"  RSS with the input table: {phases['rss_input_mib']:.0f} MiB; "
        f"peak {phases['peak_rss_mib']:.0f} MiB"
    )
    api = run_child("api", args.nodes, args.relations, args.seed)
    print(
        f"  global_openrank() end to end: {api['api_s']:.2f} s, {api['rows']:,} rows; peak RSS "
        f"{api['peak_rss_mib']:.0f} MiB ({api['rss_input_mib']:.0f} MiB with the input alone)"
    )
    figures: dict[str, Any] = {"phases": phases, "api": api}
    if args.spark_relations:
        nodes = max(10, args.spark_relations // 10)
        spark = run_child("spark", nodes, args.spark_relations, args.seed)
        print(
            f"spark ({spark['master']}): {spark['nodes']:,} nodes, {spark['directed_edges']:,} "
            f"directed edges ({args.spark_relations:,} relations): {spark['spark_supersteps']} "
            f"supersteps in {spark['spark_s']:.1f} s; SciPy on the same graph "
            f"{spark['scipy_supersteps']} supersteps in {spark['scipy_s']:.3f} s "
            f"(ratio {spark['spark_s'] / spark['scipy_s']:.0f}×); max |Δ| {spark['max_abs_diff']:.1e}"
        )
        figures["spark"] = spark
    dump("openrank", figures)


if __name__ == "__main__":
    main()
