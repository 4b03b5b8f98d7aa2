"""A tenant's private advisories: OSV records the tenant imports under ids it chooses,
kept as given, with the affected rows matching needs (the same rows the public tables
hold, made by the same normalizer). Every function takes the tenant's open transaction
and filters on the tenant as well (row-level security is the second line on PostgreSQL).

A private id may equal a public one: the record is the tenant's own, and inside the tenant
it stands in for the public record of that id.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select

from ossmeta.errors import OssmetaError
from ossmeta.model import RawRecord
from ossmeta.normalizers.advisories import advisory_from_osv
from ossmeta.store.advisories import RejectedImport, _derived_rows
from ossmeta.store.chunking import chunks
from ossmeta.store.schema import advisories, private_advisories, private_affected
from ossmeta.store.tenancy import Transaction
from ossmeta.store.tenant_rows import keyed_page
from ossmeta.times import as_utc

__all__ = [
    "PrivateAdvisory",
    "PrivateImportStats",
    "delete_private_advisory",
    "find_private_advisory",
    "import_private_advisories",
    "list_private_advisories",
]


@dataclass
class PrivateImportStats:
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    older: int = 0  # the stored record is as new or newer: kept
    withdrawn: int = 0
    #: Ids that are also public advisories' ids (allowed: the tenant's own record).
    shadowing: list[str] = field(default_factory=list)
    #: Ids whose record was added or changed.
    changed: list[str] = field(default_factory=list)
    #: (ecosystem, name) of every package a changed record names, or named before it was
    #: replaced (and, added by the service, of the records of the alias groups its aliases
    #: joined or left): whose components a re-evaluation of the tenant must look at.
    packages: set[tuple[str, str]] = field(default_factory=set)
    #: The re-evaluation job the import queued, if any.
    reevaluation: int | None = None


@dataclass(frozen=True)
class PrivateAdvisory:
    id: str
    modified: datetime
    withdrawn: datetime | None
    summary: str
    aliases: tuple[str, ...]
    content_hash: str
    locator: str
    imported_at: datetime
    imported_by: str
    record: dict[str, Any] = field(hash=False, compare=False)


def _when(value: datetime) -> datetime:
    converted = as_utc(value)
    assert converted is not None
    return converted


def import_private_advisories(
    tx: Transaction,
    tenant_id: int,
    records: Iterable[RawRecord],
    *,
    imported_by: str,
    problems: list[OssmetaError],
) -> PrivateImportStats:
    """Store ``records`` as the tenant's: a record is added, replaces the stored one of its
    id when its ``modified`` is newer (on a tie, the larger content hash wins, as for public
    records), or is left out. Every bad record goes to ``problems``; if any are listed at
    the end, ``RejectedImport`` is raised and the caller's transaction rolls back."""
    stats = PrivateImportStats()
    newest: dict[str, tuple[RawRecord, Any]] = {}
    for record in records:
        stats.read += 1
        try:
            advisory = advisory_from_osv(record.payload, record.provenance.locator)
        except OssmetaError as error:
            problems.append(error)
            continue
        seen = newest.get(advisory.id)
        if seen is not None:
            stats.older += 1
            key = (advisory.modified, record.provenance.content_hash)
            if key <= (seen[1].modified, seen[0].provenance.content_hash):
                continue
        newest[advisory.id] = (record, advisory)
    if problems:
        raise RejectedImport(problems)
    ids = sorted(newest)
    stored: dict[str, tuple[datetime, str]] = {}
    public: set[str] = set()
    for part in chunks(ids):
        for advisory_id, modified, content_hash in tx.execute(
            select(
                private_advisories.c.id,
                private_advisories.c.modified,
                private_advisories.c.content_hash,
            ).where(private_advisories.c.tenant_id == tenant_id, private_advisories.c.id.in_(part))
        ):
            stored[advisory_id] = (_when(modified), content_hash)
        public.update(
            tx.execute(select(advisories.c.id).where(advisories.c.id.in_(part))).scalars()
        )
    stats.shadowing = sorted(public)
    now = datetime.now(UTC)
    heads: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    replaced: list[str] = []
    for advisory_id in ids:
        record, advisory = newest[advisory_id]
        digest = record.provenance.content_hash
        before = stored.get(advisory_id)
        if before is not None:
            if before[1] == digest:
                stats.unchanged += 1
                continue
            if (advisory.modified, digest) <= before:
                stats.older += 1
                continue
            replaced.append(advisory_id)
            stats.updated += 1
        else:
            stats.added += 1
        if advisory.withdrawn is not None:
            stats.withdrawn += 1
        stats.changed.append(advisory_id)
        head, _, affected_rows = _derived_rows(advisory, 0)
        del head["raw_record_id"]
        heads.append(
            {
                **head,
                "tenant_id": tenant_id,
                "aliases": json.dumps(list(advisory.aliases)),
                "content_hash": digest,
                "locator": record.provenance.locator,
                "imported_at": now,
                "imported_by": imported_by,
                "payload": record.canonical_json,
            }
        )
        rows.extend({**row, "tenant_id": tenant_id} for row in affected_rows)
    stats.packages.update((row["ecosystem"], row["name"]) for row in rows)
    for part in chunks(replaced):
        stats.packages.update(_packages_of(tx, tenant_id, part))
        _delete(tx, tenant_id, part)
    if heads:
        tx.execute(insert(private_advisories), heads)
    if rows:
        tx.execute(insert(private_affected), rows)
    return stats


