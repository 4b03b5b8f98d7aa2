"""The SQL behind the data-quality report (``ossmeta.analyses.quality``, which defines every
figure and shapes these rows into it): each query is an aggregate (GROUP BY, window
functions), so the report costs a few scans of the tables whatever their size.

``QualityQueries.read`` runs them all over one connection and returns the grouped rows by
ecosystem as stored (``sync_status`` rows by registry name). No query reads JSON text: the
facts the report needs about maintainers and files are columns written beside the JSON
(``maintainers_count``, ``maintainers_with_email``, ``files_count``,
``files_without_hash``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    distinct,
    func,
    literal,
    not_,
    or_,
    select,
    union_all,
)

from ossmeta.store.engine import Store
from ossmeta.store.schema import (
    curations,
    package_dependencies,
    package_versions,
    packages,
    sync_status,
)
from ossmeta.times import as_utc

__all__ = [
    "CURATED_PACKAGE_FIELDS",
    "DESCRIPTION_PLACEHOLDERS",
    "EARLIEST_PUBLISHED",
    "HIGH_LICENSE_CONFIDENCE",
    "UNMAPPED_LICENSE_CONFIDENCE",
    "QualityQueries",
    "QualityRows",
]

HIGH_LICENSE_CONFIDENCE = ("exact", "mapped", "curated")
UNMAPPED_LICENSE_CONFIDENCE = ("ambiguous", "unknown")
DESCRIPTION_PLACEHOLDERS = ("unknown", "none", "n/a", "na", "todo", "tbd", "-", ".")
EARLIEST_PUBLISHED = datetime(1990, 1, 1, tzinfo=UTC)  # before any registry: a placeholder
#: Curated field -> the packages column holding the normalized source value.
CURATED_PACKAGE_FIELDS = {
    "license": packages.c.license_spdx,
    "repository": packages.c.repository,
    "homepage": packages.c.homepage,
    "description": packages.c.description,
    "status": packages.c.status,
}

Counts = tuple[int, ...]


@dataclass(frozen=True, slots=True)
class QualityRows:
    """What the report is made from; every list is in the order the report shows it."""

    #: (ecosystem, (total, present, high, present, high, ...)) per field pair, package level:
    #: license, repository, homepage, description, maintainers.
    package_fields: list[tuple[str, Counts]]
    #: The same, version level: license, published, files, dependencies.
    version_fields: list[tuple[str, Counts]]
    #: (ecosystem, level, field, (approved, differs, fills, agrees, unchecked)).
    curation_checks: list[tuple[str, str, str, Counts]]
    #: (ecosystem, purl, field, versions, curated value, source value), at most ``top``.
    curation_differences: list[tuple[str, str, str, str | None, str, str]]
    repository_conflicts_total: int
    #: The ``top`` largest conflicting repositories with their (ecosystem, purl, licence).
    repository_conflicts: list[tuple[str, list[tuple[str, str, str]]]]
    #: (ecosystem, packages whose versions carry several licences).
    several_licenses: list[tuple[str, int]]
    #: (ecosystem, versions whose licence is not their package's).
    differing_versions: list[tuple[str, int]]
    #: The ``top`` packages with most licences: (ecosystem, purl, package licence,
    #: [(licence, versions)]).
    license_drift: list[tuple[str, str, str | None, list[tuple[str, int]]]]
    #: registry -> (tracked, stale, never succeeded, oldest success, the one or two
    #: middle success times).
    staleness: dict[str, tuple[int, int, int, datetime | None, list[datetime]]]
    #: (ecosystem, raw text, in packages, in versions, distinct raw texts of the ecosystem),
    #: the ``top`` commonest per ecosystem, commonest first.
    unmapped: list[tuple[str, str, int, int, int]]
    #: (registry, error kind, count), most first per registry.
    failure_kinds: list[tuple[str, str, int]]
    #: (registry, name, kind, message, attempted at), newest first, ``failure_limit`` each.
    failures: list[tuple[str, str, str, str, datetime]]


def _stored_time(connection: Connection, value: datetime) -> datetime:
    """``value`` as the database compares it: SQLite keeps naive UTC text, PostgreSQL
    compares aware times (a naive one would be read in the session's time zone)."""
    utc = value.astimezone(UTC)
    return utc.replace(tzinfo=None) if connection.dialect.name == "sqlite" else utc


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _filled(column: Any) -> ColumnElement[bool]:
    return and_(column.is_not(None), func.trim(column) != "")


def _license_pair(table: Any) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    present = or_(table.c.license_spdx.is_not(None), _filled(table.c.license_raw))
    return present, table.c.license_confidence.in_(HIGH_LICENSE_CONFIDENCE)


def _counted(rows: Sequence[Any]) -> list[tuple[str, Counts]]:
    return [(str(ecosystem), tuple(int(n) for n in numbers)) for ecosystem, *numbers in rows]


def _package_fields(connection: Connection) -> list[tuple[str, Counts]]:
    p = packages.c
    homepage = func.lower(p.homepage)
    description = func.lower(func.trim(p.description))
    checks = [
        _license_pair(packages),
        (or_(p.repository.is_not(None), _filled(p.repository_raw)), p.repository.is_not(None)),
        (_filled(p.homepage), or_(homepage.like("https://%"), homepage.like("http://%"))),
        (
            _filled(p.description),
            and_(
                _filled(p.description),
                description.not_in(DESCRIPTION_PLACEHOLDERS),
                description != func.lower(p.name),
            ),
        ),
        (p.maintainers_count > 0, p.maintainers_with_email > 0),
    ]
    columns = [_count_if(c) for pair in checks for c in pair]
    query = select(p.ecosystem, func.count(), *columns).group_by(p.ecosystem)
    return _counted(connection.execute(query).all())


def _version_fields(connection: Connection, now: datetime) -> list[tuple[str, Counts]]:
    earliest, latest = _stored_time(connection, EARLIEST_PUBLISHED), _stored_time(connection, now)
    v, p, d = package_versions.c, packages.c, package_dependencies.c
    declared = (
        select(
            d.version_id,
            func.count().label("declared"),
            _count_if(d.flags.like("%unparsed%")).label("unparsed"),
        )
        .group_by(d.version_id)
        .subquery()
    )
    files_present = v.files_count > 0
    checks = [
        _license_pair(package_versions),
        (
            v.published.is_not(None),
            and_(v.published >= earliest, v.published <= latest),
        ),
        (files_present, and_(files_present, v.files_without_hash == 0)),
        (declared.c.declared.is_not(None), declared.c.unparsed == 0),
    ]
    columns = [_count_if(c) for pair in checks for c in pair]
    query = (
        select(p.ecosystem, func.count(), *columns)
        .select_from(
            package_versions.join(packages, packages.c.id == v.package_id).outerjoin(
                declared, declared.c.version_id == v.id
            )
        )
        .group_by(p.ecosystem)
    )
    return _counted(connection.execute(query).all())


def _curated_against_source() -> Any:
    """Each approved curation beside the normalized value it overrides (see the report's
    definitions): package level, and version level under an exact-version selector."""
    c, p, v = curations.c, packages.c, package_versions.c
    package_source = case(
        *((c.field == name, column) for name, column in CURATED_PACKAGE_FIELDS.items()),
        else_=None,
    )
    package_level = (
        select(
            literal("package").label("level"),
            p.ecosystem,
            p.purl,
            c.field,
            c.versions,
            c.value,
            package_source.label("source"),
            literal(True).label("matched"),
        )
        .select_from(curations.join(packages, packages.c.purl == c.purl))
        .where(
            c.status == "approved",
            c.versions.is_(None),
            c.field.in_(CURATED_PACKAGE_FIELDS),
        )
    )
    # A vers range never equals a stored version string, so it lands in ``unchecked``.
    version_level = (
        select(
            literal("version").label("level"),
            p.ecosystem,
            p.purl,
            c.field,
            c.versions,
            c.value,
            v.license_spdx.label("source"),
            v.id.is_not(None).label("matched"),
        )
        .select_from(
            curations.join(packages, packages.c.purl == c.purl).outerjoin(
                package_versions,
                and_(v.package_id == p.id, v.version == c.versions),
            )
        )
        .where(c.status == "approved", c.versions.is_not(None), c.field == "license")
    )
    return union_all(package_level, version_level).subquery()


def _curation_checks(
    connection: Connection, top: int
) -> tuple[list[tuple[str, str, str, Counts]], list[tuple[str, str, str, str | None, str, str]]]:
    merged = _curated_against_source()
    m = merged.c
    # An empty curated value says "upstream's value is wrong and there is none".
    curated = func.nullif(m.value, "")
    differs = and_(m.matched, m.source.is_not(None), or_(curated.is_(None), m.source != curated))
    counts = select(
        m.ecosystem,
        m.level,
        m.field,
        func.count(),
        _count_if(differs),
        _count_if(and_(m.matched, m.source.is_(None), curated.is_not(None))),
        _count_if(
            and_(m.matched, or_(m.source == curated, and_(m.source.is_(None), curated.is_(None))))
        ),
        _count_if(not_(m.matched)),
    ).group_by(m.ecosystem, m.level, m.field)
    checks = [
        (ecosystem, level, field, tuple(int(n) for n in numbers))
        for ecosystem, level, field, *numbers in connection.execute(counts)
    ]
    listed = (
        select(m.ecosystem, m.purl, m.field, m.versions, m.value, m.source)
        .where(differs)
        # package-level (NULL versions) first on every database: NULLs sort differently
        .order_by(m.purl, m.field, m.versions.is_not(None), m.versions)
        .limit(top)
    )
    differences = [
        (eco, purl, field, versions, value, source)
        for eco, purl, field, versions, value, source in connection.execute(listed)
    ]
    return checks, differences


def _repository_conflicts(
    connection: Connection, top: int
) -> tuple[int, list[tuple[str, list[tuple[str, str, str]]]]]:
    p = packages.c
    size = func.count().label("size")
    conflicting = (
        select(p.repository, size)
        .where(p.repository.is_not(None), p.license_spdx.is_not(None))
        .group_by(p.repository)
        .having(
            and_(func.count(distinct(p.ecosystem)) > 1, func.count(distinct(p.license_spdx)) > 1)
        )
        .subquery()
    )
    total = connection.execute(select(func.count()).select_from(conflicting)).scalar_one()
    chosen = list(
        connection.execute(
            select(conflicting.c.repository)
            .order_by(conflicting.c.size.desc(), conflicting.c.repository)
            .limit(top)
        ).scalars()
    )
    sides: dict[str, list[tuple[str, str, str]]] = {repository: [] for repository in chosen}
    if chosen:
        found = connection.execute(
            select(p.repository, p.ecosystem, p.purl, p.license_spdx).where(
                p.repository.in_(chosen), p.license_spdx.is_not(None)
            )
        )
        for repository, ecosystem, purl, spdx in found:
            sides[repository].append((ecosystem, purl, spdx))
    return int(total), list(sides.items())


def _license_drift(
    connection: Connection, top: int
) -> tuple[
    list[tuple[str, int]],
    list[tuple[str, int]],
    list[tuple[str, str, str | None, list[tuple[str, int]]]],
]:
    v, p = package_versions.c, packages.c
    several = (
        select(v.package_id, func.count(distinct(v.license_spdx)).label("licenses"))
        .where(v.license_spdx.is_not(None))
        .group_by(v.package_id)
        .having(func.count(distinct(v.license_spdx)) > 1)
        .subquery()
    )
    counted = select(p.ecosystem, func.count()).select_from(
        several.join(packages, packages.c.id == several.c.package_id)
    )
    several_licenses = [
        (eco, int(n)) for eco, n in connection.execute(counted.group_by(p.ecosystem))
    ]
    differing = (
        select(p.ecosystem, func.count())
        .select_from(package_versions.join(packages, packages.c.id == v.package_id))
        .where(v.license_spdx.is_not(None), p.license_spdx.is_not(None))
        .where(v.license_spdx != p.license_spdx)
        .group_by(p.ecosystem)
    )
    differing_versions = [(eco, int(n)) for eco, n in connection.execute(differing)]
    chosen = connection.execute(
        select(p.id, p.ecosystem, p.purl, p.license_spdx)
        .select_from(several.join(packages, packages.c.id == several.c.package_id))
        .order_by(several.c.licenses.desc(), p.purl)
        .limit(top)
    ).all()
    licenses: dict[int, list[tuple[str, int]]] = {row.id: [] for row in chosen}
    if chosen:
        found = connection.execute(
            select(v.package_id, v.license_spdx, func.count())
            .where(v.package_id.in_(list(licenses)), v.license_spdx.is_not(None))
            .group_by(v.package_id, v.license_spdx)
        )
        for package_id, spdx, n in found:
            licenses[package_id].append((spdx, int(n)))
    drift = [(row.ecosystem, row.purl, row.license_spdx, licenses[row.id]) for row in chosen]
    return several_licenses, differing_versions, drift


def _staleness(
    connection: Connection, cutoff: datetime
) -> dict[str, tuple[int, int, int, datetime | None, list[datetime]]]:
    s = sync_status.c
    found = connection.execute(
        select(
            s.registry,
            func.count(),
            _count_if(s.succeeded_at < _stored_time(connection, cutoff)),
            _count_if(s.succeeded_at.is_(None)),
            func.min(s.succeeded_at),
        ).group_by(s.registry)
    ).all()
    staleness: dict[str, tuple[int, int, int, datetime | None, list[datetime]]] = {}
    for registry, tracked, stale, never, oldest in found:
        succeeded = tracked - never
        middle: list[datetime] = []
        if succeeded:
            # The median of the success times, read with OFFSET (portable: SQLite has no
            # percentile function).
            for t in connection.execute(
                select(s.succeeded_at)
                .where(s.registry == registry, s.succeeded_at.is_not(None))
                .order_by(s.succeeded_at)
                .offset((succeeded - 1) // 2)
                .limit(2 - succeeded % 2)
            ).scalars():
                when = as_utc(t)
                assert when is not None
                middle.append(when)
        staleness[registry] = (int(tracked), int(stale), int(never), as_utc(oldest), middle)
    return staleness


def _unmapped(connection: Connection, top: int) -> list[tuple[str, str, int, int, int]]:
    p, v = packages.c, package_versions.c
    from_packages = select(
        p.ecosystem.label("ecosystem"),
        p.license_raw.label("raw"),
        literal(1).label("in_packages"),
        literal(0).label("in_versions"),
    ).where(p.license_confidence.in_(UNMAPPED_LICENSE_CONFIDENCE), _filled(p.license_raw))
    from_versions = (
        select(p.ecosystem, v.license_raw, literal(0), literal(1))
        .select_from(package_versions.join(packages, packages.c.id == v.package_id))
        .where(v.license_confidence.in_(UNMAPPED_LICENSE_CONFIDENCE), _filled(v.license_raw))
    )
    both = union_all(from_packages, from_versions).subquery()
    grouped = (
        select(
            both.c.ecosystem,
            both.c.raw,
            func.sum(both.c.in_packages).label("in_packages"),
            func.sum(both.c.in_versions).label("in_versions"),
            func.count().label("uses"),
        )
        .group_by(both.c.ecosystem, both.c.raw)
        .subquery()
    )
    g = grouped.c
    ranked = select(
        g.ecosystem,
        g.raw,
        g.in_packages,
        g.in_versions,
        func.row_number()
        .over(partition_by=g.ecosystem, order_by=(g.uses.desc(), g.raw))
        .label("rank"),
        func.count().over(partition_by=g.ecosystem).label("distinct_raw"),
    ).subquery()
    query = select(ranked).where(ranked.c.rank <= top).order_by(ranked.c.ecosystem, ranked.c.rank)
    return [
        (row.ecosystem, row.raw, int(row.in_packages), int(row.in_versions), int(row.distinct_raw))
        for row in connection.execute(query)
    ]


def _failures(
    connection: Connection, limit: int
) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, str, str, datetime]]]:
    s = sync_status.c
    failed = s.error_kind.is_not(None)
    kinds = connection.execute(
        select(s.registry, s.error_kind, func.count())
        .where(failed)
        .group_by(s.registry, s.error_kind)
        .order_by(s.registry, func.count().desc(), s.error_kind)
    )
    by_kind = [(registry, kind, int(n)) for registry, kind, n in kinds]
    ranked = (
        select(
            s.registry,
            s.name,
            s.error_kind,
            s.error,
            s.attempted_at,
            func.row_number()
            .over(partition_by=s.registry, order_by=(s.attempted_at.desc(), s.name))
            .label("rank"),
        )
        .where(failed)
        .subquery()
    )
    query = select(ranked).where(ranked.c.rank <= limit).order_by(ranked.c.registry, ranked.c.rank)
    listed: list[tuple[str, str, str, str, datetime]] = []
    for row in connection.execute(query):
        attempted = as_utc(row.attempted_at)
        assert attempted is not None  # the column is NOT NULL
        listed.append((row.registry, row.name, row.error_kind, row.error or "", attempted))
    return by_kind, listed


class QualityQueries:
    """The report's queries over one store."""

    def __init__(self, store: Store) -> None:
        self._engine = store.engine

    def read(
        self, now: datetime, stale_cutoff: datetime, *, top: int, failure_limit: int
    ) -> QualityRows:
        """Every grouped row, over one connection: ``stale_cutoff`` is when a last success
        becomes stale, ``top`` bounds every ranked list, ``failure_limit`` the failures
        listed per registry."""
        with self._engine.connect() as connection:
            checks, differences = _curation_checks(connection, top)
            conflicts_total, conflicts = _repository_conflicts(connection, top)
            several, differing, drift = _license_drift(connection, top)
            failure_kinds, failures = _failures(connection, failure_limit)
            return QualityRows(
                package_fields=_package_fields(connection),
                version_fields=_version_fields(connection, now),
                curation_checks=checks,
                curation_differences=differences,
                repository_conflicts_total=conflicts_total,
                repository_conflicts=conflicts,
                several_licenses=several,
                differing_versions=differing,
                license_drift=drift,
                staleness=_staleness(connection, stale_cutoff),
                unmapped=_unmapped(connection, top),
                failure_kinds=failure_kinds,
                failures=failures,
            )
