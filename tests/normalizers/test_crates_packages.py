"""crates.io records (sparse-index file, web API crate document) -> PackageRecord, over the
registry fixtures in tests/data/registries/crates/."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.ecosystems import CRATES
from ossmeta.errors import NormalizeError
from ossmeta.model import Dependency, FileDigest, LicenseValue, PackageStatus
from ossmeta.normalizers.crates_packages import package_from_crates
from ossmeta.purls import parse_purl
from tests.normalizers.damage import check_one_line, damaged

DATA = Path(__file__).parents[1] / "data" / "registries" / "crates"
INDEX_FILES = {"tidewater": "ti/de/tidewater", "husk": "hu/sk/husk", "kit": "3/k/kit"}


def index(name: str) -> dict[str, Any]:
    """The ``crates-index`` payload the source makes of a fixture index file: the name as
    the first line spells it and every line's object, in order."""
    text = (DATA / "index" / INDEX_FILES[name]).read_text(encoding="utf-8")
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    return {"name": lines[0]["name"], "versions": lines}


def document(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DATA / "api/v1/crates" / f"{name}.json").read_text())
    return loaded


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def line(vers: str, *, yanked: Any = False, **fields: Any) -> dict[str, Any]:
    return {"name": "demo", "vers": vers, "deps": [], "cksum": "ab" * 32, "yanked": yanked} | fields


def dep(name: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, "req": "^1", "optional": False, "target": None, "kind": "normal"} | fields


def test_tidewater_every_field() -> None:
    record = package_from_crates(index("tidewater"), document("tidewater"))
    assert (record.purl, record.ecosystem, record.name) == (
        "pkg:cargo/tidewater",
        CRATES,
        "tidewater",
    )
    assert record.repository == "github.com/tidewater-rs/tidewater"
    assert record.repository_raw == "https://github.com/tidewater-rs/tidewater.git"
    assert record.homepage == "https://tidewater.example.invalid"
    assert record.description == "Back-pressured byte streams over pipes and sockets"
    assert record.status is PackageStatus.ACTIVE
    assert record.source == "crates-index+crates-crate"
    assert record.maintainers == ("mwaters",)  # 0.1.0 has no published_by
    assert [v.version for v in record.versions] == [
        "0.1.0",
        "0.2.0",
        "0.3.0",
        "1.0.0",
        "1.1.0-beta.1",
    ]
    v010, v020, v030, v100, beta = record.versions
    # The package licence is the newest stable release's, not the pre-release's.
    assert record.license is v100.license
    assert v100.license == LicenseValue(
        "MIT OR Apache-2.0", "MIT OR Apache-2.0", "exact", "crates:license"
    )
    # Cargo's legacy "/" reads as OR.
    assert v030.license == LicenseValue(
        "MIT OR Apache-2.0", "MIT/Apache-2.0", "mapped", "crates:license"
    )
    assert v010.license is None  # the document's licence is null
    assert v010.published == at("2022-02-01T09:30:00+00:00")
    assert beta.published == at("2024-03-05T16:42:10.512390+00:00")
    assert (v020.yanked, v020.yanked_reason) == (True, "0.2.0 deadlocks on drop; use 0.3.0")
    assert all(not v.yanked and v.yanked_reason is None for v in (v010, v030, v100, beta))
    assert v010.files == (
        FileDigest(
            "tidewater-0.1.0.crate",
            ("sha256:6344f9bdbb36b737fe3d987d05796bc9b0778381ffe56f2a8b75b6dfde258297",),
        ),
    )
    assert v020.dependencies == (
        Dependency("pkg:cargo/libc", "^0.2.40", "runtime"),
        Dependency("pkg:cargo/log", "^0.4", "optional"),
    )
    assert v030.dependencies == (
        Dependency("pkg:cargo/log", "^0.4", "optional"),
        Dependency("pkg:cargo/cc", "^1.0.79", "build"),
        Dependency("pkg:cargo/proptest", "^1.2", "dev"),
        Dependency("pkg:cargo/libc", "^0.2.147", "runtime", markers="cfg(unix)"),
        Dependency("pkg:cargo/windows-sys", "^0.48", "runtime", markers="cfg(windows)"),
        Dependency(
            "pkg:cargo/wasm-bindgen", "=0.2.87", "runtime", markers="wasm32-unknown-unknown"
        ),
    )
    assert v100.dependencies == (
        # renamed in Cargo.toml: the purl is the real crate, the local name a flag
        Dependency("pkg:cargo/serde", "^1.0.180", "optional", flags=("renamed:serde1",)),
        Dependency("pkg:cargo/tokio", "^1.32", "optional"),
        Dependency("pkg:cargo/cc", "^1.0.83", "build"),
        Dependency("pkg:cargo/proptest", "^1.2", "dev"),
        Dependency("pkg:cargo/tokio", "^1.32", "dev"),
        Dependency("pkg:cargo/libc", "^0.2.147", "runtime", markers="cfg(unix)"),
        Dependency("pkg:cargo/windows-sys", "^0.48", "runtime", markers="cfg(windows)"),
        Dependency(
            "pkg:cargo/tidewater-internal-macros",
            "^1.0",
            "runtime",
            flags=("registry:https://example.invalid/private-index",),
        ),
    )


