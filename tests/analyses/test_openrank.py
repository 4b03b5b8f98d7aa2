"""OpenRank on SciPy: the upstream 6-node vector, Pregel freezing semantics against a plain
reference loop, the closed form, the global graph (weights, filters, carry) and community
OpenRank on a hand-made repository."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from ossmeta.analyses.openrank import (
    COMMUNITY_SCHEMA,
    GLOBAL_SCHEMA,
    community_openrank,
    global_openrank,
    iterate,
    solve_exact,
)
from ossmeta.analyses.openrank.graph import (
    CarryHistory,
    OpenRankGraph,
    build_global_month,
    month_index,
)
from ossmeta.errors import AnalysisError

# X-lab2017/openrank-neo4j-gds, PageRankPregelAlgoTest: users u1-u3 (retention 0.5) and repos
# r1-r3 (retention 0.3) with their initial values, and the test's 15 weighted edges.
SIX_NODES = ["u1", "u2", "u3", "r1", "r2", "r3"]
SIX_INIT = [1.0, 1.5, 0.5, 0.3, 0.7, 2.0]
SIX_RETENTION = [0.5, 0.5, 0.5, 0.3, 0.3, 0.3]
SIX_EDGES = [
    ("u1", "u2", 0.05), ("u1", "u3", 0.05), ("u3", "u2", 0.1), ("r1", "r2", 0.1),
    ("r3", "r2", 0.1), ("u1", "r1", 0.27), ("r1", "u1", 0.9), ("u1", "r3", 0.63),
    ("r3", "u1", 0.63), ("u2", "r2", 0.54), ("r2", "u2", 0.54), ("u2", "r3", 0.36),
    ("r3", "u2", 0.27), ("u3", "r2", 0.9), ("r2", "u3", 0.36),
]  # fmt: skip
SIX_EXPECTED = {"u1": 1.072, "u2": 1.291, "u3": 0.478, "r1": 0.293, "r2": 1.118, "r3": 1.398}
SIX_TOLERANCE = 1e-4  # the Java test's tolerance; it allows 30 supersteps
SIX_MAX_ITERATIONS = 30


def six_node_graph() -> OpenRankGraph:
    index = {name: i for i, name in enumerate(SIX_NODES)}
    return OpenRankGraph(
        init=np.array(SIX_INIT),
        retention=np.array(SIX_RETENTION),
        src=np.array([index[s] for s, _, _ in SIX_EDGES]),
        dst=np.array([index[t] for _, t, _ in SIX_EDGES]),
        weight=np.array([w for _, _, w in SIX_EDGES]),
    )


def assert_six_node_vector(values: np.ndarray[Any, Any]) -> None:
    for name, value in zip(SIX_NODES, values, strict=True):
        assert abs(value - SIX_EXPECTED[name]) <= 1e-3, (name, value)


def random_edges(seed: int, *, months: list[str], repos: int, users: int, pairs: int) -> pa.Table:
    """A global activity table with heavy-tailed repo and user popularity (Zipf-like), values
    drawn from sums of OpenDigger's A(r,u) weights."""
    rng = np.random.default_rng(seed)
    parts = []
    for month in months:
        repo_p = 1.0 / np.arange(1, repos + 1) ** 1.1
        user_p = 1.0 / np.arange(1, users + 1) ** 0.9
        repo = rng.choice(repos, size=pairs, p=repo_p / repo_p.sum()) + 1000
        user = rng.choice(users, size=pairs, p=user_p / user_p.sum()) + 1
        key = np.unique(repo * 100_000 + user)
        counts = rng.integers(1, 6, size=(key.size, 3))
        activity = np.round(counts @ np.array([5.252, 22.235, 40.679]), 3)
        parts.append(
            pa.table(
                {
                    "month": [month] * key.size,
                    "repo_id": pa.array(key // 100_000, pa.int64()),
                    "repo_name": [f"owner/repo{r}" for r in key // 100_000],
                    "actor_id": pa.array(key % 100_000, pa.int64()),
                    "actor_login": [f"user{u}" for u in key % 100_000],
                    "activity": pa.array(activity, pa.float64()),
                }
            )
        )
    return pa.concat_tables(parts)


def random_graph(seed: int, n: int, degree: int) -> OpenRankGraph:
    """A generic graph without background: random out-edges, weights summing to 0.9-1 per
    node, random retention factors and initial values."""
    rng = np.random.default_rng(seed)
    src = np.repeat(np.arange(n), degree)
    dst = rng.integers(0, n, size=src.size)
    raw = rng.random(src.size)
    sums = np.bincount(src, weights=raw, minlength=n)
    weight = raw / sums[src] * rng.uniform(0.9, 1.0, size=n)[src]
    return OpenRankGraph(
        init=rng.uniform(0.0, 3.0, size=n),
        retention=rng.choice([0.15, 0.3, 0.5], size=n),
        src=src,
        dst=dst,
        weight=weight,
    )


def reference_pregel(
    graph: OpenRankGraph, tolerance: float, max_iterations: int
) -> tuple[list[float], int]:
    """The GDS Pregel loop written plainly, node by node: superstep 0 sends the initial
    values; later supersteps update unconverged nodes from the previous superstep's values;
    a node moving by less than the tolerance is frozen but keeps sending."""
    n = graph.size
    value = [float(x) for x in graph.init]
    converged = [False] * n
    steps = 0
    for _superstep in range(1, max_iterations):
        if all(converged):
            break
        inbox = [0.0] * n
        for s, t, w in zip(graph.src, graph.dst, graph.weight, strict=True):
            inbox[int(t)] += value[int(s)] * float(w)
        new = list(value)
        for node in range(n):
            if converged[node]:
                continue
            r = float(graph.retention[node])
            new[node] = r * float(graph.init[node]) + (1 - r) * inbox[node]
            if abs(new[node] - value[node]) < tolerance:
                converged[node] = True
        value = new
        steps += 1
    return value, steps


# ------------------------------------------------------------------ solvers


def test_six_node_vector_by_iteration() -> None:
    result = iterate(six_node_graph(), tolerance=SIX_TOLERANCE, max_iterations=SIX_MAX_ITERATIONS)
    assert result.converged
    assert 1 <= result.supersteps < SIX_MAX_ITERATIONS
    assert_six_node_vector(result.values)


def test_six_node_vector_by_closed_form() -> None:
    assert_six_node_vector(solve_exact(six_node_graph()))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("tolerance", [0.01, 0.001])
def test_iteration_matches_the_plain_pregel_loop(seed: int, tolerance: float) -> None:
    graph = random_graph(seed, n=120 + 40 * seed, degree=4)
    reference, steps = reference_pregel(graph, tolerance, 100)
    result = iterate(graph, tolerance=tolerance, max_iterations=100)
    assert result.supersteps == steps
    np.testing.assert_allclose(result.values, reference, rtol=0, atol=1e-12)


def test_max_iterations_counts_superstep_zero() -> None:
    graph = random_graph(1, n=50, degree=3)
    assert iterate(graph, tolerance=1e-15, max_iterations=1).supersteps == 0
    three = iterate(graph, tolerance=1e-15, max_iterations=4)
    assert three.supersteps == 3
    assert not three.converged
    np.testing.assert_allclose(three.values, reference_pregel(graph, 1e-15, 4)[0], atol=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_unfrozen_fixed_point_is_the_closed_form(seed: int) -> None:
    graph = random_graph(seed, n=300, degree=5)
    converged = iterate(graph, tolerance=1e-13, max_iterations=5000)
    assert converged.converged
    np.testing.assert_allclose(converged.values, solve_exact(graph), rtol=0, atol=1e-9)


def test_sparse_and_dense_closed_forms_agree() -> None:
    graph = random_graph(9, n=700, degree=6)  # above DENSE_SOLVE_BELOW: sparse LU
    system = np.eye(700) - np.diag(1 - graph.retention) @ graph.transition().toarray()
    dense = np.linalg.solve(system, graph.retention * graph.init)
    np.testing.assert_allclose(solve_exact(graph), dense, rtol=0, atol=1e-10)


# ------------------------------------------------------------------ the global graph


def edges_table(rows: list[tuple[str, int, int, float]]) -> pa.Table:
    """(month, repo_id, actor_id, activity) rows with names derived from the ids."""
    return pa.table(
        {
            "month": [r[0] for r in rows],
            "repo_id": pa.array([r[1] for r in rows], pa.int64()),
            "repo_name": [f"o/r{r[1]}" for r in rows],
            "actor_id": pa.array([r[2] for r in rows], pa.int64()),
            "actor_login": [f"u{r[2]}" for r in rows],
            "activity": pa.array([r[3] for r in rows], pa.float64()),
        }
    )


def month_graph(table: pa.Table, month: str, history: CarryHistory | None = None) -> Any:
    part = table.filter(pa.compute.equal(table.column("month"), month))
    return build_global_month(
        month,
        part.column("repo_id").to_numpy(),
        part.column("repo_name").combine_chunks(),
        part.column("actor_id").to_numpy(),
        part.column("actor_login").combine_chunks(),
        part.column("activity").to_numpy(),
        history or CarryHistory(),
    )


def logistic(a: float) -> float:
    return 1 / (1 + math.exp(0.10425 * (44.08 - a)))


def test_global_graph_is_row_stochastic() -> None:
    table = random_edges(3, months=["2024-01"], repos=80, users=400, pairs=3000)
    built = month_graph(table, "2024-01")
    graph = built.graph
    np.testing.assert_allclose(graph.out_weights(), 1.0, rtol=0, atol=1e-12)
    others = graph.size - 1
    assert graph.background == others
    bg_out = graph.weight[graph.src == others]
    assert bg_out.size == others and np.all(bg_out == 1 / others)
    to_bg = graph.weight[graph.dst == others]
    assert to_bg.size == others and np.all(to_bg == 0.05)
    retention = graph.retention[:others]
    assert set(retention[built.kinds == 0].tolist()) == {0.3}  # repos
    assert set(retention[built.kinds == 1].tolist()) == {0.5}  # users
    assert graph.retention[others] == 0.15  # background
    repos = int((built.kinds == 0).sum())
    assert built.kinds[:repos].tolist() == [0] * repos  # repos first, then users


def test_global_weights_of_a_small_month() -> None:
    # repo 10: user 1 with A=30, user 2 with A=10; repo 11: user 1 with A=20.
    built = month_graph(
        edges_table([("2024-01", 10, 1, 30.0), ("2024-01", 10, 2, 10.0), ("2024-01", 11, 1, 20.0)]),
        "2024-01",
    )
    graph = built.graph
    assert built.ids.tolist() == [10, 11, 1, 2]  # repos, then users; background last
    weights = {
        (int(s), int(t)): w for s, t, w in zip(graph.src, graph.dst, graph.weight, strict=True)
    }
    assert weights[(0, 2)] == pytest.approx(0.95 * 30 / (30 + 10))  # repo 10 → user 1
    assert weights[(0, 3)] == pytest.approx(0.95 * 10 / (30 + 10))
    assert weights[(2, 0)] == pytest.approx(0.95 * 30 / (30 + 20))  # user 1 → repo 10
    assert weights[(2, 1)] == pytest.approx(0.95 * 20 / (30 + 20))
    assert weights[(3, 0)] == pytest.approx(0.95)
    assert weights[(1, 2)] == pytest.approx(0.95)
    assert weights[(4, 0)] == pytest.approx(1 / 4)  # background → each of the 4 nodes
    # a new repo starts at 0, a new user at the logistic of its ΣA, the background at 0
    assert graph.init.tolist() == pytest.approx([0, 0, logistic(50), logistic(10), 0])


def test_three_node_month_against_a_written_out_solve() -> None:
    # One repo, one user with A = 44.08 (logistic = 0.5). Nodes r, u, bg (N = 3):
    # r→u 0.95, u→r 0.95, r→bg 0.05, u→bg 0.05, bg→r 1/2, bg→u 1/2.
    table = edges_table([("2024-01", 10, 1, 44.08)])
    s = np.array(
        [  # S[t, s] = w(s → t), order r, u, bg
            [0.0, 0.95, 0.5],
            [0.95, 0.0, 0.5],
            [0.05, 0.05, 0.0],
        ]
    )
    r = np.array([0.3, 0.5, 0.15])
    c0 = np.array([0.0, 0.5, 0.0])
    v = np.linalg.solve(np.eye(3) - np.diag(1 - r) @ s, r * c0)
    out = global_openrank(table, solver="exact").to_pylist()
    assert out == [
        {
            "month": "2024-01",
            "kind": "repo",
            "id": 10,
            "name": "o/r10",
            "openrank": pytest.approx(v[0] + v[2] / 2),
        },
        {
            "month": "2024-01",
            "kind": "user",
            "id": 1,
            "name": "u1",
            "openrank": pytest.approx(v[1] + v[2] / 2),
        },
    ]
    # the published iteration (tolerance 0.01) lands near the fixed point
    iterated = global_openrank(table).column("openrank").to_numpy()
    np.testing.assert_allclose(iterated, [v[0] + v[2] / 2, v[1] + v[2] / 2], atol=0.05)


def test_carry_over_decays_with_the_months_between() -> None:
    january = edges_table([("2024-01", 10, 1, 50.0), ("2024-01", 10, 2, 20.0)])
    march = edges_table([("2024-03", 10, 1, 30.0), ("2024-03", 11, 3, 10.0)])
    jan_out = global_openrank(january)
    jan = {(row["kind"], row["id"]): row["openrank"] for row in jan_out.to_pylist()}

    history = CarryHistory()
    for kind, code in (("repo", 0), ("user", 1)):
        rows = [(i, v) for (k, i), v in jan.items() if k == kind]
        history.fold(
            code,
            np.array([i for i, _ in rows]),
            np.full(len(rows), month_index("2024-01")),
            np.array([v for _, v in rows]),
        )
    built = month_graph(march, "2024-03", history)
    assert built.ids.tolist() == [10, 11, 1, 3]
    # two months later: × 0.85²; users add the logistic of this month's activity
    assert built.graph.init.tolist() == pytest.approx(
        [
            jan[("repo", 10)] * 0.85**2,
            0.0,  # repo 11 is new
            jan[("user", 1)] * 0.85**2 + logistic(30.0),
            logistic(10.0),  # user 3 is new; user 2 is inactive and gets no row
            0.0,
        ]
    )
    both = global_openrank(pa.concat_tables([january, march]))
    chained = global_openrank(march, previous=jan_out)
    march_rows = both.filter(pa.compute.equal(both.column("month"), "2024-03"))
    assert march_rows.to_pylist() == chained.to_pylist()
    assert {(r["kind"], r["id"]) for r in march_rows.to_pylist()} == {
        ("repo", 10),
        ("repo", 11),
        ("user", 1),
        ("user", 3),
    }


def test_carry_needs_more_than_the_minimum_after_decay() -> None:
    previous = pa.table(
        {
            "month": ["2023-12", "2023-12", "2023-10"],
            "kind": ["user", "user", "repo"],
            "id": pa.array([1, 2, 10], pa.int64()),
            "name": ["u1", "u2", "o/r10"],
            "openrank": [0.0125, 0.0115, 4.0],
        }
    )
    table = edges_table([("2024-01", 10, 1, 10.0), ("2024-01", 10, 2, 10.0)])
    history = CarryHistory()
    for month in ("2023-10", "2023-12"):
        part = previous.filter(pa.compute.equal(previous.column("month"), month))
        for kind, code in (("repo", 0), ("user", 1)):
            sel = part.filter(pa.compute.equal(part.column("kind"), kind))
            history.fold(
                code,
                sel.column("id").to_numpy(),
                np.full(sel.num_rows, month_index(month)),
                sel.column("openrank").to_numpy(),
            )
    built = month_graph(table, "2024-01", history)
    assert built.graph.init.tolist() == pytest.approx(
        [
            4.0 * 0.85**3,  # repo 10, last seen three months earlier
            0.0125 * 0.85 + logistic(10.0),  # 0.010625 > 0.01: carried
            logistic(10.0),  # 0.0115 × 0.85 = 0.009775 ≤ 0.01: dropped
            0.0,
        ]
    )
    # the same through the public API: previous rows feed the carry
    v = solve_exact(built.graph)
    out = global_openrank(table, solver="exact", previous=previous)
    assert out.column("openrank").to_pylist() == pytest.approx((v[:3] + v[3] / 3).tolist())
    assert out.column("openrank").to_pylist() != pytest.approx(
        global_openrank(table, solver="exact").column("openrank").to_pylist()
    )


def test_previous_rows_of_a_recomputed_month_are_ignored() -> None:
    table = edges_table([("2024-01", 10, 1, 10.0)])
    stale = pa.table(
        {
            "month": ["2024-01"],
            "kind": ["user"],
            "id": pa.array([1], pa.int64()),
            "name": ["u1"],
            "openrank": [100.0],
        }
    )
    assert global_openrank(table, previous=stale).equals(global_openrank(table))


def test_users_with_more_than_300_repos_are_removed() -> None:
    rows = [("2024-02", 100 + k, 1, 5.252) for k in range(301)]  # user 1: 301 repos
    rows.append(("2024-02", 100, 2, 22.235))  # repo 100 keeps user 2
    rows += [("2024-02", 1000 + k, 3, 5.252) for k in range(300)]  # user 3: exactly 300
    table = edges_table(rows)
    built = month_graph(table, "2024-02")
    assert built.removed_users == 1
    assert built.dropped_repos == 300  # repos 101..400 had nobody left
    kept = set(zip(built.kinds.tolist(), built.ids.tolist(), strict=True))
    assert (1, 1) not in kept and (1, 2) in kept and (1, 3) in kept
    assert (0, 100) in kept and (0, 101) not in kept and (0, 1299) in kept
    repo100 = built.ids.tolist().index(100)
    user2 = built.ids.tolist().index(2)
    weights = built.graph.weight[(built.graph.src == repo100) & (built.graph.dst == user2)]
    assert weights.tolist() == pytest.approx([0.95 * 22.235 / 22.235])  # user 1's A subtracted
    out = global_openrank(table)
    assert out.num_rows == 1 + 300 + 2  # repo 100, user 3's repos, users 2 and 3


def test_a_user_left_without_repos_fails_the_weight_check() -> None:
    rows = [("2024-02", 100 + k, 1, 5.252) for k in range(301)]
    rows.append(("2024-02", 100, 5, 0.5))  # repo 100 keeps 0.5 < 1: dropped, user 5 stranded
    with pytest.raises(AnalysisError, match=r"out-weights of user 5 in 2024-02 sum to 0\.050000"):
        global_openrank(edges_table(rows))


def test_months_without_activity_write_no_rows() -> None:
    table = edges_table([("2024-03", 10, 1, 10.0), ("2024-01", 10, 1, 10.0)])
    out = global_openrank(table)
    assert sorted(set(out.column("month").to_pylist())) == ["2024-01", "2024-03"]
    assert global_openrank(table.slice(0, 0)).equals(GLOBAL_SCHEMA.empty_table())
    everyone_removed = edges_table([("2024-04", 100 + k, 1, 5.252) for k in range(301)])
    assert global_openrank(everyone_removed).num_rows == 0


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("2024-01", 10, 1, 5.0), ("2024-01", 10, 1, 6.0)], "more than one activity row"),
        ([("2024-1", 10, 1, 5.0)], "is not YYYY-MM"),
        ([("2024-01", 10, 1, 0.0)], "positive and finite"),
    ],
)
def test_bad_activity_rows_are_analysis_errors(
    rows: list[tuple[str, int, int, float]], message: str
) -> None:
    with pytest.raises(AnalysisError, match=message):
        global_openrank(edges_table(rows))


