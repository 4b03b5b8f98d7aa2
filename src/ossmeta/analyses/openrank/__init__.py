"""OpenRank (OpenDigger's global and community ranks), grouped by concern:

- ``graph``: the monthly graphs as NumPy arrays, and the readers of the input tables;
- ``pregel``: the Pregel iteration on SciPy sparse matrices, and its closed form;
- ``spark``: the same iteration on Spark DataFrames;
- ``global_rank`` and ``community``: the entry points the metrics call.
"""

from ossmeta.analyses.openrank.community import COMMUNITY_SCHEMA, community_openrank
from ossmeta.analyses.openrank.global_rank import GLOBAL_SCHEMA, global_openrank
from ossmeta.analyses.openrank.pregel import Iteration, iterate, solve_exact

__all__ = [
    "COMMUNITY_SCHEMA",
    "GLOBAL_SCHEMA",
    "Iteration",
    "community_openrank",
    "global_openrank",
    "iterate",
    "solve_exact",
]
