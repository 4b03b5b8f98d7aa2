"""The decider an index applies to its releases, and the marker that changes when the inputs
of its decisions change (so a kept page or packument is rebuilt then, and only then). Both
the Python index and the npm registry use these."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ossmeta.analyses.policy.model import Decider, Decision, UpstreamRelease, allow_everything
from ossmeta.store.engine import Store
from ossmeta.store.indexes import IndexDefinition

__all__ = ["decider_for", "policy_marker"]


def decider_for(store: Store, definition: IndexDefinition, now: datetime) -> Decider:
    """``allow_everything`` for an index without a policy, else its policy's decisions."""
    policy = definition.policy
    if policy is None:
        return allow_everything
    # Imported here: the policy service is only needed by gated indexes.
    from ossmeta.service.policy_decide import decide_releases

    def decide(releases: Sequence[UpstreamRelease]) -> Sequence[Decision]:
        decided: Sequence[Decision] = decide_releases(store, policy, releases, now)
        return decided

    return decide


def policy_marker(store: Store, definition: IndexDefinition, project: str) -> str:
    """A string that changes whenever the policy's decisions on ``project`` may change."""
    if definition.policy is None:
        return ""
    from ossmeta.service.policy_decide import policy_inputs_marker

    marker: str = policy_inputs_marker(store, definition.policy, definition.ecosystem, project)
    return marker