def test_unknown_solver_and_missing_columns() -> None:
    table = edges_table([("2024-01", 10, 1, 5.0)])
    with pytest.raises(AnalysisError, match="unknown solver"):
        global_openrank(table, solver="neo4j")
    with pytest.raises(AnalysisError, match="missing column"):
        global_openrank(table.drop_columns(["activity"]))


# ------------------------------------------------------------------ community OpenRank

OPENED_ISSUE, COMMENT, REVIEW_COMMENT, OPENED_PR, CLOSED_PR = 22.235, 5.252, 7.427, 40.679, 14.695


def items_table(rows: list[tuple[str, int, str, int, bool, float]], repo: int = 7) -> pa.Table:
    """(month, actor_id, item_kind, item_number, merged, activity) rows of one repo."""
    return pa.table(
        {
            "month": [r[0] for r in rows],
            "repo_id": pa.array([repo] * len(rows), pa.int64()),
            "repo_name": ["acme/widget"] * len(rows),
            "actor_id": pa.array([r[1] for r in rows], pa.int64()),
            "actor_login": [f"dev{r[1]}" for r in rows],
            "item_kind": [r[2] for r in rows],
            "item_number": pa.array([r[3] for r in rows], pa.int64()),
            "merged": [r[4] for r in rows],
            "activity": pa.array([r[5] for r in rows], pa.float64()),
        }
    )


