"""Policies as code: applying a policy file (a new version only when its text changes),
waivers, and the audit log. Deciding is in ``policy_decide``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from ossmeta.analyses.policy.config import Policy, load_policy, parse_policy
from ossmeta.analyses.policy.waivers import Waiver, check_range, package_of
from ossmeta.ecosystems import PURL_TYPE_TO_ECOSYSTEM, PYPI, name_key
from ossmeta.errors import InputError, NotFoundError
from ossmeta.sources.files import InputFile, load_toml
from ossmeta.store.accounts import tenant_by_name
from ossmeta.store.engine import Store
from ossmeta.store.policies import (
    AuditEntry,
    StoredPolicy,
    StoredWaiver,
    append_audit,
    find_policy,
    insert_policy,
    insert_version,
    insert_waiver,
    list_audit,
    list_policies,
    list_waivers,
    revoke_waiver,
    waiver_by_id,
)
from ossmeta.store.policy_jobs import enqueue_redecision
from ossmeta.store.tenancy import Transaction, global_transaction

__all__ = [
    "Applied",
    "add_waiver",
    "apply_policy",
    "audit_entries",
    "engine_waiver",
    "parsed_policy",
    "policies",
    "policy_exists",
    "revoke",
    "waiver_keys",
    "waivers",
]


@dataclass(frozen=True)
class Applied:
    name: str
    version: int
    changed: bool  # False: the text was the latest version's already
    dry_run: bool


def apply_policy(store: Store, path: Path, tenant: str | None, actor: str) -> Applied:
    """Check the policy file at ``path`` and store it as its policy's next version (the
    policy is created on first apply, owned by ``tenant`` when given)."""
    parsed, text, _ = load_policy(path)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    now = datetime.now(UTC)
    with global_transaction(store) as tx:
        tenant_id = None
        if tenant is not None:
            found = tenant_by_name(tx, tenant)
            if found is None:
                raise NotFoundError(f"no tenant {tenant!r}")
            tenant_id = found.id
        stored = find_policy(tx, parsed.name)
        if stored is None:
            policy_id = insert_policy(tx, parsed.name, tenant_id, actor, now)
            latest = 0
        else:
            if tenant is not None and stored.tenant_id != tenant_id:
                raise InputError(f"policy {parsed.name!r} exists and belongs to another owner")
            if stored.sha256 == digest:
                return Applied(parsed.name, stored.version, False, parsed.dry_run)
            policy_id, latest = stored.id, stored.version
        insert_version(tx, policy_id, latest + 1, text, digest, actor, now)
        # Every release recorded under the policy is decided again by the new version.
        enqueue_redecision(tx, None, policy=parsed.name, now=now)
        append_audit(
            tx,
            [
                {
                    "policy": parsed.name,
                    "actor": actor,
                    "action": "apply",
                    "target": f"{parsed.name} v{latest + 1}",
                    "detail": {"version": latest + 1, "sha256": digest, "tenant": tenant},
                    "at": now,
                }
            ],
        )
    return Applied(parsed.name, latest + 1, True, parsed.dry_run)


@lru_cache(maxsize=256)
def _parse_text(text: str, name: str) -> Policy:
    # Stored texts were checked when applied; parsing again is cheap but an index asks per
    # page, so each text is parsed once per process.
    return parse_policy(load_toml(InputFile.of(name), text), name, text)


def parsed_policy(stored: StoredPolicy) -> Policy:
    return _parse_text(stored.text, f"policy {stored.name} v{stored.version}")


def _require(tx: Transaction, name: str) -> StoredPolicy:
    stored = find_policy(tx, name)
    if stored is None or stored.version == 0:
        raise NotFoundError(f"no policy {name!r} (apply one with: ossmeta policy apply FILE)")
    return stored


def policy_exists(store: Store, name: str) -> bool:
    with global_transaction(store) as tx:
        found = find_policy(tx, name)
    return found is not None and found.version > 0


def policies(store: Store) -> list[StoredPolicy]:
    with global_transaction(store) as tx:
        return list_policies(tx)


def waiver_keys(package: str) -> tuple[str, ...]:
    """The name keys a waiver of ``package`` is stored under and found by: the ecosystem's
    key for a purl; for a bare name both the PyPI and the exact form."""
    kind, name = package_of(package)
    if kind is not None:
        return (name_key(PURL_TYPE_TO_ECOSYSTEM.get(kind, kind), name),)
    return tuple(sorted({name_key(PYPI, name), name}))


def _waived_packages(package: str) -> list[tuple[str, str]]:
    """(OSV ecosystem, name) of the packages a waiver names: a bare name may be either
    ecosystem's."""
    kind, name = package_of(package)
    if kind is not None:
        return [(PURL_TYPE_TO_ECOSYSTEM.get(kind, kind), name)]
    return [(PYPI, name), (PURL_TYPE_TO_ECOSYSTEM.get("npm", "npm"), name)]


