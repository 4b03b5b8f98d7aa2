"""The ``ossmeta packages show --format json`` contract (issue 3), from normalized records."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ossmeta.model import Dependency, LicenseValue, PackageRecord, PackageStatus, PackageVersion
from ossmeta.normalizers.npm_packages import package_from_npm
from ossmeta.normalizers.package_json import package_to_json
from ossmeta.normalizers.pypi_packages import package_from_pypi

DATA = Path(__file__).parents[1] / "data" / "registries"
TOP_KEYS = ["purl", "repository", "status", "license", "versions", "dependents"]
LICENSE_KEYS = ["spdx", "raw", "confidence", "source"]
VERSION_KEYS = ["version", "published", "yanked", "license", "dependencies"]
DEPENDENCY_KEYS = ["purl", "requirement", "scope"]


def test_the_issue_example_round_trips_exactly() -> None:
    apache = LicenseValue("Apache-2.0", "Apache 2.0", "mapped", "pypi")
    record = PackageRecord(
        purl="pkg:pypi/requests",
        ecosystem="PyPI",
        name="requests",
        repository="github.com/psf/requests",
        repository_raw="https://github.com/psf/requests",
        homepage=None,
        description=None,
        status=PackageStatus.ACTIVE,
        license=apache,
        versions=(
            PackageVersion(
                version="2.32.3",
                # a non-UTC offset and microseconds: rendered in UTC, to the second
                published=datetime(
                    2024, 5, 29, 17, 37, 47, 123456, tzinfo=timezone(timedelta(hours=2))
                ),
                yanked=False,
                yanked_reason=None,
                license=LicenseValue("Apache-2.0", "Apache-2.0", "exact", "pypi"),
                dependencies=(
                    Dependency("pkg:pypi/urllib3", ">=1.21.1,<3", "runtime", None, None, ("x",)),
                ),
            ),
        ),
    )
    assert package_to_json(record) == {
        "purl": "pkg:pypi/requests",
        "repository": "github.com/psf/requests",
        "status": "active",
        "license": {
            "spdx": "Apache-2.0",
            "raw": "Apache 2.0",
            "confidence": "mapped",
            "source": "pypi",
        },
        "versions": [
            {
                "version": "2.32.3",
                "published": "2024-05-29T15:37:47Z",
                "yanked": False,
                "license": {
                    "spdx": "Apache-2.0",
                    "raw": "Apache-2.0",
                    "confidence": "exact",
                    "source": "pypi",
                },
                "dependencies": [
                    {"purl": "pkg:pypi/urllib3", "requirement": ">=1.21.1,<3", "scope": "runtime"}
                ],
            }
        ],
        "dependents": 0,
    }
    assert package_to_json(record, dependents=12)["dependents"] == 12


def _check_shape(document: dict[str, object]) -> None:
    assert list(document) == TOP_KEYS
    json.dumps(document, allow_nan=False)  # plain JSON data only
    license = document["license"]
    assert license is None or (isinstance(license, dict) and list(license) == LICENSE_KEYS)
    assert isinstance(document["versions"], list)
    for version in document["versions"]:
        assert list(version) == VERSION_KEYS
        published = version["published"]
        assert published is None or (published.endswith("Z") and len(published) == 20)
        assert version["license"] is None or list(version["license"]) == LICENSE_KEYS
        assert all(list(d) == DEPENDENCY_KEYS for d in version["dependencies"])


def test_fixture_packages_render_in_the_contract_shape() -> None:
    pypi = DATA / "pypi"
    project = json.loads((pypi / "project" / "retired-tool.json").read_text())
    simple = json.loads((pypi / "simple" / "retired-tool.json").read_text())
    retired = package_to_json(package_from_pypi(project, simple))
    _check_shape(retired)
    assert retired["status"] == "yanked-only"
    assert retired["repository"] is None
    assert [(v["version"], v["published"], v["yanked"]) for v in retired["versions"]] == [
        ("0.1.0", "2020-05-05T05:05:05Z", True),
        ("0.2.0", "2020-06-06T06:06:06Z", True),
    ]
    for name in ("tinyfold.json", "gridpane.json", "gone-pkg.json", "sunset-lib.json"):
        _check_shape(
            package_to_json(package_from_npm(json.loads((DATA / "npm" / name).read_text())))
        )
    sunset = package_to_json(
        package_from_npm(json.loads((DATA / "npm" / "sunset-lib.json").read_text()))
    )
    assert sunset["status"] == "deprecated"
    assert sunset["versions"][-1]["dependencies"] == [
        {"purl": "pkg:npm/chalk-lite", "requirement": "^2.0.0", "scope": "runtime"},
        {"purl": "pkg:npm/fsevents", "requirement": "^2.3.2", "scope": "optional"},
        {"purl": "pkg:npm/typescript", "requirement": "*", "scope": "peer"},
    ]
    gone = package_to_json(
        package_from_npm(json.loads((DATA / "npm" / "gone-pkg.json").read_text()))
    )
    assert gone == {
        "purl": "pkg:npm/gone-pkg",
        "repository": None,
        "status": "removed",
        "license": None,
        "versions": [],
        "dependents": 0,
    }


def test_naive_times_are_taken_as_utc() -> None:
    version = PackageVersion("1.0", datetime(2020, 1, 2, 3, 4, 5), False, None, None, ())
    record = PackageRecord(
        "pkg:pypi/x", "PyPI", "x", None, None, None, None, PackageStatus.ACTIVE, None, (version,)
    )
    assert package_to_json(record)["versions"][0]["published"] == "2020-01-02T03:04:05Z"
