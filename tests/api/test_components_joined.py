"""Components joined with what the center knows, over real HTTP on a real store: findings
with alias groups and fixes, the curated licence and its confidence, repository metrics,
registry deprecation and yanking, the health score; unknown packages shown as unknown; the
filters; the portfolio roll-up; and that the join reads in bulk, not per component."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from ossmeta.model import LicenseValue, PackageRecord, PackageStatus, PackageVersion
from ossmeta.store.curations import propose, review
from ossmeta.store.metrics import Metrics
from ossmeta.store.packages import save_package
from tests.api.conftest import ApiServer
from tests.service.inventories_data import JINJA, JINJA_ALIASES, cyclonedx, load_advisories

T0 = datetime(2026, 3, 1, tzinfo=UTC)
EVIDENCE = "https://example.org/LICENSE"

#: app -> django, requests, click (direct); django -> jinja2 (transitive).
LOCK = b"""version = 1
requires-python = ">=3.11"

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [{ name = "django" }, { name = "requests" }, { name = "click" }]

[[package]]
name = "django"
version = "3.2"
source = { registry = "https://pypi.example/simple" }
dependencies = [{ name = "jinja2" }]

[[package]]
name = "jinja2"
version = "2.10"
source = { registry = "https://pypi.example/simple" }

[[package]]
name = "requests"
version = "2.19.0"
source = { registry = "https://pypi.example/simple" }

