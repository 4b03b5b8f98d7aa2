"""Normalized packages in the store: writing a ``PackageRecord`` as rows, reading it back,
and the reverse-dependency index.

The rows are derived: ``save_package`` replaces everything held for the purl, so writing the
same record twice leaves the same rows (ids aside), which is what lets a re-sync or an
``ossmeta normalize`` run be repeated or interrupted without drift. Curations live in their
own table and are applied on read by the caller (``ossmeta.store.curations``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, bindparam, delete, func, insert, select

from ossmeta.model import (
    Dependency,
    FileDigest,
    LicenseValue,
    PackageRecord,
    PackageStatus,
    PackageVersion,
)
from ossmeta.normalizers.curation import APPROVED
from ossmeta.store.bulk import bulk_copy
from ossmeta.store.chunking import chunks
from ossmeta.store.engine import Store
from ossmeta.store.schema import curations, package_dependencies, package_versions, packages
from ossmeta.times import as_utc

__all__ = [
    "DependentsPage",
    "PackageMarker",
    "PackageRows",
    "Packages",
    "count_by_ecosystem",
    "count_dependents",
    "count_dependents_of",
    "delete_package",
    "file_facts",
    "list_dependents",
    "load_package",
    "load_packages",
    "maintainer_facts",
    "mark_removed",
    "package_marker",
    "package_rows",
    "save_package",
]


def _license_columns(value: LicenseValue | None) -> dict[str, Any]:
    if value is None:
        return {
            "license_spdx": None,
            "license_raw": None,
            "license_confidence": None,
            "license_source": None,
        }
    return {
        "license_spdx": value.spdx,
        "license_raw": value.raw,
        "license_confidence": value.confidence,
        "license_source": value.source,
    }


def _license_of(row: Any) -> LicenseValue | None:
    if row.license_raw is None and row.license_spdx is None:
        return None
    return LicenseValue(
        row.license_spdx, row.license_raw or "", row.license_confidence, row.license_source
    )


def maintainer_facts(maintainers: Sequence[str]) -> dict[str, int]:
    """The numbers the quality report reads instead of the JSON list (also the backfill of
    migration 0004): how many maintainers, and how many can be written to."""
    return {
        "maintainers_count": len(maintainers),
        "maintainers_with_email": sum(1 for entry in maintainers if "@" in entry),
    }


def file_facts(hashed: Sequence[bool]) -> dict[str, int]:
    """How many files a version lists and how many of them list no hash, given whether
    each lists one."""
    return {"files_count": len(hashed), "files_without_hash": hashed.count(False)}


def delete_package(connection: Connection, purl: str) -> int | None:
    """Remove ``purl`` and its versions and dependencies: the id it had, or None."""
    found = connection.execute(select(packages.c.id).where(packages.c.purl == purl)).scalar()
    if found is None:
        return None
    # Explicit deletes rather than ON DELETE CASCADE alone: SQLite enforces cascades only
    # with its foreign-keys pragma, which a connection opened elsewhere may not set.
    versions = select(package_versions.c.id).where(package_versions.c.package_id == found)
    connection.execute(
        delete(package_dependencies).where(package_dependencies.c.package_id == found)
    )
    connection.execute(delete(package_versions).where(package_versions.c.id.in_(versions)))
    connection.execute(delete(packages).where(packages.c.id == found))
    return int(found)


@dataclass(frozen=True, slots=True)
class PackageRows:
    """A ``PackageRecord`` as the rows ``save_package`` writes, less the ids the store
    gives (plain values: they also pickle about ten times faster than the record)."""

    purl: str
    package: dict[str, Any]  # without ``normalized_at``
    versions: list[dict[str, Any]]  # without ``package_id``; ``position`` is the index
    dependencies: list[tuple[int, dict[str, Any]]]  # (version position, row less the ids)


def package_rows(record: PackageRecord) -> PackageRows:
    package = {
        "purl": record.purl,
        "ecosystem": record.ecosystem,
        "name": record.name,
        "repository": record.repository,
        "repository_raw": record.repository_raw,
        "homepage": record.homepage,
        "description": record.description,
        "status": record.status.value,
        **_license_columns(record.license),
        "maintainers": orjson.dumps(list(record.maintainers)).decode(),
        **maintainer_facts(record.maintainers),
        "source": record.source,
    }
    versions = [
        {
            "position": position,
            "version": v.version,
            "published": v.published,
            "yanked": v.yanked,
            "yanked_reason": v.yanked_reason,
            "deprecated": v.deprecated,
            **_license_columns(v.license),
            "files": orjson.dumps(
                [{"filename": f.filename, "hashes": list(f.hashes), "url": f.url} for f in v.files]
            ).decode(),
            **file_facts([bool(f.hashes) for f in v.files]),
        }
        for position, v in enumerate(record.versions)
    ]
    dependencies = [
        (
            position,
            {
                "target": d.purl,
                "requirement": d.requirement,
                "scope": d.scope,
                "markers": d.markers,
                "extra": d.extra,
                "flags": " ".join(d.flags),
            },
        )
        for position, v in enumerate(record.versions)
        for d in v.dependencies
    ]
    return PackageRows(record.purl, package, versions, dependencies)


def save_package(connection: Connection, record: PackageRecord, now: datetime) -> None:
    """Replace whatever the store holds for ``record.purl`` with ``record``."""
    rows = package_rows(record)
    replaced = delete_package(connection, rows.purl)
    fresh: dict[str, int] = {}
    if replaced is not None and connection.dialect.name == "sqlite":
        # SQLite gives a deleted newest row's id to the next insert; a re-save gets a new id
        # here, as on PostgreSQL, since readers' markers (``package_marker``) rely on it. The
        # delete above holds the write lock, so no other writer takes this id meanwhile.
        newest = connection.execute(select(func.max(packages.c.id))).scalar()
        fresh["id"] = max(newest or 0, replaced) + 1
    package_id = connection.execute(
        insert(packages).returning(packages.c.id),
        {**fresh, **rows.package, "normalized_at": now},
    ).scalar_one()
    if not rows.versions:
        return
    # A plain executemany (COPY on PostgreSQL) and one SELECT of the ids: RETURNING with an
    # order guarantee makes SQLite run one INSERT per version.
    bulk_copy(
        connection, package_versions, [{"package_id": package_id, **v} for v in rows.versions]
    )
    ids = dict(
        connection.execute(
            select(package_versions.c.position, package_versions.c.id).where(
                package_versions.c.package_id == package_id
            )
        ).all()
    )
    dependency_rows = [
        {"version_id": ids[position], "package_id": package_id, **d}
        for position, d in rows.dependencies
    ]
    if dependency_rows:
        bulk_copy(connection, package_dependencies, dependency_rows)


def mark_removed(connection: Connection, purl: str, now: datetime) -> bool:
    """Set a stored package's status to ``removed`` (the registry no longer has it);
    False when the store never held it."""
    updated = connection.execute(
        packages.update()
        .where(packages.c.purl == purl)
        .values(status=PackageStatus.REMOVED.value, normalized_at=now)
    )
    return bool(updated.rowcount)


# One package by bound parameters: built once, so SQLAlchemy neither builds nor compiles them
# again per call (the API's lookup is mostly this overhead, not the database's work).
_ONE_PACKAGE = select(packages).where(packages.c.purl == bindparam("purl"))
_ITS_VERSIONS = (
    select(package_versions)
    .where(package_versions.c.package_id == bindparam("package_id"))
    .order_by(package_versions.c.position)
)
_ITS_DEPENDENCIES = (
    select(package_dependencies)
    .where(package_dependencies.c.package_id == bindparam("package_id"))
    .order_by(package_dependencies.c.id)
)


def load_package(connection: Connection, purl: str) -> PackageRecord | None:
    """The stored (uncurated) record of ``purl``, or None."""
    row = connection.execute(_ONE_PACKAGE, {"purl": purl}).first()
    if row is None:
        return None
    bound = {"package_id": row.id}
    version_rows = connection.execute(_ITS_VERSIONS, bound).all()
    dependencies: dict[int, list[Dependency]] = defaultdict(list)
    for d in connection.execute(_ITS_DEPENDENCIES, bound):
        dependencies[d.version_id].append(_dependency(d))
    return _record(row, version_rows, dependencies)


def _dependency(d: Any) -> Dependency:
    return Dependency(
        d.target,
        d.requirement,
        d.scope,
        d.markers,
        d.extra,
        tuple(d.flags.split()) if d.flags else (),
    )


def load_packages(connection: Connection, purls: Iterable[str]) -> dict[str, PackageRecord]:
    """The stored (uncurated) records of those of ``purls`` the store holds, by purl: three
    queries per few hundred purls, however many there are."""
    out: dict[str, PackageRecord] = {}
    for part in chunks(sorted(set(purls))):
        rows = connection.execute(select(packages).where(packages.c.purl.in_(part))).all()
        if not rows:
            continue
        ids = [row.id for row in rows]
        version_rows: dict[int, list[Any]] = defaultdict(list)
        for v in connection.execute(
            select(package_versions)
            .where(package_versions.c.package_id.in_(ids))
            .order_by(package_versions.c.package_id, package_versions.c.position)
        ):
            version_rows[v.package_id].append(v)
        dependencies: dict[int, list[Dependency]] = defaultdict(list)
        for d in connection.execute(
            select(package_dependencies)
            .where(package_dependencies.c.package_id.in_(ids))
            .order_by(package_dependencies.c.id)
        ):
            dependencies[d.version_id].append(_dependency(d))
        for row in rows:
            out[row.purl] = _record(row, version_rows[row.id], dependencies)
    return out


def _record(
    row: Any, version_rows: Sequence[Any], dependencies: dict[int, list[Dependency]]
) -> PackageRecord:
    versions = tuple(
        PackageVersion(
            version=v.version,
            published=as_utc(v.published),
            yanked=bool(v.yanked),
            yanked_reason=v.yanked_reason,
            license=_license_of(v),
            dependencies=tuple(dependencies.get(v.id, ())),
            files=tuple(
                FileDigest(f["filename"], tuple(f["hashes"]), f["url"])
                for f in orjson.loads(v.files)
            ),
            deprecated=v.deprecated,
        )
        for v in version_rows
    )
    return PackageRecord(
        purl=row.purl,
        ecosystem=row.ecosystem,
        name=row.name,
        repository=row.repository,
        repository_raw=row.repository_raw,
        homepage=row.homepage,
        description=row.description,
        status=PackageStatus(row.status),
        license=_license_of(row),
        versions=versions,
        maintainers=tuple(orjson.loads(row.maintainers)),
        source=row.source,
    )


def count_dependents_of(connection: Connection, purls: Iterable[str]) -> dict[str, int]:
    """``count_dependents`` of many purls at once (0 for those nothing depends on)."""
    wanted = sorted(set(purls))
    out = dict.fromkeys(wanted, 0)
    for part in chunks(wanted):
        query = (
            select(
                package_dependencies.c.target,
                func.count(func.distinct(package_dependencies.c.package_id)),
            )
            .where(package_dependencies.c.target.in_(part))
            .group_by(package_dependencies.c.target)
        )
        out.update((target, int(count)) for target, count in connection.execute(query))
    return out


def count_by_ecosystem(connection: Connection, ecosystems: Iterable[str]) -> dict[str, int]:
    """How many packages the store holds of each of ``ecosystems``."""
    wanted = sorted(set(ecosystems))
    out = dict.fromkeys(wanted, 0)
    if wanted:
        query = (
            select(packages.c.ecosystem, func.count())
            .where(packages.c.ecosystem.in_(wanted))
            .group_by(packages.c.ecosystem)
        )
        out.update((ecosystem, int(count)) for ecosystem, count in connection.execute(query))
    return out


def count_dependents(connection: Connection, purl: str) -> int:
    """How many stored packages declare a dependency on ``purl`` in any version."""
    return int(
        connection.execute(
            select(func.count(func.distinct(package_dependencies.c.package_id))).where(
                package_dependencies.c.target == purl
            )
        ).scalar_one()
    )


@dataclass(frozen=True, slots=True)
class PackageMarker:
    """What a package's shown document depends on, read in one query: a change to the
    package's rows, its approved curations or its dependents changes the marker, so a reader
    may keep a document it rendered for as long as the marker stays the same.

    ``save_package`` replaces the rows under a new package id, on both databases (and
    ``mark_removed`` sets ``normalized_at``); approved curations are only ever added (a
    curation is approved once and never un-approved or deleted), so their count and newest
    id name the set."""

    package_id: int
    normalized_at: datetime
    approved_curations: int
    newest_curation: int | None
    dependents: int


_APPROVED = (curations.c.purl == bindparam("purl")) & (curations.c.status == APPROVED)
_MARKER = select(
    packages.c.id,
    packages.c.normalized_at,
    select(func.count()).where(_APPROVED).scalar_subquery(),
    select(func.max(curations.c.id)).where(_APPROVED).scalar_subquery(),
    select(func.count(func.distinct(package_dependencies.c.package_id)))
    .where(package_dependencies.c.target == bindparam("purl"))
    .scalar_subquery(),
).where(packages.c.purl == bindparam("purl"))


def package_marker(connection: Connection, purl: str) -> PackageMarker | None:
    """The ``PackageMarker`` of the stored package ``purl`` (canonical), or None."""
    row = connection.execute(_MARKER, {"purl": purl}).first()
    if row is None:
        return None
    return PackageMarker(row[0], row[1], int(row[2]), row[3], int(row[4]))


@dataclass(frozen=True, slots=True)
class DependentsPage:
    total: int
    purls: tuple[str, ...]  # in purl order
    offset: int
    limit: int


def list_dependents(
    connection: Connection, purl: str, *, offset: int, limit: int
) -> DependentsPage:
    """One page of the packages that depend on ``purl``, ordered by purl so pages are stable."""
    dependents = (
        select(packages.c.purl)
        .where(
            packages.c.id.in_(
                select(package_dependencies.c.package_id).where(
                    package_dependencies.c.target == purl
                )
            )
        )
        .order_by(packages.c.purl)
        .offset(offset)
        .limit(limit)
    )
    page = tuple(connection.execute(dependents).scalars())
    return DependentsPage(count_dependents(connection, purl), page, offset, limit)


class Packages:
    """Stored packages as a reader sees them; each call is one read of its own."""

    def __init__(self, store: Store) -> None:
        self._engine = store.engine

    def load(self, purl: str) -> PackageRecord | None:
        with self._engine.connect() as connection:
            return load_package(connection, purl)

    def count_dependents(self, purl: str) -> int:
        with self._engine.connect() as connection:
            return count_dependents(connection, purl)

    def dependents(self, purl: str, *, offset: int, limit: int) -> DependentsPage:
        with self._engine.connect() as connection:
            return list_dependents(connection, purl, offset=offset, limit=limit)

    def count_in_ecosystem(self, ecosystem: str) -> int:
        """How many packages of ``ecosystem`` the store holds: what a count of dependents
        is out of (none held, and "no dependents" says nothing)."""
        with self._engine.connect() as connection:
            return int(
                connection.execute(
                    select(func.count()).where(packages.c.ecosystem == ecosystem)
                ).scalar_one()
            )