MAY = [
    ("2024-05", 1, "issue", 1, False, OPENED_ISSUE),  # dev1 opened issue #1
    ("2024-05", 2, "issue", 1, False, 2 * COMMENT),  # dev2 commented twice on it
    ("2024-05", 2, "pr", 2, True, OPENED_PR + CLOSED_PR),  # dev2 opened PR #2, merged
    ("2024-05", 1, "pr", 2, False, REVIEW_COMMENT),  # dev1 reviewed it
]


def may_solution(c0: list[float]) -> dict[tuple[str, int], float]:
    """The exact solve written out. Nodes u1, u2, i1, p2, repo."""
    u1_total = OPENED_ISSUE + REVIEW_COMMENT
    u2_total = 2 * COMMENT + OPENED_PR + CLOSED_PR
    i1_total = OPENED_ISSUE + 2 * COMMENT
    p2_total = OPENED_PR + CLOSED_PR + REVIEW_COMMENT
    s = np.zeros((5, 5))  # S[t, s] = w(s → t)
    s[0, 2] = 0.95 * OPENED_ISSUE / i1_total  # issue #1 → dev1
    s[1, 2] = 0.95 * 2 * COMMENT / i1_total  # issue #1 → dev2
    s[1, 3] = 0.95 * (OPENED_PR + CLOSED_PR) / p2_total  # PR #2 → dev2
    s[0, 3] = 0.95 * REVIEW_COMMENT / p2_total  # PR #2 → dev1
    s[2, 0] = 0.95 * OPENED_ISSUE / u1_total  # dev1 → issue #1
    s[3, 0] = 0.95 * REVIEW_COMMENT / u1_total  # dev1 → PR #2
    s[2, 1] = 0.95 * 2 * COMMENT / u2_total  # dev2 → issue #1
    s[3, 1] = 0.95 * (OPENED_PR + CLOSED_PR) / u2_total  # dev2 → PR #2
    s[4, :4] = 0.05  # everyone → the repo node
    s[:4, 4] = 1 / 4  # the repo node → each of the 4 others
    v = np.linalg.solve(np.eye(5) - 0.85 * s, 0.15 * np.array(c0))
    keys = [("user", 1), ("user", 2), ("issue", 1), ("pr", 2), ("repo", 7)]
    return dict(zip(keys, v.tolist(), strict=True))