def test_all_yanked_crate_and_the_index_is_authoritative() -> None:
    record = package_from_crates(index("husk"), document("husk"))
    assert record.status is PackageStatus.YANKED_ONLY
    # 0.3.0 is only in the document (deleted from the index since): not a version.
    assert [v.version for v in record.versions] == ["0.1.0", "0.2.0"]
    v010, v020 = record.versions
    # The document still says 0.1.0 is live and carries an old message: the index's yank
    # counts, the message does not.
    assert (v010.yanked, v010.yanked_reason) == (True, None)
    assert (v020.yanked, v020.yanked_reason) == (True, "leaks a file handle per shell")
    assert v020.published == at("2022-12-24T16:45:00+00:00")  # given as +01:00
    assert v010.license == LicenseValue("MIT", "MIT", "exact", "crates:license")
    assert v020.license == LicenseValue(
        "Apache-2.0 OR MIT", "Apache-2.0/MIT", "mapped", "crates:license"
    )
    assert record.license == v020.license  # nothing live: the newest version's
    assert v010.dependencies == (
        Dependency("pkg:cargo/cc", "^1", "build", flags=("optional",)),
        Dependency("pkg:cargo/bitflags", "^1.3", "runtime"),  # no "kind" at all
    )
    assert v020.dependencies == (
        Dependency(
            "pkg:cargo/bitflags",
            "^2.4",
            "runtime",  # "kind": null
            markers='cfg(all(unix, not(target_os = "macos")))',
        ),
    )
    assert v020.files == (
        FileDigest(
            "husk-0.2.0.crate",
            ("sha256:285819e5210efb3652e68fc35a7080dfc9c73784c41bad52d58ee8c4b54172ba",),
        ),
    )
    # Neither repository nor homepage names a repository: none, the raw value kept.
    assert (record.repository, record.repository_raw) == (
        None,
        "https://husk.example.invalid/browse",
    )
    assert record.homepage == "https://husk.example.invalid"
    assert record.description == "Hollow shells for tests"
    # Publishers of listed versions only, newest first; 0.3.0's publisher is not one.
    assert record.maintainers == ("rkhan", "mwaters")


def test_index_alone() -> None:
    record = package_from_crates(index("kit"))
    assert (record.purl, record.name, record.source) == ("pkg:cargo/Kit", "Kit", "crates-index")
    assert (record.repository, record.repository_raw, record.homepage) == (None, None, None)
    assert (record.description, record.maintainers, record.license) == (None, (), None)
    assert record.status is PackageStatus.ACTIVE
    assert [(v.version, v.published, v.license) for v in record.versions] == [
        ("0.9.0", None, None),
        ("1.0.0", None, None),
    ]
    assert record.versions[1].files == (
        FileDigest(
            "Kit-1.0.0.crate",
            ("sha256:9f9518f84d27d75daad55ecebe970b44a493515ddaba749d0b181c6a1d5a6abd",),
        ),
    )
    assert record.versions[1].dependencies == (Dependency("pkg:cargo/ab", "^1", "runtime"),)


