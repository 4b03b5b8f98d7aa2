"""A cheap value that changes whenever an input of a package's policy decisions changes:
the policy's version, the package's waivers, the advisories naming the package and the
curations of its purl. One query of scalar subqueries; each is served by an index
(``policy_versions`` unique key, ``ix_policy_waivers_name_key``, ``ix_affected_package``,
the curations' purl index).

Time alone (a cooldown ending, a waiver expiring) is not in it: a decision says when it
changes by time (``Decision.valid_until``)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache
from typing import Any

from sqlalchemy import bindparam, func, select

from ossmeta.store.schema import (
    advisories,
    affected,
    curations,
    policy_versions,
    policy_waivers,
)
from ossmeta.store.tenancy import Transaction

__all__ = ["inputs_marker"]


@cache
def _statement() -> Any:
    """Built once with bound parameters: an index asks for markers on every request."""
    policy_id: Any = bindparam("policy_id")
    version = (
        select(func.max(policy_versions.c.version))
        .where(policy_versions.c.policy_id == policy_id)
        .scalar_subquery()
    )
    w = policy_waivers.c
    waiver_where = (w.policy_id == policy_id, w.name_key.in_(bindparam("keys", expanding=True)))
    waivers_count = select(func.count()).where(*waiver_where).scalar_subquery()
    waivers_last = select(func.max(w.id)).where(*waiver_where).scalar_subquery()
    waivers_revoked = select(func.max(w.revoked_at)).where(*waiver_where).scalar_subquery()
    a = affected.c
    joined = affected.join(advisories, advisories.c.id == a.advisory_id)
    adv_where = (a.ecosystem == bindparam("ecosystem"), a.name_key == bindparam("name_key"))
    adv_count = select(func.count()).select_from(joined).where(*adv_where).scalar_subquery()
    adv_modified = (
        select(func.max(advisories.c.modified)).select_from(joined).where(*adv_where)
    ).scalar_subquery()
    adv_withdrawn = (
        select(func.max(advisories.c.withdrawn)).select_from(joined).where(*adv_where)
    ).scalar_subquery()
    adv_rows = select(func.max(a.id)).where(*adv_where).scalar_subquery()
    c = curations.c
    purl: Any = bindparam("purl")
    cur_count = select(func.count()).where(c.purl == purl).scalar_subquery()
    cur_last = select(func.max(c.id)).where(c.purl == purl).scalar_subquery()
    cur_reviewed = select(func.max(c.reviewed_at)).where(c.purl == purl).scalar_subquery()
    return select(
        version,
        waivers_count,
        waivers_last,
        waivers_revoked,
        adv_count,
        adv_modified,
        adv_withdrawn,
        adv_rows,
        cur_count,
        cur_last,
        cur_reviewed,
    )


def inputs_marker(
    tx: Transaction,
    policy_id: int,
    ecosystem: str,
    name_key: str,
    waiver_keys: Iterable[str],
    purl: str,
) -> str:
    """``ecosystem`` and ``name_key`` as the advisory store keys the package (``PyPI``,
    PEP 503 name); ``waiver_keys`` the name keys its waivers are stored under; ``purl``
    the package purl without version, as curations name it."""
    row = tx.execute(
        _statement(),
        {
            "policy_id": policy_id,
            "ecosystem": ecosystem,
            "name_key": name_key,
            "keys": sorted(set(waiver_keys)),
            "purl": purl,
        },
    ).one()
    text = "|".join("" if v is None else str(v) for v in row)
    return hashlib.sha256(text.encode()).hexdigest()[:32]
