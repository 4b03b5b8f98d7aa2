"""The data-quality report of the package metadata (issue 3 §5): per registry, how complete
and how trustworthy each field is, where sources and curations disagree, how stale the
store is and what failed to fetch.

Every figure is an SQL aggregate (GROUP BY, window functions) run by
``ossmeta.store.quality_queries``, so the report costs a few scans of the tables whatever
their size; this module only shapes the grouped rows it is given.

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
  e-mail address (contains ``@``: someone can be contacted).

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
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from ossmeta.analyses.quality_model import (
    CurationCheck,
    CurationDifference,
    FailedFetch,
    FieldQuality,
    LicenseSide,
    QualityReport,
    RegistryQuality,
    RepositoryLicenseConflict,
    Staleness,
    UnmappedLicense,
    VersionLicenseDrift,
)
from ossmeta.ecosystems import CRATES, MAVEN, NPM, PYPI
from ossmeta.store.quality_queries import QualityRows

__all__ = [
    "FAILURE_LIMIT",
    "PACKAGE_FIELDS",
    "TOP",
    "VERSION_FIELDS",
    "CurationCheck",
    "CurationDifference",
    "FailedFetch",
    "FieldQuality",
    "LicenseSide",
    "QualityReport",
    "RegistryQuality",
    "RepositoryLicenseConflict",
    "Staleness",
    "UnmappedLicense",
    "VersionLicenseDrift",
    "quality_report",
    "registry_of",
]

#: packages.ecosystem (OSV names) -> the registry name the syncs use in sync_status.
REGISTRY_OF_ECOSYSTEM = {PYPI: "pypi", NPM: "npm", MAVEN: "maven", CRATES: "crates"}
REGISTRY_ORDER = ("pypi", "npm", "maven", "crates")
PACKAGE_FIELDS = ("license", "repository", "homepage", "description", "maintainers")
VERSION_FIELDS = ("license", "published", "files", "dependencies")
TOP = 20  # entries of every ranked list
FAILURE_LIMIT = 100  # failures listed per registry (the counts by kind are always complete)


def registry_of(ecosystem: str) -> str:
    return REGISTRY_OF_ECOSYSTEM.get(ecosystem, ecosystem.lower())


def _registry_key(registry: str) -> tuple[int, str]:
    known = registry in REGISTRY_ORDER
    return (REGISTRY_ORDER.index(registry) if known else len(REGISTRY_ORDER), registry)


def _summed(rows: Sequence[tuple[str, tuple[int, ...]]]) -> dict[str, list[int]]:
    """``(ecosystem, (total, present, high, ...))`` rows summed per registry."""
    found: dict[str, list[int]] = {}
    for ecosystem, numbers in rows:
        into = found.setdefault(registry_of(ecosystem), [0] * len(numbers))
        for n, value in enumerate(numbers):
            into[n] += value
    return found


def _field_rows(level: str, names: Sequence[str], counts: list[int] | None) -> list[FieldQuality]:
    total, *pairs = counts or [0] * (1 + 2 * len(names))
    return [
        FieldQuality(level, name, total, pairs[2 * n], pairs[2 * n + 1])
        for n, name in enumerate(names)
    ]


def _curation_checks(rows: QualityRows) -> dict[str, list[CurationCheck]]:
    checks: dict[str, list[CurationCheck]] = defaultdict(list)
    for ecosystem, level, field, numbers in rows.curation_checks:
        checks[registry_of(ecosystem)].append(CurationCheck(level, field, *numbers))
    for found in checks.values():
        found.sort(key=lambda check: (check.level, check.field))
    return checks


def _repository_conflicts(rows: QualityRows) -> list[RepositoryLicenseConflict]:
    conflicts = []
    for repository, found in rows.repository_conflicts:
        sides = [LicenseSide(registry_of(eco), purl, spdx) for eco, purl, spdx in found]
        sides.sort(key=lambda s: (_registry_key(s.registry), s.purl))
        conflicts.append(RepositoryLicenseConflict(repository, tuple(sides)))
    return conflicts


def _drift_counts(rows: QualityRows) -> dict[str, tuple[int, int]]:
    by_registry: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for ecosystem, n in rows.several_licenses:
        by_registry[registry_of(ecosystem)][0] += n
    for ecosystem, n in rows.differing_versions:
        by_registry[registry_of(ecosystem)][1] += n
    return {k: (a, b) for k, (a, b) in by_registry.items()}


def _staleness(rows: QualityRows, now: datetime) -> dict[str, Staleness]:
    found: dict[str, Staleness] = {}
    for registry, (tracked, stale, never, oldest, middle) in rows.staleness.items():
        median_age = None
        if middle:  # the median success time is between the one or two middle ones
            low, high = middle[0], middle[-1]
            median_age = now - (low + (high - low) / 2)
        found[registry] = Staleness(tracked, stale, never, oldest, median_age)
    return found


def _unmapped(rows: QualityRows) -> tuple[dict[str, int], dict[str, list[UnmappedLicense]]]:
    distinct_raw: dict[str, int] = defaultdict(int)
    listed: dict[str, list[UnmappedLicense]] = defaultdict(list)
    for ecosystem, raw, in_packages, in_versions, distinct in rows.unmapped:
        registry = registry_of(ecosystem)
        distinct_raw[registry] = max(distinct_raw[registry], distinct)
        listed[registry].append(UnmappedLicense(raw, in_packages, in_versions))
    return distinct_raw, listed


def _failures(
    rows: QualityRows,
) -> tuple[dict[str, list[tuple[str, int]]], dict[str, list[FailedFetch]]]:
    kinds: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for registry, kind, n in rows.failure_kinds:
        kinds[registry].append((kind, n))
    listed: dict[str, list[FailedFetch]] = defaultdict(list)
    for registry, name, kind, message, attempted in rows.failures:
        listed[registry].append(FailedFetch(name, kind, message, attempted))
    return kinds, listed


def quality_report(rows: QualityRows, now: datetime, stale_after: timedelta) -> QualityReport:
    """The data-quality report as of ``now`` from the store's grouped rows (see the
    module's definitions; ``QualityQueries.read`` with ``now - stale_after`` as the
    staleness cutoff)."""
    now = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
    package_fields = _summed(rows.package_fields)
    version_fields = _summed(rows.version_fields)
    checks = _curation_checks(rows)
    drift_counts = _drift_counts(rows)
    staleness = _staleness(rows, now)
    unmapped_distinct, unmapped = _unmapped(rows)
    failure_kinds, failure_list = _failures(rows)

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
    differences = [
        CurationDifference(registry_of(eco), purl, field, versions, value, source)
        for eco, purl, field, versions, value, source in rows.curation_differences
    ]
    drift = [
        VersionLicenseDrift(
            registry_of(eco),
            purl,
            package_license,
            tuple(sorted(licenses, key=lambda pair: (-pair[1], pair[0]))),
        )
        for eco, purl, package_license, licenses in rows.license_drift
    ]
    return QualityReport(
        generated_at=now,
        stale_after=stale_after,
        registries=tuple(registries),
        curation_differences=tuple(differences),
        repository_conflicts_total=rows.repository_conflicts_total,
        repository_conflicts=tuple(_repository_conflicts(rows)),
        license_drift=tuple(drift),
    )