def test_document_for_a_differently_spelled_name_and_scp_repository() -> None:
    doc = document("kit")
    doc["crate"]["name"] = "kit"  # crates.io folds case: the same crate
    record = package_from_crates(index("kit"), doc)
    assert record.name == "Kit"  # as the index spells it
    assert (record.repository, record.repository_raw) == (
        "github.com/kitworks/kit",
        "git@github.com:kitworks/kit.git",
    )
    assert record.license == LicenseValue("Apache-2.0", "Apache-2.0", "exact", "crates:license")
    assert record.versions[0].published == at("2021-01-04T07:07:07.070707+00:00")


def test_repository_falls_back_to_a_homepage_that_is_one() -> None:
    doc = document("husk")
    doc["crate"]["homepage"] = "https://github.com/Husk-RS/husk/tree/main"
    record = package_from_crates(index("husk"), doc)
    assert (record.repository, record.repository_raw) == (
        "github.com/husk-rs/husk",
        "https://github.com/Husk-RS/husk/tree/main",
    )
    doc["crate"]["repository"] = None
    doc["crate"]["homepage"] = "https://husk.example.invalid"
    record = package_from_crates(index("husk"), doc)
    assert (record.repository, record.repository_raw) == (None, "https://husk.example.invalid")


def test_empty_index_is_removed() -> None:
    record = package_from_crates({"name": "gone", "versions": []}, None)
    assert (record.purl, record.status, record.versions, record.license) == (
        "pkg:cargo/gone",
        PackageStatus.REMOVED,
        (),
        None,
    )


def test_semver_order_duplicates_and_the_default_version() -> None:
    versions = [
        line("1.0.0", deps=[dep("first")]),
        line("0.10.0"),
        line("1.0", cksum=None),  # not SemVer: last, as given; no checksum, no file
        line("2.0.0-rc.1"),
        line("0.9.0"),
        line("1.0.0", deps=[dep("second")]),  # a second line for 1.0.0: the first wins
        line("1.1.0", yanked=True),
    ]
    record = package_from_crates({"name": "demo", "versions": versions})
    assert [v.version for v in record.versions] == [
        "0.9.0",
        "0.10.0",
        "1.0.0",
        "1.1.0",
        "2.0.0-rc.1",
        "1.0",
    ]
    assert record.versions[2].dependencies == (Dependency("pkg:cargo/first", "^1", "runtime"),)
    assert record.versions[-1].files == ()
    licensed = {
        "crate": {"name": "demo"},
        "versions": [
            {"num": v["vers"], "license": f"LicenseRef-{n}"} for n, v in enumerate(versions)
        ],
    }
    record = package_from_crates({"name": "demo", "versions": versions}, licensed)
    # 1.1.0 is yanked and 2.0.0-rc.1 a pre-release: 1.0.0 (its first line) is the default.
    assert record.license is not None and record.license.spdx == "LicenseRef-0"
    # No live release: the newest live version, a pre-release here, is the default.
    only_pre = [line("1.0.0", yanked=True), line("2.0.0-rc.1"), line("3.0.0", yanked=True)]
    licensed["versions"] = [
        {"num": "1.0.0", "license": "MIT"},
        {"num": "2.0.0-rc.1", "license": "ISC"},
    ]
    record = package_from_crates({"name": "demo", "versions": only_pre}, licensed)
    assert record.status is PackageStatus.ACTIVE
    assert record.license == LicenseValue("ISC", "ISC", "exact", "crates:license")


def test_identical_dependency_entries_once_and_flags_together() -> None:
    renamed = dep(
        "alias", package="real", optional=True, kind="build", registry="https://r.example"
    )
    versions = [
        line("1.0.0", deps=[dep("a"), dep("a"), renamed, dep("t", kind="dev", optional=True)])
    ]
    record = package_from_crates({"name": "demo", "versions": versions})
    assert record.versions[0].dependencies == (
        Dependency("pkg:cargo/a", "^1", "runtime"),
        Dependency(
            "pkg:cargo/real",
            "^1",
            "build",
            flags=("optional", "renamed:alias", "registry:https://r.example"),
        ),
        Dependency("pkg:cargo/t", "^1", "dev", flags=("optional",)),
    )


