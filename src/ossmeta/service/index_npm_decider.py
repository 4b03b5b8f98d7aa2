"""The decider of an npm index: what its policy says of each upstream release.

Same signature and body as the Python index's ``decider_for`` (the two are to be one): an
index without a policy allows everything; one with a policy asks the policy service, which
is imported only when needed (it loads the policy engine)."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ossmeta.analyses.policy.model import Decider, Decision, UpstreamRelease, allow_everything
from ossmeta.store.engine import Store
from ossmeta.store.indexes import IndexDefinition

__all__ = ["decider_for", "inputs_marker"]


def _policy_service() -> Any:
    return importlib.import_module("ossmeta.service.policy")


def decider_for(store: Store, definition: IndexDefinition, now: datetime) -> Decider:
    if definition.policy is None:
        return allow_everything
    policy_name = definition.policy

    def decide(releases: Sequence[UpstreamRelease]) -> Sequence[Decision]:
        decided: list[Decision] = _policy_service().decide_releases(
            store, policy_name, releases, now
        )
        return decided

    return decide


def inputs_marker(store: Store, definition: IndexDefinition, name: str) -> str:
    """Changes whenever the decisions on ``name`` may change (policy, advisories, waivers):
    a served packument built under another marker is rebuilt."""
    if definition.policy is None:
        return ""
    marker: str = _policy_service().policy_inputs_marker(
        store, definition.policy, definition.ecosystem, name
    )
    return marker