def by_node(table: pa.Table, month: str) -> dict[tuple[str, int], float]:
    return {(r["kind"], r["id"]): r["openrank"] for r in table.to_pylist() if r["month"] == month}


def test_community_openrank_of_a_small_repo() -> None:
    out = community_openrank(items_table(MAY))
    assert out.schema == COMMUNITY_SCHEMA
    expected = may_solution([1, 1, 1, 1.5, 1])  # the merged PR starts at 1.5
    got = by_node(out, "2024-05")
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, abs=1e-12)
    names = {(r["kind"], r["id"]): r["name"] for r in out.to_pylist()}
    assert names == {
        ("user", 1): "dev1",
        ("user", 2): "dev2",
        ("issue", 1): "#1",
        ("pr", 2): "#2",
        ("repo", 7): "acme/widget",
    }


def test_community_initial_values_carry_three_months() -> None:
    june = [("2024-06", 1, "issue", 1, False, COMMENT)]  # only dev1 on issue #1
    august = [("2024-08", 1, "issue", 1, False, COMMENT)]
    december = [("2024-12", 1, "issue", 1, False, COMMENT)]
    out = community_openrank(items_table(MAY + june + august + december))
    may = by_node(out, "2024-05")
    june_out = by_node(out, "2024-06")
    # June: last month's values, × 0.85⁰. Nodes u1, i1, repo; u1 ↔ i1 with weight 0.95.
    s = np.array([[0, 0.95, 0.5], [0.95, 0, 0.5], [0.05, 0.05, 0]])
    c0 = [may[("user", 1)], may[("issue", 1)], may[("repo", 7)]]
    v = np.linalg.solve(np.eye(3) - 0.85 * s, 0.15 * np.array(c0))
    assert [june_out[("user", 1)], june_out[("issue", 1)], june_out[("repo", 7)]] == (
        pytest.approx(v.tolist(), abs=1e-12)
    )
    # August: July is empty, June's values × 0.85¹
    c0 = [june_out[k] * 0.85 for k in (("user", 1), ("issue", 1), ("repo", 7))]
    v = np.linalg.solve(np.eye(3) - 0.85 * s, 0.15 * np.array(c0))
    august_out = by_node(out, "2024-08")
    assert [august_out[k] for k in (("user", 1), ("issue", 1), ("repo", 7))] == (
        pytest.approx(v.tolist(), abs=1e-12)
    )
    # December: nothing within the last 3 months, back to 1
    v = np.linalg.solve(np.eye(3) - 0.85 * s, 0.15 * np.ones(3))
    december_out = by_node(out, "2024-12")
    assert [december_out[k] for k in (("user", 1), ("issue", 1), ("repo", 7))] == (
        pytest.approx(v.tolist(), abs=1e-12)
    )
    # the same June from a separate call fed May's results
    chained = community_openrank(items_table(june), previous=out.slice(0, 5))
    assert by_node(chained, "2024-06") == pytest.approx(june_out, abs=0)


