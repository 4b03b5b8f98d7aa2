"""Advisory records in the store: the import (raw record kept as given, derived rows
replaced when a newer ``modified`` arrives), alias groups, and the read side the matcher
uses."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from ossmeta.ecosystems import base_ecosystem, name_key
from ossmeta.errors import InputError, OssmetaError
from ossmeta.model import Advisory, RawRecord, Severity
from ossmeta.normalizers.advisories import advisory_from_osv
from ossmeta.ranges import uncovered_versions
from ossmeta.store.chunking import chunks
from ossmeta.store.engine import Store
from ossmeta.store.schema import advisories, advisory_aliases, affected, alias_groups, raw_records
from ossmeta.store.writers import take_writer_lock

BATCH = 500


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
    #: Records with the same id and ``modified`` but different content, and which one won.
    ties: list[str] = field(default_factory=list)
    #: (ecosystem, name) of every package an added, updated or withdrawn record names, or
    #: named before it was replaced, and of the records whose alias group the import
    #: linked or split: whose components a re-evaluation must look at.
    packages: set[tuple[str, str]] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class _Version:
    """What decides which of two records with one id is current: the newer ``modified``;
    on equal ``modified`` with different content, the larger content hash (an arbitrary
    but order-free rule, so every import order and every store agree)."""

    modified: datetime
    content_hash: str
    locator: str

    def beats(self, other: _Version) -> bool:
        return (self.modified, self.content_hash) > (other.modified, other.content_hash)

    def tie_note(self, advisory_id: str, other: _Version) -> str | None:
        if self.modified != other.modified or self.content_hash == other.content_hash:
            return None
        won, lost = (self, other) if self.beats(other) else (other, self)
        return (
            f"{advisory_id}: two records share modified {self.modified.isoformat()} but "
            f"differ; kept {won.locator} (sha256 {won.content_hash[:12]}), "
            f"not {lost.locator} (sha256 {lost.content_hash[:12]})"
        )


class RejectedImport(InputError):
    """Some inputs were bad; the import was rolled back. ``problems`` lists each one."""

    def __init__(self, problems: list[OssmetaError]) -> None:
        count = len(problems)
        super().__init__(
            f"{count} bad input{'s' if count != 1 else ''} (each listed above); "
            "nothing was imported"
        )
        self.problems = problems


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
        self._problems: list[OssmetaError] | None = None

    def run(
        self,
        records: Iterable[RawRecord],
        progress: Callable[[int], None] | None = None,
        *,
        problems: list[OssmetaError] | None = None,
        waiting: Callable[[str], None] | None = None,
    ) -> ImportStats:
        """Import ``records``. With ``problems`` given, a record the normalizer rejects is
        added to it and the import goes on, so that every bad input is found in one run;
        the source may add its own (unreadable files) to the same list. If any are listed
        at the end, nothing is stored and ``RejectedImport`` is raised."""
        stats = ImportStats()
        self._problems = problems
        with self.store.engine.begin() as connection:
            take_writer_lock(connection, "advisories", waiting=waiting)
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
            if problems:
                raise RejectedImport(problems)  # rolls the transaction back
            if stats.added or stats.updated:
                stats.groups, regrouped = rebuild_alias_groups(connection)
                # A record that links or splits alias groups changes the findings of the
                # packages of every record in the old and the new groups, not only its own.
                stats.packages.update(_packages_of(connection, regrouped))
            else:
                stats.groups = connection.execute(
                    select(func.count(func.distinct(alias_groups.c.group_key)))
                ).scalar_one()
            # In the import's transaction: the job exists exactly when the import does.
            from ossmeta.store.inventories_reeval import enqueue_reevaluation
            from ossmeta.store.policy_jobs import enqueue_redecision

            enqueue_reevaluation(connection, stats.packages)
            enqueue_redecision(connection, stats.packages)
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
            try:
                advisory = advisory_from_osv(record.payload, record.provenance.locator)
            except OssmetaError as error:
                if self._problems is None:
                    raise
                self._problems.append(error)
                continue
            previous = newest.get(advisory.id)
            if previous is None:
                newest[advisory.id] = (record, advisory)
                continue
            stats.older += 1
            mine, theirs = _version_of(record, advisory), _version_of(*previous)
            note = mine.tie_note(advisory.id, theirs)
            if note:
                stats.ties.append(note)
            if mine.beats(theirs):
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
        current: dict[str, _Version] = {}
        for part in chunks(list(newest)):
            for advisory_id, modified, content_hash, locator in connection.execute(
                select(
                    advisories.c.id,
                    advisories.c.modified,
                    raw_records.c.content_hash,
                    raw_records.c.locator,
                )
                .join(raw_records, raw_records.c.id == advisories.c.raw_record_id)
                .where(advisories.c.id.in_(part))
            ):
                current[advisory_id] = _Version(
                    modified if modified.tzinfo else modified.replace(tzinfo=UTC),
                    content_hash,
                    locator,
                )
        heads: list[dict[str, Any]] = []
        alias_rows: list[dict[str, Any]] = []
        affected_rows: list[dict[str, Any]] = []
        replaced: list[str] = []
        for (record, advisory), raw_id in zip(newest.values(), raw_ids, strict=False):
            stored = current.get(advisory.id)
            if stored is not None:
                mine = _version_of(record, advisory)
                note = mine.tie_note(advisory.id, stored)
                if note:
                    stats.ties.append(note)
                if not mine.beats(stored):
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
        stats.packages.update((row["ecosystem"], row["name"]) for row in affected_rows)
        for part in chunks(replaced):
            stats.packages.update(
                (ecosystem, name)
                for ecosystem, name in connection.execute(
                    select(affected.c.ecosystem, affected.c.name).where(
                        affected.c.advisory_id.in_(part)
                    )
                )
            )
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


def _version_of(record: RawRecord, advisory: Advisory) -> _Version:
    return _Version(advisory.modified, record.provenance.content_hash, record.provenance.locator)


def _packages_of(connection: Connection, advisory_ids: Iterable[str]) -> set[tuple[str, str]]:
    """(ecosystem, name) of the packages the records of ``advisory_ids`` affect."""
    found: set[tuple[str, str]] = set()
    for part in chunks(sorted(advisory_ids)):
        query = select(affected.c.ecosystem, affected.c.name).where(
            affected.c.advisory_id.in_(part)
        )
        found.update((e, n) for e, n in connection.execute(query))
    return found


def _members(groups: dict[str, str]) -> dict[str, frozenset[str]]:
    """Member -> every member of its group."""
    by_key: dict[str, set[str]] = {}
    for member, key in groups.items():
        by_key.setdefault(key, set()).add(member)
    frozen = {key: frozenset(found) for key, found in by_key.items()}
    return {member: frozen[key] for member, key in groups.items()}


def rebuild_alias_groups(connection: Connection) -> tuple[int, set[str]]:
    """Recompute alias groups (connected components of the symmetric alias graph over
    records that are not withdrawn). Deterministic: a group's key is its smallest id.
    Returns the number of groups, and the ids that were grouped before and whose group
    is now another set of ids (every member of a group that was linked or split)."""
    before = _members(
        dict(connection.execute(select(alias_groups.c.member, alias_groups.c.group_key)).all())
    )
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
    after = _members({row["member"]: row["group_key"] for row in rows})
    regrouped = {m for m, group in before.items() if after.get(m, frozenset()) != group}
    return len({row["group_key"] for row in rows}), regrouped
