"""The ``policy.redecide`` job: recorded policy decisions decided again when an input
changes (queued by ``ossmeta.store.policy_jobs.enqueue_redecision`` in the changing
transaction), re-deciding only the packages the change names; every decision that
changes is recorded and audited (``policy_decide.redecide_releases``).

Releases are re-decided from what the center knows of them, as ``ossmeta policy check``
decides them. A recorded release the center does not know (an index saw it upstream
only) is left to its index: the index's page marker (``policy_inputs_marker``) changes
with the same inputs, so the index re-decides it, with its upstream facts, on the next
request for the page.

Tenant inventories need no job: their violations are derived from the current facts when
read (``ossmeta.service.policy_violations``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ossmeta.service.jobs import PermanentJobError, payload_packages, register
from ossmeta.service.policy_decide import redecide_releases
from ossmeta.service.policy_releases import center_releases
from ossmeta.store.engine import Store
from ossmeta.store.jobs import Job
from ossmeta.store.policies import StoredPolicy, list_policies
from ossmeta.store.policy_jobs import REDECIDE, recorded_releases
from ossmeta.store.tenancy import global_transaction

__all__ = ["Redecided", "redecide", "run_job"]

#: Packages re-decided together: a few queries per slice, however many packages changed.
_SLICE = 500


@dataclass(frozen=True)
class Redecided:
    policies: int = 0
    releases: int = 0  # recorded releases decided again
    changed: int = 0  # of them, whose decision changed (recorded and audited)
    left_to_index: int = 0  # recorded releases the center does not know


def _policies(store: Store, name: str | None) -> list[StoredPolicy]:
    with global_transaction(store) as tx:
        found = [p for p in list_policies(tx) if p.version > 0]
    return [p for p in found if name is None or p.name == name]


def redecide(
    store: Store,
    keys: list[tuple[str, str]] | None,
    *,
    policy: str | None = None,
    now: datetime | None = None,
    actor: str = "redecide",
) -> Redecided:
    """Re-decide the recorded releases of ``keys`` ((purl type, name key); None: all) under
    ``policy`` (None: every applied policy)."""
    moment = now or datetime.now(UTC)
    total = Redecided()
    for stored in _policies(store, policy):
        with global_transaction(store) as tx:
            recorded = recorded_releases(tx, stored.id, keys)
        packages = sorted(recorded)
        releases = changed = unknown = 0
        for start in range(0, len(packages), _SLICE):
            part = {k: recorded[k] for k in packages[start : start + _SLICE]}
            built = center_releases(store, part, known_only=True)
            done, kept = redecide_releases(
                store, stored, built.releases, built.asked, moment, actor
            )
            releases += done
            changed += kept
            unknown += built.unknown
        total = Redecided(
            total.policies + 1,
            total.releases + releases,
            total.changed + changed,
            total.left_to_index + unknown,
        )
    return total


@register(REDECIDE)
def run_job(store: Store, job: Job) -> None:
    """The ``policy.redecide`` job."""
    policy = job.payload.get("policy")
    if policy is not None and not isinstance(policy, str):
        raise PermanentJobError('a policy.redecide job\'s "policy" must be a policy name')
    redecide(store, payload_packages(job.payload, "policy.redecide"), policy=policy)
