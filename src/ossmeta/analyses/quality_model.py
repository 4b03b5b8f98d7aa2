"""The data-quality report's shape (what ``ossmeta.analyses.quality`` computes and
``ossmeta.surfaces.formats.quality`` renders); the definitions of every figure are in
``ossmeta.analyses.quality``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ossmeta.analyses.activity_quality import ArchiveMonth

__all__ = [
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
]


@dataclass(frozen=True, slots=True)
class FieldQuality:
    level: str  # package | version
    field: str
    total: int
    present: int
    high_confidence: int

    @property
    def completeness(self) -> float | None:
        return self.present / self.total if self.total else None

    @property
    def high_confidence_share(self) -> float | None:
        return self.high_confidence / self.present if self.present else None


@dataclass(frozen=True, slots=True)
class CurationCheck:
    level: str
    field: str
    approved: int
    differs: int
    fills: int
    agrees: int
    unchecked: int


@dataclass(frozen=True, slots=True)
class CurationDifference:
    registry: str
    purl: str
    field: str
    version: str | None  # None for a package-level curation
    curated: str
    source: str


@dataclass(frozen=True, slots=True)
class LicenseSide:
    registry: str
    purl: str
    license: str


@dataclass(frozen=True, slots=True)
class RepositoryLicenseConflict:
    repository: str
    sides: tuple[LicenseSide, ...]  # by registry order, then purl


@dataclass(frozen=True, slots=True)
class VersionLicenseDrift:
    registry: str
    purl: str
    package_license: str | None
    licenses: tuple[tuple[str, int], ...]  # (SPDX licence, versions carrying it), most first


@dataclass(frozen=True, slots=True)
class Staleness:
    tracked: int  # packages with a sync_status row
    stale: int
    never_succeeded: int
    oldest_success: datetime | None
    median_age: timedelta | None  # over the packages that succeeded at least once


@dataclass(frozen=True, slots=True)
class UnmappedLicense:
    raw: str
    packages: int
    versions: int


@dataclass(frozen=True, slots=True)
class FailedFetch:
    name: str
    kind: str
    message: str
    attempted_at: datetime


@dataclass(frozen=True, slots=True)
class RegistryQuality:
    registry: str
    packages: int
    versions: int
    fields: tuple[FieldQuality, ...]  # PACKAGE_FIELDS then VERSION_FIELDS
    curations: tuple[CurationCheck, ...]  # only fields with approved curations
    packages_with_several_licenses: int
    versions_differing_from_package: int
    staleness: Staleness
    unmapped_distinct: int  # distinct unmapped raw strings; ``unmapped`` holds the top ones
    unmapped: tuple[UnmappedLicense, ...]
    failures_by_kind: tuple[tuple[str, int], ...]  # most first
    failures: tuple[FailedFetch, ...]  # newest first, at most ``failure_limit``

    @property
    def failures_total(self) -> int:
        return sum(n for _, n in self.failures_by_kind)


@dataclass(frozen=True, slots=True)
class QualityReport:
    generated_at: datetime
    stale_after: timedelta
    registries: tuple[RegistryQuality, ...]
    curation_differences: tuple[CurationDifference, ...]  # at most ``top``
    repository_conflicts_total: int
    repository_conflicts: tuple[RepositoryLicenseConflict, ...]  # the ``top`` largest
    license_drift: tuple[VersionLicenseDrift, ...]  # the ``top`` with most licences
    archive_months: tuple[ArchiveMonth, ...] = ()  # GH Archive events per month
