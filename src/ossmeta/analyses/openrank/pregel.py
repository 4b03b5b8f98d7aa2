"""The OpenRank iteration on SciPy sparse matrices, and its closed form.

The iteration reproduces the Pregel procedure OpenDigger runs (xlab.pregel.openrank on Neo4j
GDS), not just its fixed point:

- superstep 0 only sends every node's initial value ``c0``;
- each later superstep updates every *unconverged* node to ``r·c0 + (1-r)·Σ w(m→n)·v(m)``
  over the values of the previous superstep; a node whose update moved it by less than
  ``tolerance`` is converged from then on: it keeps its value and keeps sending it;
- the run stops when every node is converged, or after ``max_iterations`` supersteps counted
  the way GDS counts them, superstep 0 included (so at most ``max_iterations - 1`` updates).

``Iteration.supersteps`` counts the updating supersteps. The closed form
``v = (I - A·S)^-1 (I - A) c0`` with ``A = diag(1 - r)`` is the fixed point without freezing;
community OpenRank uses it below 200 nodes, as upstream, and tests use it as a cross-check.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse import linalg as sparse_linalg

from ossmeta.analyses.openrank.graph import OpenRankGraph

__all__ = ["Iteration", "iterate", "solve_exact"]

Floats = npt.NDArray[np.float64]

DENSE_SOLVE_BELOW = 500  # nodes; a dense LU is faster than a sparse one on tiny systems


@dataclass(frozen=True, eq=False)
class Iteration:
    values: Floats
    supersteps: int  # updating supersteps (superstep 0 only sends the initial values)
    converged: bool


def iterate(
    graph: OpenRankGraph, *, tolerance: float, max_iterations: int, reslice_below: float = 0.5
) -> Iteration:
    """The Pregel iteration with per-node freezing (module docstring). Only the rows of
    unconverged nodes are multiplied: the row slice of ``S`` is re-cut whenever fewer than
    ``reslice_below`` of its rows are still live."""
    n = graph.size
    values = graph.init.astype(np.float64, copy=True)
    kept = graph.retention * graph.init
    damped = 1.0 - graph.retention
    rows = graph.transition()
    row_nodes = np.arange(n, dtype=np.int64)
    live = np.ones(n, dtype=bool)
    supersteps = 0
    for _ in range(max_iterations - 1):
        if not live.any():
            break
        incoming = rows @ values
        nodes = row_nodes[live]
        updated = kept[nodes] + damped[nodes] * incoming[live]
        settled = np.abs(updated - values[nodes]) < tolerance
        values[nodes] = updated
        supersteps += 1
        live[np.flatnonzero(live)[settled]] = False
        if live.sum() < reslice_below * row_nodes.size:
            rows = rows[np.flatnonzero(live)]
            row_nodes = row_nodes[live]
            live = np.ones(row_nodes.size, dtype=bool)
    return Iteration(values=values, supersteps=supersteps, converged=not live.any())


def solve_exact(graph: OpenRankGraph) -> Floats:
    """The fixed point ``(I - A·S)^-1 (I - A) c0``, ``A = diag(1 - r)``."""
    n = graph.size
    if n == 0:
        return np.empty(0, dtype=np.float64)
    system = sparse.identity(n, format="csr") - sparse.diags(1.0 - graph.retention) @ (
        graph.transition()
    )
    rhs = graph.retention * graph.init
    if n < DENSE_SOLVE_BELOW:
        dense: Floats = np.linalg.solve(system.toarray(), rhs)
        return dense
    solved: Floats = np.asarray(sparse_linalg.spsolve(system.tocsc(), rhs), dtype=np.float64)
    return solved