@pytest.mark.parametrize(
    ("versions", "message"),
    [
        (
            [line("1.0.0", deps=[dep("x", kind="peer")])],
            "crates-index demo: versions['1.0.0'].deps[0].kind is not normal, dev or build: 'peer'",
        ),
        (
            [line("1.0.0", deps=[dep("x", req=None)])],
            "crates-index demo: versions['1.0.0'].deps[0].req is missing",
        ),
        (
            [line("1.0.0", deps=[dep("x/y")])],
            "crates-index demo: versions['1.0.0'].deps[0].name is not a crate name: 'x/y'",
        ),
        (
            [line("1.0.0", deps=[dep("x", package="a b")])],
            "crates-index demo: versions['1.0.0'].deps[0].package is not a crate name: 'a b'",
        ),
        (
            [line("1.0.0", cksum="zz")],
            "crates-index demo: versions['1.0.0'].cksum.sha256 is not a hex digest",
        ),
        ([{"name": "demo"}], "crates-index demo: versions[0].vers is missing"),
        ([line("1.0.0", name="other")], "crates-index demo: versions[0] names 'other', not 'demo'"),
        ([line("1.0.0", yanked="no")], "crates-index demo: versions['1.0.0'].yanked must be true"),
    ],
)
def test_malformed_index_names_the_record(versions: list[Any], message: str) -> None:
    with pytest.raises(NormalizeError) as error:
        package_from_crates({"name": "demo", "versions": versions})
    assert str(error.value).startswith(message)


def test_malformed_document_names_the_document() -> None:
    tidewater = index("tidewater")
    with pytest.raises(NormalizeError) as error:
        package_from_crates(tidewater, document("misrouted"))
    assert str(error.value) == "crates-crate Kit: crate.name is not the index's crate 'tidewater'"
    doc = document("tidewater")
    doc["versions"][1]["created_at"] = "last autumn"
    with pytest.raises(
        NormalizeError, match=r"^crates-crate tidewater: versions\['1.0.0'\]\.created"
    ):
        package_from_crates(tidewater, doc)
    doc = document("tidewater")
    doc["versions"][0]["license"] = ["MIT"]
    with pytest.raises(
        NormalizeError, match=r"^crates-crate tidewater: .*license must be a string"
    ):
        package_from_crates(tidewater, doc)
    with pytest.raises(NormalizeError, match=r"^crates-crate tidewater: no 'crate' object"):
        package_from_crates(tidewater, {"versions": []})
    with pytest.raises(NormalizeError, match=r"^crates-index \?: the document must be an object"):
        package_from_crates([])  # type: ignore[arg-type]
    with pytest.raises(NormalizeError, match=r"^crates-index \?: name is missing"):
        package_from_crates({"versions": []})


def test_inputs_are_not_changed() -> None:
    given_index, given_doc = index("tidewater"), document("tidewater")
    before = copy.deepcopy((given_index, given_doc))
    package_from_crates(given_index, given_doc)
    assert (given_index, given_doc) == before


PAIRS = [(index(name), document(name)) for name in INDEX_FILES]
KINDS = ("crates-index ", "crates-crate ")


@given(st.sampled_from(PAIRS), st.sampled_from(["index", "crate", "index alone"]), st.data())
def test_damaged_records_raise_only_normalize_error(
    pair: tuple[dict[str, Any], dict[str, Any]], which: str, data: st.DataObject
) -> None:
    given_index, given_doc = pair
    if which == "crate":
        given_doc = data.draw(damaged(given_doc))
    else:
        given_index = data.draw(damaged(given_index))
    try:
        record = package_from_crates(given_index, None if which == "index alone" else given_doc)
    except NormalizeError as error:
        check_one_line(error, KINDS)
        return
    assert parse_purl(record.purl).name == record.name
    listed = [v.version for v in record.versions]
    assert len(set(listed)) == len(listed)
    assert all(f.filename.startswith(f"{record.name}-") for v in record.versions for f in v.files)