def test_large_community_graphs_use_the_iteration() -> None:
    # 250 users each comment once on issue #1: 252 nodes ≥ 200, so Pregel (0.01, 40).
    users = 250
    rows = [("2024-05", u, "issue", 1, False, COMMENT) for u in range(1, users + 1)]
    out = by_node(community_openrank(items_table(rows)), "2024-05")
    n = users + 1  # users and the issue; the repo node is n
    src = np.concatenate([np.full(users, users), np.arange(users), np.arange(n), np.full(n, n)])
    dst = np.concatenate([np.arange(users), np.full(users, users), np.full(n, n), np.arange(n)])
    weight = np.concatenate(
        [np.full(users, 0.95 / users), np.full(users, 0.95), np.full(n, 0.05), np.full(n, 1 / n)]
    )
    graph = OpenRankGraph(
        init=np.ones(n + 1), retention=np.full(n + 1, 0.15), src=src, dst=dst, weight=weight
    )
    expected = iterate(graph, tolerance=0.01, max_iterations=40).values
    assert out[("user", 1)] == pytest.approx(expected[0], abs=1e-12)
    assert out[("issue", 1)] == pytest.approx(expected[users], abs=1e-12)
    assert out[("repo", 7)] == pytest.approx(expected[n], abs=1e-12)
    assert abs(out[("issue", 1)] - solve_exact(graph)[users]) > 1e-9  # not the closed form


def test_community_rows_are_checked() -> None:
    with pytest.raises(AnalysisError, match="item_kind 'discussion'"):
        community_openrank(items_table([("2024-05", 1, "discussion", 1, False, 1.0)]))
    twice = [("2024-05", 1, "issue", 1, False, 1.0), ("2024-05", 1, "issue", 1, False, 2.0)]
    with pytest.raises(AnalysisError, match="more than one row"):
        community_openrank(items_table(twice))
    assert community_openrank(items_table([])).equals(COMMUNITY_SCHEMA.empty_table())
