"""OpenRank graphs, built once as NumPy arrays and handed to either solver (SciPy or Spark).

``OpenRankGraph`` is what a solver sees: per node an initial value and a retention factor, and
weighted directed edges, optionally with one node marked as the background. The builders here
turn one month of global repo–developer activity, or one repository-month of community
activity, into such a graph, following OpenDigger's jobs (reference/opendigger.md §1.2, §1.3).
The small table readers at the end (column checks, months) serve both OpenRank entry points.

The Spark path does not use these builders: spark_global.py builds the same graph with
DataFrame joins and group-bys, so no edge reaches the driver. ``spark.iterate_spark`` still
accepts a graph built here (tests and bench/bench_openrank.py compare both solvers on
bit-identical weights).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse

from ossmeta.errors import AnalysisError

__all__ = [
    "ATTENUATION",
    "BACKGROUND_RETENTION",
    "REPO_RETENTION",
    "USER_RETENTION",
    "CarryHistory",
    "GlobalMonthGraph",
    "OpenRankGraph",
    "activity_to_openrank",
    "build_global_month",
    "float_column",
    "int_column",
    "month_index",
    "month_rows",
    "require_columns",
    "weighted_sums",
]

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

# Constants of OpenDigger's global job (globalOpenrank.ts L15-22).
USER_RETENTION = 0.5
REPO_RETENTION = 0.3
BACKGROUND_RETENTION = 0.15
ATTENUATION = 0.85
CARRY_MIN_VALUE = 0.01
MAX_USER_RELATIONS = 300
MIN_REPO_ACTIVITY = 1.0
EDGE_SHARE = 0.95  # of a node's out-weight goes to its real neighbours ...
BACKGROUND_SHARE = 0.05  # ... and the rest to the background node
WEIGHT_SLACK = 0.01  # out-weights must sum to 1 within this

REPO, USER = 0, 1  # node kinds of the global graph
KIND_NAMES = ("repo", "user")

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, eq=False)
class OpenRankGraph:
    """Nodes ``0..size-1``; edge ``k`` goes ``src[k] → dst[k]`` with ``weight[k]``.
    ``background`` is the index of the background node when the graph has one (the Spark
    solver keeps its value on the driver and broadcasts it)."""

    init: Floats
    retention: Floats
    src: Ints
    dst: Ints
    weight: Floats
    background: int | None = None

    @property
    def size(self) -> int:
        return int(self.init.shape[0])

    def transition(self) -> sparse.csr_matrix:
        """``S`` with ``S[t, s] = w(s → t)`` (parallel edges summed), so a superstep's incoming
        sums are ``S @ v``."""
        n = self.size
        return sparse.csr_matrix((self.weight, (self.dst, self.src)), shape=(n, n))

    def out_weights(self) -> Floats:
        return weighted_sums(self.src, self.weight, self.size)

    def check_out_weights(self, describe: Callable[[int], str] | None = None) -> None:
        """Every node with out-edges must send 1 ± 0.01 in total, as OpenDigger checks before
        each run (globalOpenrank.ts L221-227). ``describe(i)`` names node i in the error."""
        sums = self.out_weights()
        has_out = np.bincount(self.src, minlength=self.size) > 0
        bad = np.flatnonzero(has_out & (np.abs(sums - 1.0) > WEIGHT_SLACK))
        if bad.size:
            first = int(bad[0])
            name = describe(first) if describe is not None else f"node {first}"
            raise AnalysisError(
                f"OpenRank graph: out-weights of {name} sum to {sums[first]:.6f}, not 1 "
                f"({bad.size} node(s) affected)"
            )


def weighted_sums(codes: npt.NDArray[np.intp] | Ints, weights: Floats, size: int) -> Floats:
    """Σ weights per code (``np.bincount`` with weights, typed as floats)."""
    return np.asarray(np.bincount(codes, weights=weights, minlength=size), dtype=np.float64)


def activity_to_openrank(activity: Floats) -> Floats:
    """OpenDigger's logistic from a user's monthly activity to initial OpenRank (0.5 at
    activity 44.08)."""
    result: Floats = 1.0 / (1.0 + np.exp(0.10425 * (44.08 - activity)))
    return result


def month_index(month: str) -> int:
    """'YYYY-MM' as a month count, so differences are calendar months."""
    if not _MONTH.match(month):
        raise AnalysisError(f"OpenRank: month {month!r} is not YYYY-MM")
    return int(month[:4]) * 12 + int(month[5:7]) - 1


class CarryHistory:
    """Each node's most recent OpenRank (kind, id → month, value), for the carried initial
    value ``OR_last × 0.85^Δmonths`` of the global job. Records are folded in ascending month
    order, so a later fold replaces an earlier record of the same node."""

    def __init__(self) -> None:
        empty_i = np.empty(0, dtype=np.int64)
        self._ids = [empty_i, empty_i]
        self._months = [empty_i, empty_i]
        self._values = [np.empty(0, dtype=np.float64), np.empty(0, dtype=np.float64)]

    def fold(self, kind: int, ids: Ints, months: Ints, values: Floats) -> None:
        """Add records (months ascending within the batch, all later than anything folded)."""
        all_ids = np.concatenate([self._ids[kind], ids])
        order = np.argsort(all_ids, kind="stable")
        ordered = all_ids[order]
        last = np.ones(ordered.shape[0], dtype=bool)
        last[:-1] = ordered[1:] != ordered[:-1]  # the last of each run is the newest record
        keep = order[last]
        self._ids[kind] = all_ids[keep]
        self._months[kind] = np.concatenate([self._months[kind], months])[keep]
        self._values[kind] = np.concatenate([self._values[kind], values])[keep]

    def carry(self, kind: int, ids: Ints, month: int) -> Floats:
        """Decayed last value for each id (0 without a record or when it decays to ≤ 0.01)."""
        known = self._ids[kind]
        out = np.zeros(ids.shape[0], dtype=np.float64)
        if known.size == 0 or ids.size == 0:
            return out
        pos = np.minimum(np.searchsorted(known, ids), known.size - 1)
        hit = known[pos] == ids
        months_ago = month - self._months[kind][pos[hit]]
        decayed = self._values[kind][pos[hit]] * np.power(ATTENUATION, months_ago)
        out[hit] = np.where(decayed > CARRY_MIN_VALUE, decayed, 0.0)
        return out


@dataclass(frozen=True, eq=False)
class GlobalMonthGraph:
    """The global graph of one month: repos ``0..repos-1``, users after them, background last.
    ``ids``/``names``/``kinds`` describe the non-background nodes in that order."""

    month: str
    graph: OpenRankGraph
    kinds: npt.NDArray[np.int8]
    ids: Ints
    names: pa.Array
    removed_users: int
    dropped_repos: int

    def describe(self, node: int) -> str:
        if node >= self.ids.shape[0]:
            return f"the background node of {self.month}"
        return f"{KIND_NAMES[self.kinds[node]]} {self.ids[node]} in {self.month}"


def sorted_codes(ids: Ints) -> tuple[Ints, Ints]:
    """(distinct ids ascending, each row's index into them): what ``np.unique(...,
    return_inverse=True)`` gives, by hashing the rows (Arrow) and sorting only the distinct
    ids, several times faster on millions of rows."""
    encoded = pc.dictionary_encode(pa.array(ids, pa.int64()))
    distinct = np.asarray(encoded.dictionary.to_numpy(), dtype=np.int64)
    order = np.argsort(distinct)
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size, dtype=np.int64)
    return distinct[order], rank[np.asarray(encoded.indices.to_numpy(), dtype=np.int64)]


def _last_row_per_code(inverse: Ints, codes: int) -> Ints:
    """Row index of the last occurrence of each code (for 'the name seen last')."""
    last = np.full(codes, -1, dtype=np.int64)
    np.maximum.at(last, inverse, np.arange(inverse.shape[0], dtype=np.int64))
    return last


def build_global_month(
    month: str,
    repo_ids: Ints,
    repo_names: pa.Array,
    actor_ids: Ints,
    actor_logins: pa.Array,
    activity: Floats,
    history: CarryHistory,
) -> GlobalMonthGraph | None:
    """One month's global graph from its (repo, user, A(r,u)) relations, or None when no node
    survives the filters.

    The >300-relations rule follows globalOpenrank.ts L170-184 exactly: a removed user's A is
    subtracted from each of its repos, and a repo *touched by a removed user* whose remaining
    activity is below 1 is dropped. A kept user's ΣA (its out-weight denominator and its
    logistic initial value) still includes relations to dropped repos, as upstream; since
    every non-zero A of the formula is at least 5.252, a repo only drops when no kept user
    remains on it, and otherwise the out-weight check reports the inconsistency.
    """
    if repo_ids.shape[0] == 0:
        return None
    if not (np.isfinite(activity).all() and (activity > 0).all()):
        raise AnalysisError(f"OpenRank {month}: activity must be positive and finite")
    users, user_of = sorted_codes(actor_ids)
    repos, repo_of = sorted_codes(repo_ids)
    pair = np.sort(repo_of * users.size + user_of)
    repeated = np.flatnonzero(pair[1:] == pair[:-1])
    if repeated.size:
        twice = int(pair[repeated[0]])
        raise AnalysisError(
            f"OpenRank {month}: repo {repos[twice // users.size]} and user "
            f"{users[twice % users.size]} appear in more than one activity row"
        )
    user_total = weighted_sums(user_of, activity, users.size)
    removed = np.bincount(user_of, minlength=users.size) > MAX_USER_RELATIONS
    user_kept = ~removed
    if removed.any():
        row_by_removed = removed[user_of]
        repo_left = weighted_sums(repo_of, np.where(row_by_removed, 0.0, activity), repos.size)
        touched = np.bincount(repo_of, weights=row_by_removed, minlength=repos.size) > 0
        repo_kept = ~(touched & (repo_left < MIN_REPO_ACTIVITY))
        rows = np.flatnonzero(~row_by_removed & repo_kept[repo_of])
        rel_repo_of, rel_user_of, rel_act = repo_of[rows], user_of[rows], activity[rows]
    else:  # the common case: every row stays
        repo_left = weighted_sums(repo_of, activity, repos.size)
        repo_kept = np.ones(repos.size, dtype=bool)
        rel_repo_of, rel_user_of, rel_act = repo_of, user_of, activity

    n_repos = int(repo_kept.sum())
    n_users = int(user_kept.sum())
    others = n_repos + n_users
    if others == 0:
        return None
    background = others
    rel_repo = (np.cumsum(repo_kept) - 1)[rel_repo_of]
    rel_user = (n_repos + np.cumsum(user_kept) - 1)[rel_user_of]
    to_user = EDGE_SHARE * rel_act / repo_left[rel_repo_of]
    to_repo = EDGE_SHARE * rel_act / user_total[rel_user_of]
    nodes = np.arange(others, dtype=np.int64)
    bg = np.full(others, background, dtype=np.int64)
    src = np.concatenate([rel_repo, rel_user, nodes, bg])
    dst = np.concatenate([rel_user, rel_repo, bg, nodes])
    weight = np.concatenate(
        [to_user, to_repo, np.full(others, BACKGROUND_SHARE), np.full(others, 1.0 / others)]
    )

    kept_repo_ids = repos[repo_kept]
    kept_user_ids = users[user_kept]
    this_month = month_index(month)
    init = np.concatenate(
        [
            history.carry(REPO, kept_repo_ids, this_month),
            history.carry(USER, kept_user_ids, this_month)
            + activity_to_openrank(user_total[user_kept]),
            [0.0],  # the background has no history and no activity
        ]
    )
    retention = np.concatenate(
        [
            np.full(n_repos, REPO_RETENTION),
            np.full(n_users, USER_RETENTION),
            [BACKGROUND_RETENTION],
        ]
    )
    graph = OpenRankGraph(
        init=init, retention=retention, src=src, dst=dst, weight=weight, background=background
    )
    repo_rows = _last_row_per_code(repo_of, repos.size)[repo_kept]
    user_rows = _last_row_per_code(user_of, users.size)[user_kept]
    names = pa.concat_arrays(
        [
            pc.take(repo_names, pa.array(repo_rows)).cast(pa.string()),
            pc.take(actor_logins, pa.array(user_rows)).cast(pa.string()),
        ]
    )
    kinds = np.concatenate([np.full(n_repos, REPO, np.int8), np.full(n_users, USER, np.int8)])
    result = GlobalMonthGraph(
        month=month,
        graph=graph,
        kinds=kinds,
        ids=np.concatenate([kept_repo_ids, kept_user_ids]),
        names=names,
        removed_users=int(removed.sum()),
        dropped_repos=int((~repo_kept).sum()),
    )
    graph.check_out_weights(result.describe)
    return result


# ------------------------------------------------------------------ reading the input tables

NAME_COLUMNS = ("repo_name", "actor_login", "name")  # display names may be null


def require_columns(table: pa.Table, columns: tuple[str, ...], what: str) -> None:
    """The columns exist, and all but the display names are free of nulls."""
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise AnalysisError(f"OpenRank {what}: missing column(s) {', '.join(missing)}")
    nulls = [c for c in columns if c not in NAME_COLUMNS and table.column(c).null_count]
    if nulls:
        raise AnalysisError(f"OpenRank {what}: null values in {', '.join(nulls)}")


def int_column(table: pa.Table, column: str) -> Ints:
    return np.asarray(table.column(column).to_numpy(), dtype=np.int64)


def float_column(table: pa.Table, column: str) -> Floats:
    return np.asarray(table.column(column).to_numpy(), dtype=np.float64)


def month_codes(table: pa.Table) -> tuple[list[str], npt.NDArray[np.int64]]:
    """Distinct months (as the dictionary) and each row's index into it."""
    encoded = pc.dictionary_encode(table.column("month").combine_chunks().cast(pa.string()))
    months = [str(m) for m in encoded.dictionary.to_pylist()]
    return months, np.asarray(encoded.indices.to_numpy(), dtype=np.int64)


def month_rows(table: pa.Table) -> list[tuple[str, Ints]]:
    """(month, row indices) in ascending month order."""
    if table.num_rows == 0:
        return []
    months, codes = month_codes(table)
    for month in months:
        month_index(month)  # validates the format
    order = np.argsort(codes, kind="stable")
    bounds = np.cumsum(np.bincount(codes, minlength=len(months)))
    groups = np.split(order, bounds[:-1])
    return sorted(zip(months, groups, strict=True), key=lambda pair: pair[0])
