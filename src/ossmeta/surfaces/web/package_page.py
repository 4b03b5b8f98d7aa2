"""What the package page shows, gathered from the same service and analysis calls as the
API's package, health and advisory endpoints (``service.public``, ``analyses.health``,
``analyses.scan``), into frozen values the template reads.

The health score is composed as ``analyses.health.gather`` composes it (``inputs_of`` then
``score``), from the package the page has read already and one prefetched read of its
advisories that the per-version matching shares, as the inventories' joined view does: a
page then reads the package and its advisories once, not three times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from functools import cache
from typing import Any

from ossmeta.analyses.health import HealthConfig, HealthScore, default_config
from ossmeta.analyses.health.prefetch import PrefetchedAdvisories, package_key
from ossmeta.analyses.health.repository import METRICS_READ
from ossmeta.analyses.health.score import score
from ossmeta.analyses.health.signals import inputs_of
from ossmeta.analyses.scan import scan
from ossmeta.ecosystems import osv_version
from ossmeta.model import Component, ComponentStatus, Finding, PackageRecord, PackageVersion
from ossmeta.service import public
from ossmeta.store import Store
from ossmeta.store.curation_store import Curations
from ossmeta.store.curation_why import Why
from ossmeta.store.lookup import AdvisoryLookup
from ossmeta.store.metrics import Metrics
from ossmeta.store.packages import Packages
from ossmeta.versions import try_version_key

__all__ = ["DEPENDENTS_SHOWN", "PackagePage", "VersionRow", "package_page"]

#: Dependents listed on the page; the count says how many there are in all.
DEPENDENTS_SHOWN = 50


@dataclass(frozen=True)
class VersionRow:
    version: PackageVersion
    state: str  # published | yanked | deprecated
    findings: tuple[Finding, ...]
    unknown: tuple[Finding, ...]  # advisories the version could not be placed against


@dataclass(frozen=True)
class PackagePage:
    record: PackageRecord
    dependents_count: int
    dependents: tuple[str, ...]
    versions: tuple[VersionRow, ...]  # newest first
    license_why: Why
    health: HealthScore

    @property
    def latest(self) -> PackageVersion | None:
        return self.record.versions[-1] if self.record.versions else None

    @property
    def affected(self) -> tuple[VersionRow, ...]:
        return tuple(row for row in self.versions if row.findings or row.unknown)

    def chart_data(self) -> dict[str, Any]:
        """The versions timeline and the health parts, for the page's charts (the tables
        beside them say the same without JavaScript)."""
        return {
            "versions": [
                {
                    "version": row.version.version,
                    "published": None
                    if row.version.published is None
                    else row.version.published.isoformat(),
                    "state": row.state,
                    "advisories": len(row.findings),
                }
                for row in reversed(self.versions)
            ],
            "parts": [
                {"name": part.name, "score": part.score, "coverage": part.coverage}
                for part in self.health.parts
            ],
        }


@cache
def _config() -> HealthConfig:
    return default_config()


def _state(version: PackageVersion) -> str:
    if version.yanked:
        return "yanked"
    return "deprecated" if version.deprecated else "published"


def _component(record: PackageRecord, version: str) -> Component:
    parsed = try_version_key(record.ecosystem, osv_version(record.ecosystem, version))
    status = ComponentStatus.OK if parsed is not None else ComponentStatus.UNKNOWN
    return Component(None, record.ecosystem, record.name, version, status, ())


def package_page(store: Store, purl: str) -> PackagePage | None:
    """None when the store does not hold the package; ``InvalidPurl`` when ``purl`` is not
    one."""
    view = public.package_view(store, purl)
    if view is None:
        return None
    record = view.record
    advisories = PrefetchedAdvisories(AdvisoryLookup(store), [package_key(record)])
    report = scan([_component(record, v.version) for v in record.versions], advisories)
    rows = tuple(
        VersionRow(version, _state(version), found.findings, found.unknown)
        for version, found in zip(record.versions, report.components, strict=True)
    )
    dependents = public.dependents_page(store, record.purl, offset=0, limit=DEPENDENTS_SHOWN)
    # As the API's health endpoint does: as of the start of the current UTC day.
    today = datetime.combine(datetime.now(UTC).date(), time(), tzinfo=UTC)
    others = Packages(store).count_in_ecosystem(record.ecosystem) > 1
    repository = record.repository
    inputs = inputs_of(
        record,
        None,
        _config(),
        advisories=advisories,
        held=advisories.count(),
        metrics=Metrics(store).monthly(repository, METRICS_READ) if repository else [],
        dependents=view.dependents if others else None,
        as_of=today,
    )
    return PackagePage(
        record=record,
        dependents_count=view.dependents,
        dependents=tuple(dependents.purls),
        versions=tuple(reversed(rows)),
        license_why=Curations(store).why(record.purl, "license"),
        health=score(inputs, _config()),
    )
