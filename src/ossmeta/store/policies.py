"""Policies, their versions, waivers, recorded decisions and the policy audit log
(migration 0012). Every function takes an open transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ossmeta.store.chunking import chunks
from ossmeta.store.schema import (
    policies,
    policy_audit,
    policy_decisions,
    policy_versions,
    policy_waivers,
)
from ossmeta.store.tenancy import Transaction
from ossmeta.times import as_utc

__all__ = [
    "AuditEntry",
    "RecordedDecision",
    "StoredPolicy",
    "StoredWaiver",
    "append_audit",
    "find_policy",
    "insert_policy",
    "insert_version",
    "insert_waiver",
    "list_audit",
    "list_policies",
    "list_waivers",
    "recorded_decisions",
    "revoke_waiver",
    "save_decisions",
    "waiver_by_id",
]


@dataclass(frozen=True)
class StoredPolicy:
    id: int
    name: str
    tenant_id: int | None
    version: int  # the latest; 0 before the first is stored
    text: str
    sha256: str
    applied_by: str
    applied_at: datetime | None


@dataclass(frozen=True)
class StoredWaiver:
    id: int
    policy_id: int
    package: str
    name_key: str
    versions: str
    reason: str
    requested_by: str
    approved_by: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str | None


@dataclass(frozen=True)
class RecordedDecision:
    action: str
    digest: str
    policy_version: int


@dataclass(frozen=True)
class AuditEntry:
    id: int
    policy: str
    actor: str
    action: str
    target: str
    detail: dict[str, Any]
    at: datetime


def _utc(value: datetime | None) -> datetime | None:
    return as_utc(value)


def _latest() -> Any:
    """The latest version row of each policy, as a subquery."""
    return (
        select(policy_versions.c.policy_id, func.max(policy_versions.c.version).label("v"))
        .group_by(policy_versions.c.policy_id)
        .subquery()
    )


@cache
def _policy_query() -> Any:
    """Built once: an index asks for its policy on every page it builds."""
    latest = _latest()
    return (
        select(
            policies.c.id,
            policies.c.name,
            policies.c.owner_tenant_id,
            policy_versions.c.version,
            policy_versions.c.text,
            policy_versions.c.sha256,
            policy_versions.c.applied_by,
            policy_versions.c.applied_at,
        )
        .select_from(policies)
        .outerjoin(latest, latest.c.policy_id == policies.c.id)
        .outerjoin(
            policy_versions,
            and_(
                policy_versions.c.policy_id == policies.c.id,
                policy_versions.c.version == latest.c.v,
            ),
        )
    )


def _stored(row: Any) -> StoredPolicy:
    return StoredPolicy(
        row.id,
        row.name,
        row.owner_tenant_id,
        row.version or 0,
        row.text or "",
        row.sha256 or "",
        row.applied_by or "",
        _utc(row.applied_at),
    )


@cache
def _by_name() -> Any:
    return _policy_query().where(policies.c.name == bindparam("name"))


def find_policy(tx: Transaction, name: str) -> StoredPolicy | None:
    row = tx.execute(_by_name(), {"name": name}).first()
    return None if row is None else _stored(row)


def list_policies(tx: Transaction) -> list[StoredPolicy]:
    return [_stored(r) for r in tx.execute(_policy_query().order_by(policies.c.name))]


def insert_policy(
    tx: Transaction, name: str, tenant_id: int | None, actor: str, at: datetime
) -> int:
    new_id = tx.execute(
        insert(policies)
        .values(name=name, owner_tenant_id=tenant_id, created_at=at, created_by=actor)
        .returning(policies.c.id)
    ).scalar_one()
    return int(new_id)


def insert_version(
    tx: Transaction, policy_id: int, version: int, text: str, sha256: str, actor: str, at: datetime
) -> None:
    tx.execute(
        insert(policy_versions).values(
            policy_id=policy_id,
            version=version,
            text=text,
            sha256=sha256,
            applied_by=actor,
            applied_at=at,
        )
    )


def _waiver(row: Any) -> StoredWaiver:
    created = _utc(row.created_at)
    assert created is not None  # NOT NULL
    return StoredWaiver(
        row.id,
        row.policy_id,
        row.package,
        row.name_key,
        row.versions,
        row.reason,
        row.requested_by,
        row.approved_by,
        created,
        _utc(row.expires_at),
        _utc(row.revoked_at),
        row.revoked_by,
    )


def insert_waiver(tx: Transaction, values: dict[str, Any]) -> int:
    new_id = tx.execute(
        insert(policy_waivers).values(**values).returning(policy_waivers.c.id)
    ).scalar_one()
    return int(new_id)


def waiver_by_id(tx: Transaction, waiver_id: int) -> StoredWaiver | None:
    row = tx.execute(select(policy_waivers).where(policy_waivers.c.id == waiver_id)).first()
    return None if row is None else _waiver(row)


def list_waivers(
    tx: Transaction,
    policy_id: int,
    name_keys: Iterable[str] | None = None,
    *,
    in_force_at: datetime | None = None,
) -> list[StoredWaiver]:
    """The policy's waivers (of those package name keys when given); with ``in_force_at``
    only those neither revoked nor expired then."""
    query = select(policy_waivers).where(policy_waivers.c.policy_id == policy_id)
    if in_force_at is not None:
        query = query.where(
            policy_waivers.c.revoked_at.is_(None),
            or_(policy_waivers.c.expires_at.is_(None), policy_waivers.c.expires_at > in_force_at),
        )
    if name_keys is not None:
        query = query.where(policy_waivers.c.name_key.in_(sorted(set(name_keys))))
    return [_waiver(r) for r in tx.execute(query.order_by(policy_waivers.c.id))]


def revoke_waiver(tx: Transaction, waiver_id: int, actor: str, at: datetime) -> None:
    tx.execute(
        update(policy_waivers)
        .where(policy_waivers.c.id == waiver_id)
        .values(revoked_at=at, revoked_by=actor)
    )


def recorded_decisions(
    tx: Transaction, policy_id: int, ecosystem: str, name_key: str, versions: Iterable[str]
) -> dict[str, RecordedDecision]:
    """The last recorded decision of each of those versions of one package, by version."""
    out: dict[str, RecordedDecision] = {}
    c = policy_decisions.c
    for part in chunks(sorted(set(versions))):
        query = select(c.version, c.action, c.digest, c.policy_version).where(
            c.policy_id == policy_id,
            c.ecosystem == ecosystem,
            c.name_key == name_key,
            c.version.in_(part),
        )
        for row in tx.execute(query):
            out[row.version] = RecordedDecision(row.action, row.digest, row.policy_version)
    return out


def save_decisions(
    tx: Transaction,
    policy_id: int,
    ecosystem: str,
    name_key: str,
    changed: Sequence[tuple[str, RecordedDecision, bool]],
    at: datetime,
) -> bool:
    """Record (version, decision, known before) rows: new ones inserted, known ones updated.
    False (and nothing recorded) when another transaction recorded a first decision of one
    of them at the same moment: that one audits it."""
    c = policy_decisions.c
    fresh = [
        {
            "policy_id": policy_id,
            "ecosystem": ecosystem,
            "name_key": name_key,
            "version": version,
            "action": d.action,
            "digest": d.digest,
            "policy_version": d.policy_version,
            "decided_at": at,
        }
        for version, d, known in changed
        if not known
    ]
    if fresh:
        try:
            with tx.begin_nested():
                tx.execute(insert(policy_decisions), fresh)
        except IntegrityError:
            return False
    for version, d, known in changed:
        if known:
            tx.execute(
                update(policy_decisions)
                .where(
                    c.policy_id == policy_id,
                    c.ecosystem == ecosystem,
                    c.name_key == name_key,
                    c.version == version,
                )
                .values(
                    action=d.action, digest=d.digest, policy_version=d.policy_version, decided_at=at
                )
            )
    return True


def append_audit(tx: Transaction, entries: Sequence[dict[str, Any]]) -> None:
    """Append entries (policy, actor, action, target, detail (a dict), at)."""
    if entries:
        rows = [{**e, "detail": json.dumps(e["detail"], sort_keys=True)} for e in entries]
        tx.execute(insert(policy_audit), rows)


def list_audit(tx: Transaction, policy: str | None = None, limit: int = 100) -> list[AuditEntry]:
    """The newest ``limit`` entries (of one policy when named), oldest first."""
    query = select(policy_audit).order_by(policy_audit.c.id.desc()).limit(limit)
    if policy is not None:
        query = query.where(policy_audit.c.policy == policy)
    rows = list(tx.execute(query))
    return [
        AuditEntry(
            r.id, r.policy, r.actor, r.action, r.target, json.loads(r.detail), _utc(r.at) or r.at
        )
        for r in reversed(rows)
    ]
