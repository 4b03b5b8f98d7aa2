"""The public data the page tests look at: Jinja2 with versions published, yanked and
deprecated (one of them affected by a stored advisory), its dependency and a dependent, the
recorded advisories, and repository metrics."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ossmeta.model import Dependency, LicenseValue, PackageRecord, PackageVersion
from ossmeta.store import Store
from ossmeta.store.metrics import Metrics
from ossmeta.store.packages import save_package
from tests.helpers import pypi_record
from tests.service.inventories_data import JINJA, load_advisories

T0 = datetime(2026, 3, 1, tzinfo=UTC)
BSD = LicenseValue("BSD-3-Clause", "BSD License", "mapped", "pypi:classifiers")
JINJA_PURL = "pkg:pypi/jinja2"
ADVISORY = JINJA


def _version(version: str, day: int, deps: tuple[str, ...] = (), **state: object) -> PackageVersion:
    return PackageVersion(
        version,
        datetime(2019, 1, day, tzinfo=UTC),
        bool(state.get("yanked", False)),
        "broken wheel" if state.get("yanked") else None,
        BSD,
        tuple(Dependency(f"pkg:pypi/{d}", ">=0.23", "runtime") for d in deps),
        deprecated=state.get("deprecated"),  # type: ignore[arg-type]
    )


def _package(name: str, versions: tuple[PackageVersion, ...], description: str) -> PackageRecord:
    return pypi_record(
        name,
        versions,
        license=BSD,
        repository=f"github.com/pallets/{name}",
        description=description,
    )


def seed(store: Store, tmp_path: Path) -> None:
    jinja = _package(
        "jinja2",
        (
            _version("2.9", 1, ("markupsafe",)),
            _version("2.10", 5, ("markupsafe",)),
            _version("2.10.1", 9, ("markupsafe",), yanked=True),
            _version("2.10.2", 12, ("markupsafe",), deprecated="use 2.11"),
            _version("2.11", 20, ("markupsafe",)),
        ),
        "A very fast and expressive template engine.",
    )
    markupsafe = _package("markupsafe", (_version("2.0", 2),), "Safely add untrusted strings.")
    flask = _package("flask", (_version("1.0", 3, ("jinja2",)),), "A simple web framework.")
    with store.engine.begin() as connection:
        for record in (jinja, markupsafe, flask):
            save_package(connection, record, T0)
    load_advisories(store, tmp_path)
    Metrics(store).replace(
        [("github.com/pallets/jinja2", "activity", "2026-01", 12.5, None)],
        engine="duckdb",
        computed_at=T0,
        since=None,
    )
