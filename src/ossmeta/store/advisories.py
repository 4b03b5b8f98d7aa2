"""Advisory records in the store: the import (raw record kept as given, derived rows
replaced when a newer ``modified`` arrives), alias groups, and the read side the matcher
uses."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from ossmeta.ecosystems import base_ecosystem, name_key
from ossmeta.model import Advisory, RawRecord, Severity
from ossmeta.normalizers.advisories import advisory_from_osv
from ossmeta.ranges import uncovered_versions
from ossmeta.store.engine import Store
from ossmeta.store.schema import advisories, advisory_aliases, affected, alias_groups, raw_records

BATCH = 500
CHUNK = 500  # ids per IN (...) list


def chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class ImportStats:
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    older: int = 0  # a stored version is as new or newer; raw kept, nothing derived
    withdrawn: int = 0
    groups: int = 0
    by_ecosystem: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _severity_columns(severity: Severity | None) -> dict[str, Any]:
    if severity is None:
        return {
            "severity_level": None,
            "severity_score": None,
            "severity_vector": None,
            "severity_type": None,
        }
    return {
        "severity_level": int(severity.level),
        "severity_score": severity.score,
        "severity_vector": severity.vector,
        "severity_type": severity.type,
    }


def _derived_rows(
    advisory: Advisory, raw_id: int
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    head = {
        "id": advisory.id,
        "raw_record_id": raw_id,
        "modified": advisory.modified,
        "published": advisory.published,
        "withdrawn": advisory.withdrawn,
        "summary": advisory.summary or advisory.details.split("\n", 1)[0][:300],
        **_severity_columns(advisory.severity),
    }
    head["severity_level"] = int(advisory.severity.level)
    aliases = [{"advisory_id": advisory.id, "alias": alias} for alias in advisory.aliases]
    rows = []
    for entry in advisory.affected:
        base = base_ecosystem(entry.ecosystem)
        rows.append(
            {
                "advisory_id": advisory.id,
                "ecosystem": base,
                "ecosystem_full": entry.ecosystem,
                "name": entry.name,
                "name_key": name_key(base, entry.name),
                "purl": entry.purl,
                "ranges": json.dumps(
                    [
                        {
                            "type": r.type,
                            "repo": r.repo,
                            "events": [[e.kind, e.version] for e in r.events],
                        }
                        for r in entry.ranges
                    ],
                    separators=(",", ":"),
                ),
                # Only what the ranges do not already say (the PyPA database lists hundreds
                # of versions per record, nearly all inside its ranges); one per line.
                "uncovered_versions": "\n".join(
                    v
                    for v in uncovered_versions(entry.versions, entry.ranges, entry.ecosystem)
                    if "\n" not in v
                ),
                **_severity_columns(entry.severity),
            }
        )
    return head, aliases, rows


class AdvisoryImporter:
    """Imports OSV raw records in one transaction: all of an import lands, or none of it."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def run(
        self, records: Iterable[RawRecord], progress: Callable[[int], None] | None = None
    ) -> ImportStats:
        stats = ImportStats()
        with self.store.engine.begin() as connection:
            batch: list[RawRecord] = []
            for record in records:
                batch.append(record)
                if len(batch) >= BATCH:
                    self._batch(connection, batch, stats)
                    if progress:
                        progress(len(batch))
                    batch = []
            if batch:
                self._batch(connection, batch, stats)
                if progress:
                    progress(len(batch))
            if stats.added or stats.updated:
                stats.groups = rebuild_alias_groups(connection)
            else:
                stats.groups = connection.execute(
                    select(func.count(func.distinct(alias_groups.c.group_key)))
                ).scalar_one()
        return stats

    def _batch(self, connection: Connection, batch: list[RawRecord], stats: ImportStats) -> None:
        stats.read += len(batch)
        hashes = [r.provenance.content_hash for r in batch]
        known: set[str] = set()
        for part in chunks(hashes):
            known.update(
                connection.execute(
                    select(raw_records.c.content_hash).where(
                        raw_records.c.source == batch[0].provenance.source,
                        raw_records.c.content_hash.in_(part),
                    )
                ).scalars()
            )
        newest: dict[str, tuple[RawRecord, Advisory]] = {}  # per id, within this batch
        raw_only: list[RawRecord] = []  # superseded within this batch: kept, not derived
        for record in batch:
            digest = record.provenance.content_hash
            if digest in known:
                stats.unchanged += 1
                continue
            known.add(digest)
            advisory = advisory_from_osv(record.payload, record.provenance.locator)
            previous = newest.get(advisory.id)
            if previous is None:
                newest[advisory.id] = (record, advisory)
                continue
            stats.older += 1
            if advisory.modified > previous[1].modified:
                raw_only.append(previous[0])
                newest[advisory.id] = (record, advisory)
            else:
                raw_only.append(record)
        if not newest and not raw_only:
            return
        imported_at = datetime.now(UTC)
        to_store = [r for r, _ in newest.values()] + raw_only
        raw_ids = (
            connection.execute(
                insert(raw_records).returning(raw_records.c.id, sort_by_parameter_order=True),
                [
                    {
                        "source": r.provenance.source,
                        "kind": r.kind,
                        "external_id": r.external_id,
                        "modified": r.modified,
                        "locator": r.provenance.locator,
                        "content_hash": r.provenance.content_hash,
                        "data_license": r.provenance.data_license,
                        "imported_at": imported_at,
                        "payload": r.canonical_json,
                    }
                    for r in to_store
                ],
            )
            .scalars()
            .all()
        )
        current: dict[str, datetime] = {}
        for part in chunks(list(newest)):
            for advisory_id, modified in connection.execute(
                select(advisories.c.id, advisories.c.modified).where(advisories.c.id.in_(part))
            ):
                current[advisory_id] = modified if modified.tzinfo else modified.replace(tzinfo=UTC)
        heads: list[dict[str, Any]] = []
        alias_rows: list[dict[str, Any]] = []
        affected_rows: list[dict[str, Any]] = []
        replaced: list[str] = []
        for (_, advisory), raw_id in zip(newest.values(), raw_ids, strict=False):
            stored = current.get(advisory.id)
            if stored is not None and stored >= advisory.modified:
                stats.older += 1
                continue
            if stored is not None:
                replaced.append(advisory.id)
                stats.updated += 1
            else:
                stats.added += 1
            if advisory.withdrawn is not None:
                stats.withdrawn += 1
            head, aliases, rows = _derived_rows(advisory, raw_id)
            heads.append(head)
            alias_rows.extend(aliases)
            affected_rows.extend(rows)
            for row in rows:
                stats.by_ecosystem[row["ecosystem"]] += 1
        for part in chunks(replaced):
            connection.execute(delete(affected).where(affected.c.advisory_id.in_(part)))
            connection.execute(
                delete(advisory_aliases).where(advisory_aliases.c.advisory_id.in_(part))
            )
            connection.execute(delete(advisories).where(advisories.c.id.in_(part)))
        if heads:
            connection.execute(insert(advisories), heads)
        if alias_rows:
            connection.execute(insert(advisory_aliases), alias_rows)
        if affected_rows:
            connection.execute(insert(affected), affected_rows)


def rebuild_alias_groups(connection: Connection) -> int:
    """Recompute alias groups (connected components of the symmetric alias graph over
    records that are not withdrawn). Deterministic: a group's key is its smallest id."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        root = x
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            parent[rb] = ra

    withdrawn = set(
        connection.execute(
            select(advisories.c.id).where(advisories.c.withdrawn.is_not(None))
        ).scalars()
    )
    for (advisory_id,) in connection.execute(
        select(advisories.c.id).where(advisories.c.withdrawn.is_(None))
    ):
        find(advisory_id)
    for advisory_id, alias in connection.execute(
        select(advisory_aliases.c.advisory_id, advisory_aliases.c.alias)
        .join(advisories, advisories.c.id == advisory_aliases.c.advisory_id)
        .where(advisories.c.withdrawn.is_(None))
    ):
        if alias not in withdrawn:
            union(advisory_id, alias)
    connection.execute(delete(alias_groups))
    rows = [{"member": member, "group_key": find(member)} for member in parent]
    for part in chunks(rows, 5000):
        connection.execute(insert(alias_groups), part)
    return len({row["group_key"] for row in rows})
