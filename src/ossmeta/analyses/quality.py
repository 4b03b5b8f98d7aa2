"""The data-quality report of the package metadata (issue 3 §5): per registry, how complete
and how trustworthy each field is, where sources and curations disagree, how stale the
store is and what failed to fetch.

Every figure is an SQL aggregate (GROUP BY, window functions), so the report costs a few
scans of the tables whatever their size; Python only shapes the grouped rows.

Definitions. ``present`` counts the rows that declare something; ``high_confidence`` counts
the present rows whose value can be trusted as normalized. Package level:

- ``license``: present when an SPDX expression or raw text is stored; high when its
  confidence is ``exact`` or ``mapped`` (or ``curated``);
- ``repository``: present when a raw or canonical repository is stored; high when a
  canonical ``host/owner/name`` was derived from it;
- ``homepage``: present when non-blank; high when it is an absolute http(s) URL;
- ``description``: present when non-blank; high when it is neither a placeholder
  (``UNKNOWN``, ``none``, ``n/a``...) nor the package name again;
- ``maintainers``: present when the list is not empty; high when an entry carries an
  e-mail address (someone can be contacted).

Version level: ``license`` as above; ``published``: present when set, high when between
1990-01-01 and ``now`` (anything else is a placeholder or a clock error); ``files``: present
when any file is listed, high when every file lists a hash; ``dependencies``: present when
the version declares any, high when none of them is flagged ``unparsed``.

``completeness`` is present / total and ``high_confidence_share`` is high / present (None
when the denominator is 0). crates.io publishes publisher logins, not addresses, so its
maintainers are rarely "contactable"; a version without dependencies is not missing data,
so the dependency completeness is a profile rather than a defect count.

Conflicts:

- curations: an approved curation against the normalized value it overrides, package level
  (``license`` against the SPDX licence, ``repository``, ``homepage``, ``description``,
  ``status``) and version level (``license`` under an exact-version selector, matched to
  the stored version as text). ``differs`` (the source has a value and the curation another
  one, or clears it with ""), ``fills`` (the source has none), ``agrees`` (the curation is
  now redundant) and ``unchecked`` (a vers range, or a version not stored under that text);
- repository licences: packages of different registries that name the same canonical
  repository with different SPDX licences. With at least two registries and two licences
  among a repository's packages, some pair from different registries must differ, so the
  GROUP BY ... HAVING below finds exactly these repositories;
- version licences: a package's licence is its latest version's by construction, so
  comparing the two says nothing; what a curator needs is the packages whose versions carry
  more than one SPDX licence (relicensing, or a wrong declaration), and the count of versions
  whose licence is not the package's, for which a package-level curation may be wrong.

Staleness reads ``sync_status``: ``stale`` packages last succeeded before ``now -
stale_after``; packages that never succeeded are counted apart (``never_succeeded``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
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

from ossmeta.analyses.quality_model import (
    CurationCheck as CurationCheck,
)
from ossmeta.analyses.quality_model import (
    CurationDifference as CurationDifference,
)
from ossmeta.analyses.quality_model import (
    FailedFetch as FailedFetch,
)
from ossmeta.analyses.quality_model import (
    FieldQuality as FieldQuality,
)
from ossmeta.analyses.quality_model import (
    LicenseSide as LicenseSide,
)
from ossmeta.analyses.quality_model import (
    QualityReport as QualityReport,
)
from ossmeta.analyses.quality_model import (
    RegistryQuality as RegistryQuality,
)
from ossmeta.analyses.quality_model import (
    RepositoryLicenseConflict as RepositoryLicenseConflict,
)
from ossmeta.analyses.quality_model import (
    Staleness as Staleness,
)
from ossmeta.analyses.quality_model import (
    UnmappedLicense as UnmappedLicense,
)
from ossmeta.analyses.quality_model import (
    VersionLicenseDrift as VersionLicenseDrift,
)
from ossmeta.ecosystems import CRATES, MAVEN, NPM, PYPI
from ossmeta.store.schema import (
    curations,
    package_dependencies,
    package_versions,
    packages,
    sync_status,
)
from ossmeta.times import as_utc

#: packages.ecosystem (OSV names) -> the registry name the syncs use in sync_status.
REGISTRY_OF_ECOSYSTEM = {PYPI: "pypi", NPM: "npm", MAVEN: "maven", CRATES: "crates"}
REGISTRY_ORDER = ("pypi", "npm", "maven", "crates")
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
PACKAGE_FIELDS = ("license", "repository", "homepage", "description", "maintainers")
VERSION_FIELDS = ("license", "published", "files", "dependencies")


def registry_of(ecosystem: str) -> str:
    return REGISTRY_OF_ECOSYSTEM.get(ecosystem, ecosystem.lower())


def _registry_key(registry: str) -> tuple[int, str]:
    known = registry in REGISTRY_ORDER
    return (REGISTRY_ORDER.index(registry) if known else len(REGISTRY_ORDER), registry)


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


def _package_fields(connection: Connection) -> dict[str, list[int]]:
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
        (p.maintainers != "[]", p.maintainers.like("%@%")),
    ]
    columns = [_count_if(c) for pair in checks for c in pair]
    query = select(p.ecosystem, func.count(), *columns).group_by(p.ecosystem)
    return _summed(connection.execute(query))


def _version_fields(connection: Connection, now: datetime) -> dict[str, list[int]]:
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
    files_present = v.files != "[]"
    checks = [
        _license_pair(package_versions),
        (
            v.published.is_not(None),
            and_(v.published >= earliest, v.published <= latest),
        ),
        # orjson writes a file without hashes as ``"hashes":[]``; a filename cannot hold
        # that text unescaped, so the match is exact.
        (files_present, and_(files_present, not_(v.files.like('%"hashes":[]%')))),
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
    return _summed(connection.execute(query))


def _summed(rows: Iterable[Any]) -> dict[str, list[int]]:
    """``(ecosystem, total, present, high, present, high, ...)`` rows summed per registry."""
    found: dict[str, list[int]] = {}
    for ecosystem, *numbers in rows:
        into = found.setdefault(registry_of(ecosystem), [0] * len(numbers))
        for n, value in enumerate(numbers):
            into[n] += int(value)
    return found


def _field_rows(level: str, names: Sequence[str], counts: list[int] | None) -> list[FieldQuality]:
    total, *pairs = counts or [0] * (1 + 2 * len(names))
    return [
        FieldQuality(level, name, total, pairs[2 * n], pairs[2 * n + 1])
        for n, name in enumerate(names)
    ]


def _curation_checks(
    connection: Connection, top: int
) -> tuple[dict[str, list[CurationCheck]], list[CurationDifference]]:
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
    merged = union_all(package_level, version_level).subquery()
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
    checks: dict[str, list[CurationCheck]] = defaultdict(list)
    for ecosystem, level, field, *numbers in connection.execute(counts):
        checks[registry_of(ecosystem)].append(CurationCheck(level, field, *map(int, numbers)))
    listed = (
        select(m.ecosystem, m.purl, m.field, m.versions, m.value, m.source)
        .where(differs)
        # package-level (NULL versions) first on every database: NULLs sort differently
        .order_by(m.purl, m.field, m.versions.is_not(None), m.versions)
        .limit(top)
    )
    differences = [
        CurationDifference(registry_of(eco), purl, field, versions, value, source)
        for eco, purl, field, versions, value, source in connection.execute(listed)
    ]
    for found in checks.values():
        found.sort(key=lambda check: (check.level, check.field))
    return checks, differences


def _repository_conflicts(
    connection: Connection, top: int
) -> tuple[int, list[RepositoryLicenseConflict]]:
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
    total = int(connection.execute(select(func.count()).select_from(conflicting)).scalar_one())
    chosen = list(
        connection.execute(
            select(conflicting.c.repository)
            .order_by(conflicting.c.size.desc(), conflicting.c.repository)
            .limit(top)
        ).scalars()
    )
    sides: dict[str, list[LicenseSide]] = {repository: [] for repository in chosen}
    if chosen:
        rows = connection.execute(
            select(p.repository, p.ecosystem, p.purl, p.license_spdx).where(
                p.repository.in_(chosen), p.license_spdx.is_not(None)
            )
        )
        for repository, ecosystem, purl, spdx in rows:
            sides[repository].append(LicenseSide(registry_of(ecosystem), purl, spdx))
    return total, [
        RepositoryLicenseConflict(
            repository,
            tuple(sorted(found, key=lambda s: (_registry_key(s.registry), s.purl))),
        )
        for repository, found in sides.items()
    ]


def _license_drift(
    connection: Connection, top: int
) -> tuple[dict[str, tuple[int, int]], list[VersionLicenseDrift]]:
    v, p = package_versions.c, packages.c
    several = (
        select(v.package_id, func.count(distinct(v.license_spdx)).label("licenses"))
        .where(v.license_spdx.is_not(None))
        .group_by(v.package_id)
        .having(func.count(distinct(v.license_spdx)) > 1)
        .subquery()
    )
    by_registry: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    counted = select(p.ecosystem, func.count()).select_from(
        several.join(packages, packages.c.id == several.c.package_id)
    )
    for ecosystem, n in connection.execute(counted.group_by(p.ecosystem)):
        by_registry[registry_of(ecosystem)][0] += n
    differing = (
        select(p.ecosystem, func.count())
        .select_from(package_versions.join(packages, packages.c.id == v.package_id))
        .where(v.license_spdx.is_not(None), p.license_spdx.is_not(None))
        .where(v.license_spdx != p.license_spdx)
        .group_by(p.ecosystem)
    )
    for ecosystem, n in connection.execute(differing):
        by_registry[registry_of(ecosystem)][1] += n
    chosen = connection.execute(
        select(p.id, p.ecosystem, p.purl, p.license_spdx)
        .select_from(several.join(packages, packages.c.id == several.c.package_id))
        .order_by(several.c.licenses.desc(), p.purl)
        .limit(top)
    ).all()
    licenses: dict[int, list[tuple[str, int]]] = defaultdict(list)
    if chosen:
        rows = connection.execute(
            select(v.package_id, v.license_spdx, func.count())
            .where(v.package_id.in_([row.id for row in chosen]), v.license_spdx.is_not(None))
            .group_by(v.package_id, v.license_spdx)
        )
        for package_id, spdx, n in rows:
            licenses[package_id].append((spdx, int(n)))
    drift = [
        VersionLicenseDrift(
            registry_of(row.ecosystem),
            row.purl,
            row.license_spdx,
            tuple(sorted(licenses[row.id], key=lambda pair: (-pair[1], pair[0]))),
        )
        for row in chosen
    ]
    return {k: (a, b) for k, (a, b) in by_registry.items()}, drift


def _staleness(connection: Connection, now: datetime, cutoff: datetime) -> dict[str, Staleness]:
    s = sync_status.c
    rows = connection.execute(
        select(
            s.registry,
            func.count(),
            _count_if(s.succeeded_at < cutoff),
            _count_if(s.succeeded_at.is_(None)),
            func.min(s.succeeded_at),
        ).group_by(s.registry)
    ).all()
    found: dict[str, Staleness] = {}
    for registry, tracked, stale, never, oldest in rows:
        succeeded = tracked - never
        median_age = None
        if succeeded:
            # The median of the success times, read with OFFSET (portable: SQLite has no
            # percentile function); the median age is ``now`` minus it.
            middle = [
                as_utc(t)
                for t in connection.execute(
                    select(s.succeeded_at)
                    .where(s.registry == registry, s.succeeded_at.is_not(None))
                    .order_by(s.succeeded_at)
                    .offset((succeeded - 1) // 2)
                    .limit(2 - succeeded % 2)
                ).scalars()
            ]
            low, high = middle[0], middle[-1]
            assert low is not None and high is not None
            median_age = now - (low + (high - low) / 2)
        found[registry] = Staleness(
            int(tracked), int(stale), int(never), as_utc(oldest), median_age
        )
    return found


def _unmapped(
    connection: Connection, top: int
) -> tuple[dict[str, int], dict[str, list[UnmappedLicense]]]:
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
    distinct_raw: dict[str, int] = defaultdict(int)
    listed: dict[str, list[UnmappedLicense]] = defaultdict(list)
    query = select(ranked).where(ranked.c.rank <= top).order_by(ranked.c.ecosystem, ranked.c.rank)
    for row in connection.execute(query):
        registry = registry_of(row.ecosystem)
        distinct_raw[registry] = max(distinct_raw[registry], int(row.distinct_raw))
        listed[registry].append(
            UnmappedLicense(row.raw, int(row.in_packages), int(row.in_versions))
        )
    return distinct_raw, listed


def _failures(
    connection: Connection, limit: int
) -> tuple[dict[str, list[tuple[str, int]]], dict[str, list[FailedFetch]]]:
    s = sync_status.c
    failed = s.error_kind.is_not(None)
    kinds: dict[str, list[tuple[str, int]]] = defaultdict(list)
    rows = connection.execute(
        select(s.registry, s.error_kind, func.count())
        .where(failed)
        .group_by(s.registry, s.error_kind)
        .order_by(s.registry, func.count().desc(), s.error_kind)
    )
    for registry, kind, n in rows:
        kinds[registry].append((kind, int(n)))
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
    listed: dict[str, list[FailedFetch]] = defaultdict(list)
    query = select(ranked).where(ranked.c.rank <= limit).order_by(ranked.c.registry, ranked.c.rank)
    for row in connection.execute(query):
        attempted = as_utc(row.attempted_at)
        assert attempted is not None  # the column is NOT NULL
        listed[row.registry].append(
            FailedFetch(row.name, row.error_kind, row.error or "", attempted)
        )
    return kinds, listed


def quality_report(
    connection: Connection,
    now: datetime,
    stale_after: timedelta = timedelta(days=30),
    *,
    top: int = 20,
    failure_limit: int = 100,
) -> QualityReport:
    """The data-quality report of the store as of ``now`` (see the module's definitions).
    ``top`` bounds every ranked list; ``failure_limit`` the failures listed per registry
    (the counts by kind are always complete)."""
    now = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
    package_fields = _package_fields(connection)
    version_fields = _version_fields(connection, now)
    checks, differences = _curation_checks(connection, top)
    conflicts_total, conflicts = _repository_conflicts(connection, top)
    drift_counts, drift = _license_drift(connection, top)
    staleness = _staleness(connection, now, _stored_time(connection, now - stale_after))
    unmapped_distinct, unmapped = _unmapped(connection, top)
    failure_kinds, failure_list = _failures(connection, failure_limit)

    names = set(package_fields) | set(staleness) | set(failure_kinds)
    registries = []
    for registry in sorted(names, key=_registry_key):
        package_rows = _field_rows("package", PACKAGE_FIELDS, package_fields.get(registry))
        version_rows = _field_rows("version", VERSION_FIELDS, version_fields.get(registry))
        several, differing = drift_counts.get(registry, (0, 0))
        registries.append(
            RegistryQuality(
                registry=registry,
                packages=package_rows[0].total,
                versions=version_rows[0].total,
                fields=tuple(package_rows + version_rows),
                curations=tuple(checks.get(registry, ())),
                packages_with_several_licenses=several,
                versions_differing_from_package=differing,
                staleness=staleness.get(registry, Staleness(0, 0, 0, None, None)),
                unmapped_distinct=unmapped_distinct.get(registry, 0),
                unmapped=tuple(unmapped.get(registry, ())),
                failures_by_kind=tuple(failure_kinds.get(registry, ())),
                failures=tuple(failure_list.get(registry, ())),
            )
        )
    return QualityReport(
        generated_at=now,
        stale_after=stale_after,
        registries=tuple(registries),
        curation_differences=tuple(differences),
        repository_conflicts_total=conflicts_total,
        repository_conflicts=tuple(conflicts),
        license_drift=tuple(drift),
    )
