"""OpenDigger's metrics (reference/opendigger.md §0, §1.1-§1.6), per repository and per
developer, monthly, quarterly and yearly, under the names of OpenDigger's export files.

===============================  ===========  =====================================
module                           subject      metrics
===============================  ===========  =====================================
opendigger_counts                repo         attention, stars, technical_fork,
                                              participants, issues_new, issues_closed,
                                              issues_and_change_request_active,
                                              issue_comments, change_requests,
                                              change_requests_accepted,
                                              change_requests_reviews,
                                              code_change_lines_add/remove/sum
opendigger_activity              repo         activity, bus_factor, bus_factor_detail
opendigger_activity              developer    activity
opendigger_contributors          repo         contributors, contributors_detail,
                                              new_contributors, new_contributors_detail,
                                              inactive_contributors
opendigger_durations             repo         issue_response_time.*,
                                              change_request_response_time.*,
                                              issue_resolution_duration.*,
                                              change_request_resolution_duration.*
opendigger_openrank (steps)      repo         openrank, community_openrank (monthly)
opendigger_openrank (steps)      developer    openrank
===============================  ===========  =====================================

Bots, per metric as OpenDigger: activity, participants and the counts keep them; response
times, bus factor and the contributor metrics drop ``%[bot]`` logins and, in addition, every
login of the ``bots`` view (our maintained list and curations); global OpenRank drops both
too (upstream: ``%[bot]`` and its bot labels). Queries return raw values; ``compute`` rounds
to two decimals and drops zeros (OpenDigger's export omits them), so a period without data,
or with a zero, has no row. ``*_detail`` rows and ``.levels`` carry JSON in ``detail`` and no
value.

Subjects are ``repos.repo`` and ``developers.developer`` (compute.py): an id's latest name;
when ids share a name, the id seen last owns it, as OpenDigger's export tables decide.

Known differences from OpenDigger, each deliberate: no repairs of GH Archive gaps (the
2021-10 interpolation belongs to the export); no ``activity_details`` nor
``active_dates_and_times``; quantiles are exact above 8192 items (ClickHouse samples); the bot
list is matched by login (upstream's labels by id).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from ossmeta.analyses.metrics import (
    opendigger_activity,
    opendigger_contributors,
    opendigger_counts,
    opendigger_durations,
)
from ossmeta.analyses.metrics.model import Definition
from ossmeta.analyses.metrics.opendigger_openrank import (
    community_openrank_step,
    global_openrank_step,
)

if TYPE_CHECKING:
    from ossmeta.analyses.metrics.compute import Step

__all__ = ["DEFINITIONS", "STEPS"]

DEFINITIONS: Final[list[Definition]] = [
    *opendigger_counts.DEFINITIONS,
    *opendigger_activity.DEFINITIONS,
    *opendigger_contributors.DEFINITIONS,
    *opendigger_durations.DEFINITIONS,
]

#: In this order: the community step reads the global step's output.
STEPS: Final[list[Step]] = [global_openrank_step, community_openrank_step]