def _packages_of(tx: Transaction, tenant_id: int, ids: list[str]) -> set[tuple[str, str]]:
    return {
        (ecosystem, name)
        for ecosystem, name in tx.execute(
            select(private_affected.c.ecosystem, private_affected.c.name).where(
                private_affected.c.tenant_id == tenant_id,
                private_affected.c.advisory_id.in_(ids),
            )
        )
    }


def _delete(tx: Transaction, tenant_id: int, ids: list[str]) -> int:
    tx.execute(
        delete(private_affected).where(
            private_affected.c.tenant_id == tenant_id, private_affected.c.advisory_id.in_(ids)
        )
    )
    result = tx.execute(
        delete(private_advisories).where(
            private_advisories.c.tenant_id == tenant_id, private_advisories.c.id.in_(ids)
        )
    )
    return int(result.rowcount or 0)


def delete_private_advisory(
    tx: Transaction, tenant_id: int, advisory_id: str
) -> set[tuple[str, str]] | None:
    """Remove the tenant's record ``advisory_id``: the (ecosystem, name) of the packages it
    named, or None when the tenant has no such record."""
    named = _packages_of(tx, tenant_id, [advisory_id])
    return named if _delete(tx, tenant_id, [advisory_id]) > 0 else None


def _shown(row: Any) -> PrivateAdvisory:
    return PrivateAdvisory(
        id=row.id,
        modified=_when(row.modified),
        withdrawn=as_utc(row.withdrawn),
        summary=row.summary,
        aliases=tuple(json.loads(row.aliases)),
        content_hash=row.content_hash,
        locator=row.locator,
        imported_at=_when(row.imported_at),
        imported_by=row.imported_by,
        record=json.loads(row.payload),
    )


def find_private_advisory(
    tx: Transaction, tenant_id: int, advisory_id: str
) -> PrivateAdvisory | None:
    row = tx.execute(
        select(private_advisories).where(
            private_advisories.c.tenant_id == tenant_id, private_advisories.c.id == advisory_id
        )
    ).first()
    return None if row is None else _shown(row)


def list_private_advisories(
    tx: Transaction, tenant_id: int, *, after: str, limit: int
) -> list[PrivateAdvisory]:
    """The tenant's records by id, after ``after``."""
    rows = keyed_page(
        tx, private_advisories, private_advisories.c.id, tenant_id, after=after, limit=limit
    )
    return [_shown(row) for row in rows]
