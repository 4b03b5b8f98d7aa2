"""npm packuments -> PackageRecord, over the registry fixtures in tests/data/registries/npm/."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.errors import NormalizeError
from ossmeta.model import Dependency, FileDigest, LicenseValue, PackageStatus
from ossmeta.normalizers.npm_packages import package_from_npm
from tests.normalizers.damage import check_one_line, damaged

DATA = Path(__file__).parents[1] / "data" / "registries" / "npm"
FIXTURES = sorted(p.name for p in DATA.glob("*.json"))


def load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DATA / name).read_text())
    return loaded


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_tinyfold_every_field() -> None:
    record = package_from_npm(load("tinyfold.json"))
    assert (record.purl, record.ecosystem, record.name) == ("pkg:npm/tinyfold", "npm", "tinyfold")
    assert record.repository == "github.com/tinyfold/tinyfold"
    assert record.repository_raw == "git+https://github.com/tinyfold/tinyfold.git"
    assert record.homepage == "https://github.com/tinyfold/tinyfold#readme"
    assert record.description == "Fold arrays into tiny summaries"
    assert record.maintainers == ("alice <alice@example.com>", "bob <bob@example.com>")
    assert record.source == "npm-packument"
    # 0.3.0 is deprecated, but the latest (1.0.0) is not.
    assert record.status is PackageStatus.ACTIVE
    assert record.license == LicenseValue("MIT", "MIT", "exact", "npm:license")
    assert [v.version for v in record.versions] == ["0.1.0", "0.2.0", "0.3.0", "1.0.0"]
    v010, v020, v030, v100 = record.versions
    assert v010.published == at("2019-03-02T10:11:12.500Z")
    assert v100.published == at("2021-06-30T12:00:00.000Z")
    # Licence in every legacy shape: an object, the `licenses` array, a parenthesized expression.
    assert v010.license == LicenseValue("MIT", "MIT", "exact", "npm:license")
    assert v020.license == LicenseValue(
        "Apache-2.0 AND MIT", "MIT | Apache-2.0", "exact", "npm:licenses"
    )
    assert v030.license == LicenseValue(
        "MIT OR Apache-2.0", "(MIT OR Apache-2.0)", "exact", "npm:license"
    )
    assert v030.deprecated == "0.3.0 corrupts nested folds; upgrade to 1.0.0"
    assert all(v.deprecated is None for v in (v010, v020, v100))
    assert all(not v.yanked and v.yanked_reason is None for v in record.versions)
    assert v100.dependencies == (
        Dependency("pkg:npm/minireduce", "^1.2.0", "runtime"),
        Dependency("pkg:npm/tape", "^5.6.0", "dev"),
    )
    assert v010.files == (
        FileDigest(
            "tinyfold-0.1.0.tgz",
            (
                "sha512:fce405ddbc77cc06a2cf8352eee4f3aba4e48dc71fe5d9864179221c3a2fe856"
                "43f2909824bd1b1f4b36edf00dc578753d2d1c0c213a4fc5deac599100d73038",
                "sha1:78c9cdb97e410a0dca61309efe9408d8ec1a537a",
            ),
            "{{registry}}/tinyfold/-/tinyfold-0.1.0.tgz",
        ),
    )


def test_scoped_monorepo_package() -> None:
    record = package_from_npm(load("@acme__widgets.json"))
    assert (record.purl, record.name) == ("pkg:npm/%40acme/widgets", "@acme/widgets")
    # git+ssh with a monorepo `directory`: the repository is the monorepo.
    assert record.repository == "github.com/acme/monorepo"
    assert record.repository_raw == "git+ssh://git@github.com/acme/monorepo.git"
    assert [v.version for v in record.versions] == ["2.0.0", "2.1.0", "2.2.0-beta.1"]
    assert record.license == LicenseValue("Apache-2.0", "Apache-2.0", "exact", "npm:license")
    assert record.versions[1].dependencies == (
        Dependency("pkg:npm/%40acme/core", "^2.1.0", "runtime"),
        Dependency("pkg:npm/typescript", "~5.2.2", "dev"),
    )
    assert record.maintainers == ("bob <bob@example.com>",)


def test_peer_optional_and_bundled_scopes() -> None:
    record = package_from_npm(load("gridpane.json"))
    assert record.repository == "github.com/gridpane/gridpane"  # the "user/repo" shorthand
    assert record.repository_raw == "https://github.com/gridpane/gridpane"
    assert record.homepage is None
    assert record.license == LicenseValue(
        None, "SEE LICENSE IN LICENSE.md", "unknown", "npm:license"
    )
    # Each scope's dependencies in name order, whatever order the document gives them in.
    expected = (
        Dependency("pkg:npm/left-pad-lite", "1.0.2", "runtime", flags=("bundled",)),
        Dependency("pkg:npm/tiny-splitter", "^0.4.1", "runtime"),
        Dependency("pkg:npm/fsevents", "^2.3.2", "optional"),
        Dependency("pkg:npm/react", ">=17 <19", "peer"),
        Dependency("pkg:npm/react-dom", ">=17 <19", "peer", flags=("optional",)),
    )
    # 3.0.0 says bundleDependencies, 3.1.0 the bundledDependencies spelling.
    assert [v.dependencies for v in record.versions] == [expected, expected]


def _reversed_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _reversed_keys(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [_reversed_keys(item) for item in value]
    return value


@pytest.mark.parametrize("fixture", ["gridpane.json", "@acme__widgets.json"])
def test_key_order_does_not_matter(fixture: str) -> None:
    """The sync normalizes the packument as fetched, ``ossmeta normalize`` the stored copy
    with sorted keys: both must give the same record."""
    given = load(fixture)
    assert package_from_npm(_reversed_keys(given)) == package_from_npm(given)


def test_deprecated_latest_optional_duplicate_and_semver_order() -> None:
    record = package_from_npm(load("sunset-lib.json"))
    assert record.status is PackageStatus.DEPRECATED
    assert [v.version for v in record.versions] == ["1.0.0-rc.1", "1.0.0", "1.9.0", "1.10.0"]
    rc, plain, nine, ten = record.versions
    assert ten.deprecated == "sunset-lib is no longer maintained; use dawn-lib"
    assert nine.deprecated is None  # "" is npm's un-deprecate
    # scp-style URL, case folded for gitlab.com
    assert record.repository == "gitlab.com/sunset/sunset-lib"
    assert record.repository_raw == "git@gitlab.com:Sunset/Sunset-Lib.git"
    # maintainers as given (objects and a "name <email>" string), duplicates dropped
    assert record.maintainers == ("carol <carol@example.com>", "dave <dave@example.com>")
    assert ten.dependencies == (
        Dependency("pkg:npm/chalk-lite", "^2.0.0", "runtime", flags=("bundled",)),
        Dependency("pkg:npm/fsevents", "^2.3.2", "optional", flags=("bundled",)),
        Dependency("pkg:npm/typescript", "*", "peer", flags=("optional",)),
    )
    assert ten.license == LicenseValue("MIT", "MIT", "exact", "npm:license")
    assert nine.license == LicenseValue("Apache-2.0", "Apache 2.0", "mapped", "npm:license")
    assert rc.license is not None and rc.license.confidence == "ambiguous"
    assert (rc.license.spdx, rc.license.source) == (None, "npm:licenses")
    assert plain.license is None  # declares nothing; the top-level licence is not borrowed
    assert record.license == ten.license


def test_unpublished_and_emptied_packuments_are_removed() -> None:
    gone = package_from_npm(load("gone-pkg.json"))
    assert (gone.purl, gone.status, gone.versions, gone.license) == (
        "pkg:npm/gone-pkg",
        PackageStatus.REMOVED,
        (),
        None,
    )
    renamed = package_from_npm(load("renamed-pkg.json"))
    assert (renamed.name, renamed.status) == ("other-pkg", PackageStatus.REMOVED)


def test_malformed_packuments_name_the_record() -> None:
    doc = load("tinyfold.json")
    doc["versions"]["1.0.0"]["dependencies"]["minireduce"] = 1
    with pytest.raises(NormalizeError) as error:
        package_from_npm(doc)
    assert str(error.value) == (
        "npm-packument tinyfold: versions['1.0.0'].dependencies['minireduce'] must be a string"
    )
    doc = load("tinyfold.json")
    doc["versions"]["0.1.0"]["dist"]["integrity"] = "sha512-%%%"
    with pytest.raises(NormalizeError, match=r"^npm-packument tinyfold: .*Subresource Integrity"):
        package_from_npm(doc)
    doc = load("tinyfold.json")
    doc["time"]["1.0.0"] = "yesterday"
    with pytest.raises(NormalizeError, match=r"time\['1.0.0'\] is not an ISO 8601 time"):
        package_from_npm(doc)
    with pytest.raises(NormalizeError, match=r"^npm-packument \?: no name"):
        package_from_npm({"versions": {}})


def test_input_is_not_changed() -> None:
    doc = load("sunset-lib.json")
    before = copy.deepcopy(doc)
    package_from_npm(doc)
    assert doc == before


DOCS = [load(name) for name in FIXTURES]


@given(st.sampled_from(DOCS).flatmap(damaged))
def test_damaged_packuments_raise_only_normalize_error(doc: Any) -> None:
    try:
        record = package_from_npm(doc)
    except NormalizeError as error:
        check_one_line(error, ("npm-packument ",))
        return
    assert record.purl.startswith("pkg:npm/")
