"""The read side of the advisory store: what the matcher and ``advisories show`` need."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Column, MetaData, String, Table, and_, delete, func, select, text

from ossmeta.model import UNKNOWN_SEVERITY, Affected, Event, Range, Severity, SeverityLevel
from ossmeta.store.chunking import chunks
from ossmeta.store.engine import Store
from ossmeta.store.hardened import HardenedStatement, hardened_statements
from ossmeta.store.schema import advisories, affected, alias_groups, raw_records
from ossmeta.times import as_utc

#: How many affected rows stay built between scans (see ``_stored_affected``).
AFFECTED_CACHE_SIZE = 8192


@dataclass(frozen=True, slots=True)
class StoredAffected:
    """An affected entry as the matcher needs it. ``entry.versions`` holds only the listed
    versions that its ranges do not contain: matching against them and the ranges gives
    the same answers as the record's full list, which stays in the raw record."""

    advisory_id: str
    entry: Affected


@dataclass(frozen=True, slots=True)
class StoredAdvisory:
    id: str
    summary: str
    severity: Severity
    modified: datetime
    withdrawn: datetime | None


@dataclass(frozen=True, slots=True)
class ShownAdvisory:
    record: dict[str, Any]
    locator: str
    source: str
    content_hash: str
    data_license: str | None
    imported_at: datetime
    group: tuple[str, ...]
    withdrawn: bool


def _severity(
    level: int | None, score: float | None, vector: str | None, kind: str | None, origin: str
) -> Severity | None:
    if level is None:
        return None
    return Severity(SeverityLevel(level), score, vector, kind, origin)


def stored_affected(row: Any) -> StoredAffected:
    """An affected row (public or a tenant's private one: the same columns) as matching
    takes it."""
    return _stored_affected(
        row.advisory_id,
        row.ecosystem_full,
        row.name,
        row.purl,
        row.ranges,
        row.uncovered_versions,
        row.severity_level,
        row.severity_score,
        row.severity_vector,
        row.severity_type,
    )


# Keyed by the row's content, not its id, so a re-imported record can never be served
# stale. Building the frozen objects costs more than the query that fetched the row; a
# long-running service sees the same popular packages' rows scan after scan.
@lru_cache(maxsize=AFFECTED_CACHE_SIZE)
def _stored_affected(
    advisory_id: str,
    ecosystem_full: str,
    name: str,
    purl: str | None,
    ranges: str,
    uncovered_versions: str | None,
    severity_level: int | None,
    severity_score: float | None,
    severity_vector: str | None,
    severity_type: str | None,
) -> StoredAffected:
    entry = Affected(
        ecosystem=ecosystem_full,
        name=name,
        purl=purl,
        ranges=_ranges(ranges),
        versions=tuple(uncovered_versions.split("\n")) if uncovered_versions else (),
        severity=_severity(
            severity_level, severity_score, severity_vector, severity_type, advisory_id
        ),
    )
    return StoredAffected(advisory_id, entry)


def _ranges(text: str) -> tuple[Range, ...]:
    return tuple(
        Range(r["type"], tuple(Event(k, v) for k, v in r["events"]), r.get("repo"))
        for r in json.loads(text)
    )


#: Per-connection scratch table of the packages a scan asks about (see ``affected_for``).
_wanted = Table(
    "ossmeta_wanted",
    MetaData(),
    Column("ecosystem", String(64), nullable=False),
    Column("name_key", String(512), nullable=False),
)


#: What ``advisories`` reads: each date column is parsed per row on SQLite.
_SHOWN_COLUMNS = (
    "id",
    "summary",
    "modified",
    "withdrawn",
    "severity_level",
    "severity_score",
    "severity_vector",
    "severity_type",
)