[[package]]
name = "click"
version = "8.1.7"
source = { registry = "https://pypi.example/simple" }
"""


def _record(
    name: str, repository: str | None, licence: LicenseValue | None, *versions: PackageVersion
) -> PackageRecord:
    return PackageRecord(
        purl=f"pkg:pypi/{name}",
        ecosystem="PyPI",
        name=name,
        repository=repository,
        repository_raw=None,
        homepage=None,
        description=None,
        status=PackageStatus.ACTIVE,
        license=licence,
        versions=versions,
        maintainers=("someone",),
        source="pypi-json",
    )


def _version(version: str, day: int, *, yanked: bool = False) -> PackageVersion:
    return PackageVersion(
        version,
        datetime(2025, 1, day, tzinfo=UTC),
        yanked,
        "broken wheel" if yanked else None,
        None,
        (),
    )


def seed(api: ApiServer, tmp_path: Path) -> None:
    """jinja2 (licence curated to BSD-3-Clause, repository with metrics, 2.10 yanked) and
    requests (Apache-2.0 as declared, an inactive repository) are in the center; django and
    click are not."""
    load_advisories(api.store, tmp_path)
    declared = LicenseValue(None, "BSD", "ambiguous", "pypi:classifiers")
    apache = LicenseValue("Apache-2.0", "Apache 2.0", "mapped", "pypi:license")
    with api.store.engine.begin() as connection:
        save_package(
            connection,
            _record(
                "jinja2",
                "github.com/pallets/jinja",
                declared,
                _version("2.10", 1, yanked=True),
                _version("2.10.1", 2),
            ),
            T0,
        )
        save_package(
            connection,
            _record("requests", "github.com/psf/requests", apache, _version("2.19.0", 3)),
            T0,
        )
        curation = propose(
            connection,
            "pkg:pypi/jinja2",
            "license",
            "BSD-3-Clause",
            reason="the LICENSE file is BSD 3-clause",
            author="alice",
            evidence=EVIDENCE,
            now=T0,
        )
        review(connection, curation, True, "bob", "checked", T0)
    Metrics(api.store).replace(
        [
            ("github.com/pallets/jinja", "maintenance_status", "2026-01", None, '"slowing"'),
            ("github.com/pallets/jinja", "maintenance_status", "2026-02", None, '"active"'),
            ("github.com/pallets/jinja", "activity", "2026-02", 12.5, None),
            ("github.com/pallets/jinja", "openrank", "2026-02", 3.25, None),
            ("github.com/psf/requests", "maintenance_status", "2026-02", None, '"inactive"'),
        ],
        engine="duckdb",
        computed_at=T0,
        since=None,
    )


@pytest.fixture
def shop(api: ApiServer, tmp_path: Path) -> Iterator[tuple[ApiServer, str]]:
    seed(api, tmp_path)
    token = api.account("joined", "jo", role="member")
    with api.client(token) as http:
        assert http.post("/api/v1/projects", json={"name": "shop"}).status_code == 201
        put = http.put(
            "/api/v1/projects/shop/versions/1.0/inventory?filename=uv.lock", content=LOCK
        )
        assert put.status_code == 201, put.text
    yield api, token


def _components(api: ApiServer, token: str, **params: str) -> dict[str, dict[str, Any]]:
    with api.client(token) as http:
        page = http.get("/api/v1/projects/shop/versions/1.0/components", params=params)
    assert page.status_code == 200, page.text
    return {item["name"]: item for item in page.json()["items"]}


def test_a_known_component_carries_everything_the_center_knows(
    shop: tuple[ApiServer, str],
) -> None:
    api, token = shop
    jinja = _components(api, token)["jinja2"]
    assert jinja["known"] is True and jinja["direct"] is False
    [finding] = jinja["findings"]
    assert finding["id"] == JINJA and set(JINJA_ALIASES) <= set(finding["aliases"])
    assert finding["fixed"] == ["2.10.1"] and finding["severity"] in ("high", "medium")
    assert jinja["upgrade"] == "2.10.1"
    assert jinja["licence"]["value"] == "BSD-3-Clause"
    assert jinja["licence"]["confidence"] == "curated"
    assert jinja["licence"]["source"].startswith("curation:")
    assert jinja["repository"]["value"] == "github.com/pallets/jinja"
    assert jinja["maintenance_status"] == {"value": "active", "reason": None, "period": "2026-02"}
    assert jinja["activity"]["value"] == 12.5 and jinja["openrank"]["value"] == 3.25
    assert jinja["community_openrank"]["value"] is None
    assert "community_openrank" in jinja["community_openrank"]["reason"]
    assert jinja["registry"]["yanked"] is True and jinja["registry"]["deprecated"] is None
    # The health of the component's own version, as the public health endpoint scores it.
    with api.client() as http:
        public = http.get("/api/v1/health/pkg:pypi/jinja2@2.10").json()
    health = jinja["health"]
    assert health["version"] == public["version"] == "2.10"
    assert health["value"] == pytest.approx(public["score"], abs=1e-3)
    assert health["parts"] == pytest.approx(
        {part["name"]: part["score"] for part in public["parts"]}, abs=1e-3
    )
    assert health["missing"] == public["missing"] and health["missing"]


def test_an_unknown_component_is_unknown_not_guessed(shop: tuple[ApiServer, str]) -> None:
    api, token = shop
    shown = _components(api, token)
    click, django = shown["click"], shown["django"]
    assert click["known"] is False and click["findings"] == []
    for field in ("licence", "repository", "maintenance_status", "activity", "openrank", "health"):
        assert click[field]["value"] is None and click[field]["reason"], field
    assert click["registry"] == {
        "status": {"value": None, "reason": "the package is not in the center"},
        "deprecated": None,
        "yanked": None,
    }
    # Not in the center, yet its findings come from the advisories all the same.
    assert django["known"] is False and django["findings"]
    requests = shown["requests"]
    assert requests["known"] is True and requests["registry"]["yanked"] is False
    assert requests["licence"]["value"] == "Apache-2.0"
    assert requests["licence"]["confidence"] == "mapped"


def test_filters(shop: tuple[ApiServer, str]) -> None:
    api, token = shop
    every = set(_components(api, token))
    assert {"django", "jinja2", "requests", "click"} <= every
    assert set(_components(api, token, direct="false")) == {"jinja2"}
    assert {"django", "requests", "click"} <= set(_components(api, token, direct="true"))
    assert "jinja2" not in _components(api, token, direct="true")
    assert set(_components(api, token, licence="bsd-3-clause")) == {"jinja2"}
    assert set(_components(api, token, licence="Apache-2.0")) == {"requests"}
    assert {"django", "click"} <= set(_components(api, token, licence="unknown"))
    assert set(_components(api, token, maintenance="active")) == {"jinja2"}
    assert set(_components(api, token, maintenance="inactive")) == {"requests"}
    unknown_upkeep = set(_components(api, token, maintenance="unknown"))
    assert {"django", "click"} <= unknown_upkeep and not {"jinja2", "requests"} & unknown_upkeep
    vulnerable = set(_components(api, token, severity="low"))
    assert {"django", "jinja2", "requests"} <= vulnerable and "click" not in vulnerable
    critical = set(_components(api, token, severity="critical"))
    assert critical < vulnerable
    both = _components(api, token, direct="false", severity="low", licence="BSD-3-Clause")
    assert set(both) == {"jinja2"}


def test_portfolio_counts_the_latest_version_of_each_project(
    shop: tuple[ApiServer, str],
) -> None:
    api, token = shop
    shown = _components(api, token)
    with api.client(token) as http:
        assert http.post("/api/v1/projects", json={"name": "tool"}).status_code == 201
        old = b"jinja2==2.10\nrequests==2.19.0\n"
        new = b"jinja2==2.10.1\n"
        for version, body in (("1", old), ("2", new)):
            put = http.put(
                f"/api/v1/projects/tool/versions/{version}/inventory?filename=requirements.txt",
                content=body,
            )
            assert put.status_code == 201, put.text
        answer = http.get("/api/v1/portfolio")
    assert answer.status_code == 200
    rolled = answer.json()
    # shop 1.0 (every component) and tool 2 (jinja2 2.10.1 alone); tool 1 is not counted.
    assert rolled["projects"] == 2
    assert rolled["components"] == len(shown) + 1
    open_findings = [f for c in shown.values() for f in c["findings"]]
    assert sum(rolled["severity"].values()) == len(open_findings)
    assert rolled["licence"]["BSD-3-Clause"] == 2  # jinja2 in shop and in tool
    assert rolled["licence"]["Apache-2.0"] == 1
    assert rolled["licence"]["unknown"] == len(shown) - 2
    assert rolled["maintenance"] == {
        "active": 2,
        "inactive": 1,
        "unknown": len(shown) - 2,
    }
    per = {p["project"]: p for p in rolled["per_project"]}
    assert per["tool"] == {"project": "tool", "version": "2", "components": 1, "findings": 0}
    assert per["shop"]["findings"] == len(open_findings)


def test_the_join_reads_in_bulk_not_per_component(api: ApiServer, tmp_path: Path) -> None:
    """Statements the store runs for a page of 40 components and for one of 400: the
    join's reads do not grow with the number of components."""
    seed(api, tmp_path)
    token = api.account("bulk", "bo", role="member")
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    def run(size: int) -> int:
        lines = [f"pkg{n}=={n}.0" for n in range(size)] + ["jinja2==2.10", "requests==2.19.0"]
        with api.client(token) as http:
            name = f"p{size}"
            assert http.post("/api/v1/projects", json={"name": name}).status_code == 201
            put = http.put(
                f"/api/v1/projects/{name}/versions/1/inventory?filename=requirements.txt",
                content="\n".join(lines).encode(),
            )
            assert put.status_code == 201, put.text
            statements.clear()
            event.listen(api.store.engine, "before_cursor_execute", count)
            try:
                page = http.get(f"/api/v1/projects/{name}/versions/1/components?limit=500")
            finally:
                event.remove(api.store.engine, "before_cursor_execute", count)
        assert page.status_code == 200 and len(page.json()["items"]) == size + 2
        return len(statements)

    small, large = run(40), run(400)
    assert large <= small + 5, (small, large)


