"""Community (project-level) OpenRank: per repository and month, a graph of its users,
issues and PRs with the repository as background node, as OpenDigger's community job builds
it (reference/opendigger.md §1.3, communityOpenrank.ts).

Choices where the reference is silent or self-contradictory:

- History: upstream reloads it from ClickHouse with mismatched keys (issues as
  ``i<actor_id>``, the repo as a bare id, PRs not stored at all), so only an uninterrupted
  in-process run carries values. We implement the intended rule for every node kind: the most
  recent positive value of the last 3 months times ``0.85^k`` (k = 0 for last month).
- Value multipliers (LLM quality ratings upstream) are not available: every node starts at
  1, merged PRs at 1.5. An item is merged when any of its rows says so.
- Whether an item is an issue or a PR is the metrics SQL's ``item_kind``; item names are
  ``#<number>``; ``previous`` rows of a month this call computes are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ossmeta.analyses.openrank.graph import (
    ATTENUATION,
    BACKGROUND_SHARE,
    EDGE_SHARE,
    OpenRankGraph,
    float_column,
    int_column,
    month_index,
    month_rows,
    require_columns,
    weighted_sums,
)
from ossmeta.analyses.openrank.pregel import iterate, solve_exact
from ossmeta.errors import AnalysisError

__all__ = ["COMMUNITY_SCHEMA", "community_openrank"]

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

COMMUNITY_TOLERANCE = 0.01  # communityOpenrank.ts L147
COMMUNITY_MAX_ITERATIONS = 40
COMMUNITY_EXACT_BELOW = 200  # nodes, repo node included (L517)
COMMUNITY_RETENTION = 0.15
COMMUNITY_HISTORY_MONTHS = 3
MERGED_PR_FACTOR = 1.5
ITEM_COLUMNS = (
    "month", "repo_id", "repo_name", "actor_id", "actor_login", "activity",
    "item_kind", "item_number", "merged",
)  # fmt: skip

COMMUNITY_SCHEMA = pa.schema(
    [
        ("month", pa.string()),
        ("repo_id", pa.int64()),
        ("kind", pa.string()),
        ("id", pa.int64()),
        ("name", pa.string()),
        ("openrank", pa.float64()),
    ]
)

ITEM_KINDS = ("issue", "pr")
_History = dict[tuple[int, str, int], dict[int, float]]


def community_openrank(items: pa.Table, *, previous: pa.Table | None = None) -> pa.Table:
    """Monthly community OpenRank inside each repository (COMMUNITY_SCHEMA rows).

    ``items``: one row per (month, repo, user, issue or PR) with the user's activity on that
    item (§1.3 weights, computed by the metrics SQL). Per repository and month the graph has
    the users, issues and PRs, and the repository as background node (every node sends it
    0.05, it sends 1/n back); retention 0.15 everywhere. Below 200 nodes the closed form is
    solved, above it the iteration runs (tolerance 0.01, at most 40 supersteps), as upstream.
    Values are the nodes' own values: unlike global OpenRank, the repository node's value is
    reported as its own row and not spread over the others.
    """
    require_columns(items, ITEM_COLUMNS, "community activity rows")
    months = month_rows(items)
    history = _community_history(previous, {m for m, _ in months})
    columns = _ItemColumns.of(items)
    out: dict[str, list[Any]] = {name: [] for name in COMMUNITY_SCHEMA.names}
    for month, rows in months:
        this_month = month_index(month)
        by_repo = rows[np.argsort(columns.repo_ids[rows], kind="stable")]
        starts = np.flatnonzero(np.diff(columns.repo_ids[by_repo])) + 1
        for group in np.split(by_repo, starts):
            for kind, node_id, name, value in _community_repo(columns, group, this_month, history):
                repo_id = int(columns.repo_ids[group[0]])
                history.setdefault((repo_id, kind, node_id), {})[this_month] = value
                out["month"].append(month)
                out["repo_id"].append(repo_id)
                out["kind"].append(kind)
                out["id"].append(node_id)
                out["name"].append(name)
                out["openrank"].append(value)
    return pa.table(out, schema=COMMUNITY_SCHEMA)


@dataclass(frozen=True, eq=False)
class _ItemColumns:
    repo_ids: Ints
    repo_names: pa.Array
    actor_ids: Ints
    actor_logins: pa.Array
    item_codes: Ints  # index into ITEM_KINDS
    numbers: Ints
    merged: npt.NDArray[np.bool_]
    activity: Floats

    @classmethod
    def of(cls, items: pa.Table) -> _ItemColumns:
        kinds = items.column("item_kind").combine_chunks().cast(pa.string())
        unknown = pc.invert(pc.is_in(kinds, value_set=pa.array(ITEM_KINDS)))
        if pc.any(unknown).as_py():
            bad = pc.filter(kinds, unknown)[0].as_py()
            raise AnalysisError(f"OpenRank community rows: item_kind {bad!r} is not issue or pr")
        activity = float_column(items, "activity")
        if not (np.isfinite(activity).all() and (activity > 0).all()):
            raise AnalysisError("OpenRank community rows: activity must be positive and finite")
        return cls(
            repo_ids=int_column(items, "repo_id"),
            repo_names=items.column("repo_name").combine_chunks().cast(pa.string()),
            actor_ids=int_column(items, "actor_id"),
            actor_logins=items.column("actor_login").combine_chunks().cast(pa.string()),
            item_codes=np.asarray(pc.equal(kinds, "pr").to_numpy(zero_copy_only=False), np.int64),
            numbers=int_column(items, "item_number"),
            merged=np.asarray(items.column("merged").to_numpy(), dtype=bool),
            activity=activity,
        )


def _community_repo(
    columns: _ItemColumns, rows: Ints, this_month: int, history: _History
) -> list[tuple[str, int, str | None, float]]:
    """(kind, id, name, openrank) of every node of one repository-month."""
    repo_id = int(columns.repo_ids[rows[0]])
    act = columns.activity[rows]
    users, user_of = np.unique(columns.actor_ids[rows], return_inverse=True)
    pairs = np.stack([columns.item_codes[rows], columns.numbers[rows]], axis=1)
    items, item_of = np.unique(pairs, axis=0, return_inverse=True)
    item_of = item_of.reshape(-1)
    if np.unique(np.stack([user_of, item_of], axis=1), axis=0).shape[0] != rows.size:
        raise AnalysisError(
            f"OpenRank community rows: repo {repo_id} has a (user, item) pair in more than "
            "one row of the same month"
        )
    n_users, n_items = users.size, items.shape[0]
    n = n_users + n_items
    user_node = user_of.astype(np.int64)
    item_node = n_users + item_of.astype(np.int64)
    item_total = weighted_sums(item_of, act, n_items)
    user_total = weighted_sums(user_of, act, n_users)
    nodes = np.arange(n, dtype=np.int64)
    repo_node = np.full(n, n, dtype=np.int64)
    src = np.concatenate([item_node, user_node, nodes, repo_node])
    dst = np.concatenate([user_node, item_node, repo_node, nodes])
    weight = np.concatenate(
        [
            EDGE_SHARE * act / item_total[item_of],
            EDGE_SHARE * act / user_total[user_of],
            np.full(n, BACKGROUND_SHARE),
            np.full(n, 1.0 / n),
        ]
    )
    keys = [
        *(("user", int(u)) for u in users),
        *((ITEM_KINDS[int(code)], int(number)) for code, number in items),
        ("repo", repo_id),
    ]
    init = np.array([_community_init(history, repo_id, k, i, this_month) for k, i in keys])
    merged_items = np.bincount(item_of, weights=columns.merged[rows], minlength=n_items) > 0
    init[n_users:n][merged_items] *= MERGED_PR_FACTOR
    graph = OpenRankGraph(
        init=init,
        retention=np.full(n + 1, COMMUNITY_RETENTION),
        src=src,
        dst=dst,
        weight=weight,
        background=n,
    )
    graph.check_out_weights(lambda node: f"{keys[node][0]} {keys[node][1]} of repo {repo_id}")
    if graph.size < COMMUNITY_EXACT_BELOW:
        values = solve_exact(graph)
    else:
        values = iterate(
            graph, tolerance=COMMUNITY_TOLERANCE, max_iterations=COMMUNITY_MAX_ITERATIONS
        ).values
    last_user_row = np.full(n_users, -1, dtype=np.int64)
    np.maximum.at(last_user_row, user_of, rows)
    logins = pc.take(columns.actor_logins, pa.array(last_user_row)).to_pylist()
    names: list[str | None] = [
        *logins,
        *(f"#{int(number)}" for _, number in items),
        columns.repo_names[int(rows.max())].as_py(),
    ]
    return [
        (kind, node_id, name, float(value))
        for (kind, node_id), name, value in zip(keys, names, values, strict=True)
    ]


def _community_init(history: _History, repo_id: int, kind: str, node_id: int, month: int) -> float:
    """The most recent positive value of the last 3 months × 0.85^k (k = 0 for last month),
    else the default value multiplier 1."""
    past = history.get((repo_id, kind, node_id))
    if past:
        for back in range(COMMUNITY_HISTORY_MONTHS):
            value = past.get(month - 1 - back, 0.0)
            if value > 0:
                return float(value * ATTENUATION**back)
    return 1.0


def _community_history(previous: pa.Table | None, computed: set[str]) -> _History:
    history: _History = {}
    if previous is None or previous.num_rows == 0:
        return history
    require_columns(previous, ("month", "repo_id", "kind", "id", "openrank"), "previous results")
    for row in previous.select(["month", "repo_id", "kind", "id", "openrank"]).to_pylist():
        if row["month"] in computed:
            continue
        key = (int(row["repo_id"]), str(row["kind"]), int(row["id"]))
        history.setdefault(key, {})[month_index(row["month"])] = float(row["openrank"])
    return history