class AdvisoryLookup:
    def __init__(self, store: Store) -> None:
        self.store = store

    def count(self) -> int:
        with self.store.engine.connect() as connection:
            return int(
                connection.execute(select(func.count()).select_from(advisories)).scalar_one()
            )

    def affected_for(
        self, keys: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], list[StoredAffected]]:
        """Affected entries of records that are not withdrawn, by (ecosystem, name key).

        The wanted packages go into a temporary table and one join answers them all: an
        SBOM names ten thousand packages, and IN lists cost a query (and a statement
        compilation) per few hundred names."""
        wanted = sorted(set(keys))
        found: dict[tuple[str, str], list[StoredAffected]] = defaultdict(list)
        if not wanted:
            return found
        query = (
            select(
                affected.c.advisory_id,
                affected.c.ecosystem,
                affected.c.ecosystem_full,
                affected.c.name,
                affected.c.name_key,
                affected.c.purl,
                affected.c.ranges,
                affected.c.uncovered_versions,
                affected.c.severity_level,
                affected.c.severity_score,
                affected.c.severity_vector,
                affected.c.severity_type,
            )
            .join(advisories, advisories.c.id == affected.c.advisory_id)
            .join(
                _wanted,
                and_(
                    _wanted.c.ecosystem == affected.c.ecosystem,
                    _wanted.c.name_key == affected.c.name_key,
                ),
            )
            .where(advisories.c.withdrawn.is_(None))
            .order_by(affected.c.advisory_id, affected.c.id)
        )
        with self.store.engine.begin() as connection:
            connection.execute(
                text(
                    "CREATE TEMPORARY TABLE IF NOT EXISTS ossmeta_wanted "
                    "(ecosystem VARCHAR(64) NOT NULL, name_key VARCHAR(512) NOT NULL)"
                )
            )
            connection.execute(delete(_wanted))
            # Straight to the driver: SQLAlchemy's per-row parameter handling costs more than
            # the insert itself for ten thousand rows.
            mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
            connection.exec_driver_sql(
                f"INSERT INTO ossmeta_wanted (ecosystem, name_key) VALUES ({mark}, {mark})",
                wanted,
            )
            rows = connection.execute(query).all()
            connection.execute(delete(_wanted))
        # Unpacked by position, in the order selected above: attribute lookups on a row
        # cost more than the cached build.
        for advisory_id, ecosystem, ecosystem_full, name, key, *rest in rows:
            found[(ecosystem, key)].append(
                _stored_affected(advisory_id, ecosystem_full, name, *rest)
            )
        return found

    def hardened_for(
        self, keys: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], list[HardenedStatement]]:
        """The hardened releases of these packages: what the scan marks not affected."""
        return hardened_statements(self.store, keys)

    def groups_for(self, ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """Each id -> every member of its alias group (itself included), sorted."""
        wanted = sorted(set(ids))
        members: dict[str, list[str]] = defaultdict(list)
        group_of: dict[str, str] = {}
        asked, other = alias_groups.alias("asked"), alias_groups.alias("other")
        with self.store.engine.connect() as connection:
            # one statement per chunk: each asked id with every member of its group
            for part in chunks(wanted):
                rows = connection.execute(
                    select(asked.c.member, other.c.member, other.c.group_key)
                    .join(other, other.c.group_key == asked.c.group_key)
                    .where(asked.c.member.in_(part))
                )
                for asked_id, member, key in rows:
                    group_of[asked_id] = key
                    members[key].append(member)
        groups = {key: tuple(sorted(set(found))) for key, found in members.items()}
        return {i: groups[group_of[i]] if i in group_of else (i,) for i in wanted}

    def advisories(self, ids: Iterable[str]) -> dict[str, StoredAdvisory]:
        out: dict[str, StoredAdvisory] = {}
        with self.store.engine.connect() as connection:
            for part in chunks(sorted(set(ids))):
                for row in connection.execute(
                    select(*(advisories.c[name] for name in _SHOWN_COLUMNS)).where(
                        advisories.c.id.in_(part)
                    )
                ):
                    severity = _severity(
                        row.severity_level,
                        row.severity_score,
                        row.severity_vector,
                        row.severity_type,
                        row.id,
                    )
                    out[row.id] = StoredAdvisory(
                        row.id,
                        row.summary,
                        severity or UNKNOWN_SEVERITY,
                        row.modified,
                        row.withdrawn,
                    )
        return out

    def published(self, ids: Iterable[str]) -> dict[str, datetime | None]:
        """When each stored record among ``ids`` was published (None when it does not say);
        ids the store does not hold are left out."""
        out: dict[str, datetime | None] = {}
        with self.store.engine.connect() as connection:
            for part in chunks(sorted(set(ids))):
                for advisory_id, published in connection.execute(
                    select(advisories.c.id, advisories.c.published).where(advisories.c.id.in_(part))
                ):
                    out[advisory_id] = as_utc(published)
        return out

    def show(self, advisory_id: str) -> ShownAdvisory | None:
        """The current record with this id (or the record that lists it as an alias)."""
        with self.store.engine.connect() as connection:
            row = connection.execute(
                select(advisories.c.id, advisories.c.withdrawn, raw_records)
                .join(raw_records, raw_records.c.id == advisories.c.raw_record_id)
                .where(advisories.c.id == advisory_id)
            ).first()
            if row is None:
                key = connection.execute(
                    select(alias_groups.c.group_key).where(alias_groups.c.member == advisory_id)
                ).scalar()
                if key is None:
                    return None
                row = connection.execute(
                    select(advisories.c.id, advisories.c.withdrawn, raw_records)
                    .join(raw_records, raw_records.c.id == advisories.c.raw_record_id)
                    .join(alias_groups, alias_groups.c.member == advisories.c.id)
                    .where(alias_groups.c.group_key == key)
                    .order_by(advisories.c.id)
                ).first()
                if row is None:
                    return None
        group = self.groups_for([row.id])[row.id]
        return ShownAdvisory(
            record=json.loads(row.payload),
            locator=row.locator,
            source=row.source,
            content_hash=row.content_hash,
            data_license=row.data_license,
            imported_at=row.imported_at,
            group=group,
            withdrawn=row.withdrawn is not None,
        )