def test_registry_deprecation_is_shown_for_the_components_version(
    api: ApiServer, tmp_path: Path
) -> None:
    """npm deprecates versions: the message of the component's own version is shown, and
    a version the center does not hold is unknown rather than taken from another."""
    moved = "use String.prototype.padStart()"
    record = PackageRecord(
        purl="pkg:npm/left-pad",
        ecosystem="npm",
        name="left-pad",
        repository=None,
        repository_raw=None,
        homepage=None,
        description=None,
        status=PackageStatus.ACTIVE,
        license=LicenseValue("WTFPL", "WTFPL", "exact", "npm:license"),
        versions=(
            PackageVersion("1.2.0", datetime(2016, 3, 1, tzinfo=UTC), False, None, None, ()),
            PackageVersion(
                "1.3.0", datetime(2018, 4, 1, tzinfo=UTC), False, None, None, (), (), moved
            ),
        ),
        maintainers=("someone",),
        source="npm-registry",
    )
    with api.store.engine.begin() as connection:
        save_package(connection, record, T0)
    token = api.account("npm", "nia", role="member")
    bom = cyclonedx("pkg:npm/left-pad@1.3.0", "pkg:npm/left-pad@9.9.9")
    with api.client(token) as http:
        assert http.post("/api/v1/projects", json={"name": "web"}).status_code == 201
        put = http.put(
            "/api/v1/projects/web/versions/1/inventory?filename=bom.cdx.json", content=bom
        )
        assert put.status_code == 201, put.text
        items = http.get("/api/v1/projects/web/versions/1/components").json()["items"]
    shown = {item["version"]: item for item in items}
    current, missing = shown["1.3.0"], shown["9.9.9"]
    assert current["registry"] == {
        "status": {"value": "active", "reason": None},
        "deprecated": moved,
        "yanked": False,
    }
    assert current["repository"] == {"value": None, "reason": "the registry names no repository"}
    assert current["licence"]["value"] == "WTFPL"
    # Scored at the component's own (deprecated) version, as the health endpoint scores it.
    with api.client() as http:
        same = http.get("/api/v1/health/pkg:npm/left-pad@1.3.0").json()
        earlier = http.get("/api/v1/health/pkg:npm/left-pad@1.2.0").json()
    maintenance = {p["name"]: p["score"] for p in earlier["parts"]}["maintenance"]
    assert current["health"]["value"] == pytest.approx(same["score"], abs=1e-3)
    assert current["health"]["parts"]["maintenance"] < maintenance
    assert missing["known"] is True
    assert missing["registry"]["deprecated"] is None and missing["registry"]["yanked"] is None
    assert missing["health"]["value"] is None and "9.9.9" in missing["health"]["reason"]