def add_waiver(
    store: Store,
    policy: str,
    package: str,
    versions: str,
    reason: str,
    requested_by: str,
    approved_by: str,
    expires_at: datetime | None,
) -> StoredWaiver:
    """A waiver of ``policy`` for ``package`` (a purl without version or a name) in the
    version range ``versions``; the approver must be someone other than the requester."""
    package_of(package)
    spec = check_range(versions)
    if not reason.strip():
        raise InputError("a waiver needs a reason")
    if not requested_by.strip() or not approved_by.strip():
        raise InputError("a waiver needs a requester and an approver")
    if requested_by.strip().casefold() == approved_by.strip().casefold():
        raise InputError(f"the approver must not be the requester ({requested_by})")
    now = datetime.now(UTC)
    if expires_at is not None and expires_at <= now:
        raise InputError(f"expiry {expires_at.isoformat()} is in the past")
    with global_transaction(store) as tx:
        stored = _require(tx, policy)
        values = {
            "policy_id": stored.id,
            "package": package.strip(),
            "name_key": waiver_keys(package)[0],
            "versions": spec,
            "reason": reason.strip(),
            "requested_by": requested_by.strip(),
            "approved_by": approved_by.strip(),
            "created_at": now,
            "expires_at": expires_at,
        }
        waiver_id = insert_waiver(tx, values)
        # The waived package is decided again now, and again when the waiver expires.
        enqueue_redecision(tx, _waived_packages(package), policy=policy, now=now)
        if expires_at is not None:
            enqueue_redecision(
                tx, _waived_packages(package), policy=policy, run_after=expires_at, now=now
            )
        append_audit(
            tx,
            [
                {
                    "policy": policy,
                    "actor": approved_by.strip(),
                    "action": "waiver.add",
                    "target": f"waiver {waiver_id}: {package.strip()} {spec}",
                    "detail": {
                        "waiver": waiver_id,
                        "reason": reason.strip(),
                        "requested_by": requested_by.strip(),
                        "expires_at": None if expires_at is None else expires_at.isoformat(),
                    },
                    "at": now,
                }
            ],
        )
        made = waiver_by_id(tx, waiver_id)
    assert made is not None
    return made


def waivers(store: Store, policy: str, *, in_force: bool = False) -> list[StoredWaiver]:
    with global_transaction(store) as tx:
        stored = _require(tx, policy)
        return list_waivers(tx, stored.id, in_force_at=datetime.now(UTC) if in_force else None)


def revoke(store: Store, waiver_id: int, actor: str) -> StoredWaiver:
    now = datetime.now(UTC)
    with global_transaction(store) as tx:
        found = waiver_by_id(tx, waiver_id)
        if found is None:
            raise NotFoundError(f"no waiver {waiver_id}")
        if found.revoked_at is not None:
            raise InputError(f"waiver {waiver_id} was revoked already")
        revoke_waiver(tx, waiver_id, actor, now)
        owner = next(p.name for p in list_policies(tx) if p.id == found.policy_id)
        enqueue_redecision(tx, _waived_packages(found.package), policy=owner, now=now)
        append_audit(
            tx,
            [
                {
                    "policy": owner,
                    "actor": actor,
                    "action": "waiver.revoke",
                    "target": f"waiver {waiver_id}: {found.package} {found.versions}",
                    "detail": {"waiver": waiver_id},
                    "at": now,
                }
            ],
        )
        revoked = waiver_by_id(tx, waiver_id)
    assert revoked is not None
    return revoked


def engine_waiver(stored: StoredWaiver) -> Waiver:
    return Waiver(
        stored.id,
        stored.package,
        stored.versions,
        stored.reason,
        stored.requested_by,
        stored.approved_by,
        stored.created_at,
        stored.expires_at,
        stored.revoked_at,
    )


def audit_entries(store: Store, policy: str | None = None, limit: int = 100) -> list[AuditEntry]:
    with global_transaction(store) as tx:
        return list_audit(tx, policy, limit)
