"""Queueing the re-decision of recorded policy decisions (``ossmeta.service.policy_jobs``
runs it) and reading the recorded releases it re-decides.

A change that can alter a decision queues the job in its own transaction, so the job
exists exactly when the change does: an advisory import or a curation approval (the
packages it names), a policy apply (every release recorded under that policy), a waiver
added or revoked (its package under its policy), and a waiver's expiry (queued when the
waiver is added, to run at the expiry)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_

from ossmeta.ecosystems import ECOSYSTEM_TO_PURL_TYPE, name_key
from ossmeta.store.chunking import chunks
from ossmeta.store.jobs import enqueue
from ossmeta.store.schema import policy_decisions
from ossmeta.store.tenancy import Transaction

__all__ = [
    "MAX_LISTED",
    "REDECIDE",
    "decision_keys",
    "enqueue_redecision",
    "recorded_releases",
]

REDECIDE = "policy.redecide"
#: Above this many packages a job re-decides every recorded release instead of listing them.
MAX_LISTED = 20_000
_JUDGED = ("pypi", "npm")  # purl types a policy decides


def decision_keys(packages: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """(purl type, name key) as policy_decisions keys them, of (OSV ecosystem, name) pairs;
    packages of ecosystems no policy decides are left out."""
    out: set[tuple[str, str]] = set()
    for ecosystem, name in packages:
        kind = ECOSYSTEM_TO_PURL_TYPE.get(ecosystem)
        if kind in _JUDGED:
            out.add((kind, name_key(ecosystem, name)))
    return out


def _any_recorded(tx: Transaction) -> bool:
    return tx.execute(select(policy_decisions.c.id).limit(1)).first() is not None


def enqueue_redecision(
    tx: Transaction,
    packages: Iterable[tuple[str, str]] | None,
    *,
    policy: str | None = None,
    run_after: datetime | None = None,
    now: datetime | None = None,
) -> int | None:
    """Queue the re-decision of the recorded decisions of ``packages`` ((OSV ecosystem,
    name) pairs; None: every package) under ``policy`` (None: every policy), in the
    caller's transaction; the job's id. Nothing is queued (None) when no package a policy
    decides is named or nothing was ever decided: a cheap no-op for a store without
    indexes."""
    keys = None if packages is None else sorted(decision_keys(packages))
    if keys == [] or (run_after is None and not _any_recorded(tx)):
        return None
    payload: dict[str, Any] = {}
    if keys is None or len(keys) > MAX_LISTED:
        payload["all"] = True
    else:
        payload["packages"] = [list(k) for k in keys]
    if policy is not None:
        payload["policy"] = policy
    return enqueue(tx, REDECIDE, payload, run_after=run_after, now=now)


def recorded_releases(
    tx: Transaction, policy_id: int, keys: Iterable[tuple[str, str]] | None
) -> dict[tuple[str, str], set[str]]:
    """The versions with a recorded decision under the policy, by (purl type, name key),
    of those packages (None: all), a query per few hundred packages."""
    c = policy_decisions.c
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    base = select(c.ecosystem, c.name_key, c.version).where(c.policy_id == policy_id)
    if keys is None:
        parts: Iterable[Any] = [base]
    else:
        parts = (
            base.where(tuple_(c.ecosystem, c.name_key).in_(part))
            for part in chunks(sorted(set(keys)))
        )
    for query in parts:
        for row in tx.execute(query):
            out[(row.ecosystem, row.name_key)].add(row.version)
    return dict(out)
