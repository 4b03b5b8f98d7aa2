"""The graduation-project program's two-way selection (双选会): the SPA-S matching.

Pure computation, no store: the instance (:mod:`.model`), the pair- and mentor-optimal
solvers (:mod:`.solver`), the independent checker (:mod:`.check`), the per-pair
explanation (:mod:`.explain`) and the CSV/XLSX tables (:mod:`.files`).
"""

from __future__ import annotations

from ossmeta.analyses.program.check import BlockingPair, Problem, Verdict, blocking_pairs, check
from ossmeta.analyses.program.explain import Explanation, Reason, explain
from ossmeta.analyses.program.model import (
    Instance,
    InstanceError,
    Matching,
    Mentor,
    Pair,
    Task,
    break_ties,
    tie_rule,
)
from ossmeta.analyses.program.solver import solve_mentor_optimal, solve_pair_optimal

__all__ = [
    "BlockingPair",
    "Explanation",
    "Instance",
    "InstanceError",
    "Matching",
    "Mentor",
    "Pair",
    "Problem",
    "Reason",
    "Task",
    "Verdict",
    "blocking_pairs",
    "break_ties",
    "check",
    "explain",
    "solve_mentor_optimal",
    "solve_pair_optimal",
    "tie_rule",
]
