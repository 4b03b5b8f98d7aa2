"""Health metrics from git history, tags and releases (issue 4 §3, "from git").

Per repository (``commits.repo`` / ``tags.repo``, the canonical ``host/owner/name``; events are
mapped through the ``repos`` view and lower-cased like git import's GitHub keys):

==========================  =====================  ==============================================
metric                      periods                module
==========================  =====================  ==============================================
commit_frequency            month, quarter, year   git_commits (merges included; ``.non_merge``)
active_authors              month, quarter, year   git_commits (people via identities, no bots)
code_churn                  month, quarter, year   git_commits (``.insertions``, ``.deletions``)
git_bus_factor_commits      month, quarter, year   git_bus_factor (people for half the commits)
git_bus_factor_lines        month, quarter, year   git_bus_factor (people for half the lines)
releases                    month, quarter, year   git_releases (tags and published releases)
release_interval_days       month, quarter, year   git_releases (median days between releases)
days_since_last_commit      month                  git_recency (at each month's end, to as_of)
days_since_last_release     month                  git_recency
maintenance_status          month, quarter, year   git_status (the rule is documented there)
==========================  =====================  ==============================================

Counts per period (commits, authors, churn, releases) take every row whatever ``as_of`` says;
the "as of" metrics (days since, maintenance status) see only what happened up to ``as_of``.
All are SQL definitions (no Python steps); compute rounds, and drops zeros except from the
``days_since_*`` series (see git_recency).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from ossmeta.analyses.metrics import (
    git_bus_factor,
    git_commits,
    git_recency,
    git_releases,
    git_status,
)
from ossmeta.analyses.metrics.model import Definition

if TYPE_CHECKING:
    from ossmeta.analyses.metrics.compute import Step

__all__ = ["DEFINITIONS", "STEPS"]

DEFINITIONS: Final[list[Definition]] = [
    *git_commits.DEFINITIONS,
    *git_bus_factor.DEFINITIONS,
    *git_releases.DEFINITIONS,
    *git_recency.DEFINITIONS,
    *git_status.DEFINITIONS,
]

STEPS: Final[list[Step]] = []
