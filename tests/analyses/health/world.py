"""A small store for the health tests, filled by the pipelines' own store writers: packages
with ``save_package``, OSV records through ``AdvisoryImporter``, repository metrics through
``Metrics.replace``.

    pkg:pypi/demo    github.com/acme/demo, MIT; 1.0, 1.1, 2.0 and 2.1 (yanked)
                     GHSA-demo-high (high, fixed in 2.0, published a year before 2.0)
                     PYSEC-DEMO-CRIT (critical, from 2.0 on, no fix)
                     repository metrics for six months (activity, openrank, bus factor,
                     issue response time, commits, git authors)
    pkg:pypi/app     depends on demo; GPL-3.0-only; no repository
    pkg:pypi/bare    no licence, no release times, no maintainers, no repository
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from ossmeta.model import (
    Dependency,
    LicenseValue,
    PackageRecord,
    PackageStatus,
    PackageVersion,
)
from ossmeta.sources import osv
from ossmeta.store import Store
from ossmeta.store.advisories import AdvisoryImporter
from ossmeta.store.metrics import Metrics
from ossmeta.store.packages import save_package

AS_OF = datetime(2026, 6, 30, tzinfo=UTC)
REPO = "github.com/acme/demo"
MIT = LicenseValue("MIT", "MIT", "exact", "pypi:license_expression")
GPL = LicenseValue("GPL-3.0-only", "GPLv3", "mapped", "pypi:classifiers")


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _version(
    number: str, published: str | None, *, yanked: bool = False, deps: tuple[str, ...] = ()
) -> PackageVersion:
    return PackageVersion(
        number,
        _when(published) if published else None,
        yanked,
        "broken build" if yanked else None,
        None,
        tuple(Dependency(target, ">=1", "runtime") for target in deps),
    )


def _package(
    name: str,
    versions: tuple[PackageVersion, ...],
    *,
    repository: str | None = None,
    license: LicenseValue | None = None,
    maintainers: tuple[str, ...] = (),
) -> PackageRecord:
    return PackageRecord(
        purl=f"pkg:pypi/{name}",
        ecosystem="PyPI",
        name=name,
        repository=repository,
        repository_raw=f"https://{repository}" if repository else None,
        homepage=None,
        description=f"the {name} package",
        status=PackageStatus.ACTIVE,
        license=license,
        versions=versions,
        maintainers=maintainers,
        source="pypi-project",
    )


DEMO = _package(
    "demo",
    (
        _version("1.0", "2024-01-10"),
        _version("1.1", "2025-06-01"),
        _version("2.0", "2026-05-01"),
        _version("2.1", "2026-06-01", yanked=True),
    ),
    repository=REPO,
    license=MIT,
    maintainers=("alice", "bob@example.org"),
)
APP = _package("app", (_version("0.1", "2026-01-01", deps=("pkg:pypi/demo",)),), license=GPL)
BARE = _package("bare", (_version("0.0.1", None),))


def advisory(
    rid: str,
    published: str,
    events: list[dict[str, str]],
    *,
    severity: str,
    aliases: tuple[str, ...] = (),
) -> dict[str, object]:
    return {
        "id": rid,
        "modified": "2026-06-01T00:00:00Z",
        "published": published,
        "aliases": list(aliases),
        "summary": f"summary of {rid}",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "demo"},
                "ranges": [{"type": "ECOSYSTEM", "events": events}],
            }
        ],
        "database_specific": {"severity": severity},
    }


ADVISORIES = (
    advisory(
        "GHSA-demo-high",
        "2025-05-01T00:00:00Z",
        [{"introduced": "0"}, {"fixed": "2.0"}],
        severity="HIGH",
        aliases=("CVE-2025-0001",),
    ),
    advisory(
        "PYSEC-DEMO-CRIT", "2026-06-01T00:00:00Z", [{"introduced": "2.0"}], severity="CRITICAL"
    ),
)

#: (metric, {month: value}) for REPO; zeros are not stored, as the metric engines store none.
METRICS: tuple[tuple[str, dict[str, float]], ...] = (
    ("activity", {"2026-01": 10.0, "2026-03": 20.0, "2026-06": 30.0}),
    ("openrank", {"2026-02": 3.0, "2026-06": 9.0}),
    ("bus_factor", {"2026-03": 2.0, "2026-06": 4.0}),
    ("issue_response_time.avg", {"2026-06": 3.5}),
    ("commit_frequency", {"2026-04": 24.0}),
    ("active_authors", {"2026-04": 6.0}),
    # after the scoring date: never read
    ("activity", {"2026-08": 1000.0}),
)


def fill(store: Store, directory: Path, *, advisories: bool = True) -> None:
    """Write the packages, the advisories (unless told not to) and the metrics."""
    with store.engine.begin() as connection:
        for record in (DEMO, APP, BARE):
            save_package(connection, record, AS_OF)
    if advisories:
        directory.mkdir(parents=True, exist_ok=True)
        for item in ADVISORIES:
            (directory / f"{item['id']}.json").write_text(json.dumps(item))
        files = osv.expand([str(directory)])
        AdvisoryImporter(store).run(osv.iter_records(files, "CC-BY-4.0"))
    rows = [
        (REPO, metric, month, value, None)
        for metric, months in METRICS
        for month, value in months.items()
    ]
    Metrics(store).replace(rows, engine="duckdb", computed_at=AS_OF, since=None)
