"""The job handlers a worker runs: importing this module registers every one of them
(``ossmeta.service.jobs.register``). A module that defines a handler adds its import here,
so that ``ossmeta worker`` and ``ossmeta serve``'s in-process worker know it.

Jobs of kinds nobody registered fail at once with a clear error and stay in the table.
"""

from __future__ import annotations

import ossmeta.service.policy_jobs  # the "policy.redecide" job
import ossmeta.service.reevaluate  # noqa: F401 - the "reevaluate" job

__all__: list[str] = []
