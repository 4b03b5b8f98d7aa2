"""PyPI records (project, simple page, release, core metadata) -> PackageRecord, over the
registry fixtures in tests/data/registries/pypi/."""

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
from ossmeta.normalizers.pypi_packages import package_from_pypi
from ossmeta.normalizers.pypi_requirements import dependencies
from ossmeta.sources.pypi import parse_core_metadata
from tests.normalizers.damage import check_one_line, damaged

DATA = Path(__file__).parents[1] / "data" / "registries" / "pypi"


def load(*parts: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DATA.joinpath(*parts).read_text())
    return loaded


def records(name: str) -> dict[str, Any]:
    """Every stored record of one project, as ``package_from_pypi`` keywords."""
    prefix = name.replace("-", "_") + "-"
    return {
        "project": load("project", f"{name}.json"),
        "simple": load("simple", f"{name}.json")
        if (DATA / "simple" / f"{name}.json").exists()
        else None,
        "releases": {
            p.stem: load("release", name, p.name) for p in (DATA / "release").glob(f"{name}/*.json")
        },
        "core_metadata": {
            p.name.removesuffix(".metadata"): parse_core_metadata(p.read_bytes(), p.name)
            for p in (DATA / "files").glob(f"{prefix}*.metadata")
        },
    }


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_aurora_cache_every_field() -> None:
    record = package_from_pypi(**records("aurora-cache"))
    assert record.purl == "pkg:pypi/aurora-cache"
    assert (record.ecosystem, record.name) == ("PyPI", "aurora-cache")
    assert record.repository == "github.com/aurora-cache/aurora-cache"
    assert record.repository_raw == "https://github.com/aurora-cache/aurora-cache"
    assert record.homepage == "https://aurora-cache.example.org"
    assert record.description == "A small read-through cache for slow lookups"
    assert record.status is PackageStatus.ACTIVE
    assert record.maintainers == (
        "Mira Okafor <mira@example.org>",
        "Jonas Lindqvist <jonas@example.org>",
    )
    assert record.source == "pypi-project+pypi-simple+pypi-release+pypi-core-metadata"
    apache = LicenseValue("Apache-2.0", "Apache 2.0", "mapped", "pypi:license")
    assert record.license == apache
    assert [v.version for v in record.versions] == ["1.0.0", "1.1.0", "1.1.1"]
    first, yanked, latest = record.versions
    assert first.published == at("2023-02-14T09:21:07.331845")  # the earliest of its files
    assert (first.yanked, first.yanked_reason, first.license) == (False, None, apache)
    assert first.files == (
        FileDigest(
            "aurora_cache-1.0.0-py3-none-any.whl",
            (
                "sha256:3a148f6bf9b3023b9924f559c26955fb572267954c896d50f57ec3f2e79b12dc",
                "blake2b_256:a8852cb1eef2f4a3f7be92446a3b1e786f77b74395e3e327e6a9706b868f72ee",
                "md5:acdb15ccca123d2b1aaf073674ed2728",
            ),
            "@BASE@/files/aurora_cache-1.0.0-py3-none-any.whl",
        ),
        FileDigest(
            "aurora_cache-1.0.0.tar.gz",
            (
                "sha256:de676e889eff63b333664d05b12c831e193b069c57139c6c9cc7eb3546910a40",
                "blake2b_256:4816362f0b54ef068f6a7cdf0a125f4c55eb654813230f596a83f4b957892a40",
                "md5:5108ceab582a0afa4fd15f6d6f2e5df8",
            ),
            "@BASE@/files/aurora_cache-1.0.0.tar.gz",
        ),
    )
    assert (yanked.yanked, yanked.yanked_reason) == (True, "Wheel is broken on Windows; use 1.1.1")
    assert yanked.published == at("2024-06-03T17:45:52.118290")
    assert latest.published == at("2024-06-05T08:02:13.774102")
    assert all(v.dependencies == () and v.deprecated is None for v in record.versions)


def test_yank_from_the_simple_page_alone() -> None:
    """PEP 691 ``yanked`` as a reason string is enough, without the JSON API's flag."""
    project = load("project", "aurora-cache.json")
    for entry in project["releases"]["1.1.0"]:
        entry["yanked"], entry["yanked_reason"] = False, None
    record = package_from_pypi(project, load("simple", "aurora-cache.json"))
    assert [(v.version, v.yanked, v.yanked_reason) for v in record.versions] == [
        ("1.0.0", False, None),
        ("1.1.0", True, "Wheel is broken on Windows; use 1.1.1"),
        ("1.1.1", False, None),
    ]


def test_fennec_extras_become_optional_with_their_extra_and_markers_kept() -> None:
    record = package_from_pypi(**records("fennec-http"))
    assert record.repository == "gitlab.com/fennec/fennec-http"
    assert record.homepage is None
    assert record.maintainers == (
        "Priya Natarajan <priya@example.com>",
        "Tomasz Wilk <tomasz@example.com>",
        "Fennec team",
    )
    # "BSD" and the "BSD License" classifier both name a family: flagged, not guessed.
    assert record.license == LicenseValue(None, "BSD", "ambiguous", "pypi:license")
    (version,) = record.versions
    platform = "platform_python_implementation"
    assert version.dependencies == (
        Dependency("pkg:pypi/idna", ">=3.4", "runtime"),
        Dependency("pkg:pypi/certifi", "", "runtime"),
        Dependency("pkg:pypi/tomli", ">=2.0", "runtime", 'python_version < "3.11"'),
        Dependency("pkg:pypi/brotli", ">=1.1", "optional", f'{platform} == "CPython"', "brotli"),
        Dependency(
            "pkg:pypi/brotlicffi", ">=1.1", "optional", f'{platform} != "CPython"', "brotli"
        ),
        Dependency(
            "pkg:pypi/h2", "<5,>=4", "optional", None, "http2"
        ),  # as declared, not re-sorted
        Dependency("pkg:pypi/pytest", ">=8", "optional", None, "test"),
    )


def test_license_expression_wins_and_each_version_keeps_its_own() -> None:
    record = package_from_pypi(**records("quill-lex"))
    assert record.repository == "github.com/quill-lex/quill-lex"
    assert record.repository_raw == "https://github.com/quill-lex/quill-lex.git"
    assert record.homepage == "https://quill.example.net"
    assert record.maintainers == (
        "Ana Ruiz <ana@example.net>",
        "Quill maintainers <maintainers@example.net>",
    )
    old, new = record.versions
    assert old.license == LicenseValue("MIT", "MIT", "exact", "pypi:license")  # its core metadata
    expression = LicenseValue(
        "MIT OR Apache-2.0", "MIT OR Apache-2.0", "exact", "pypi:license_expression"
    )
    assert new.license == expression == record.license


def test_versions_in_pep440_order_unparseable_last_and_classifier_fallback() -> None:
    record = package_from_pypi(load("project", "vellum-parse.json"))
    assert record.purl == "pkg:pypi/vellum-parse"
    assert [v.version for v in record.versions] == ["0.5.0", "1.2", "1.9.0", "1.10.0", "nightly"]
    empty, _, nine, ten, nightly = record.versions
    assert (empty.published, empty.yanked, empty.files) == (None, False, ())
    assert nine.published == at("2023-10-09T08:30:00")  # the wheel came a day before the sdist
    assert nightly.files[0].filename == "vellum.parse-nightly.tar.gz"
    # The license field holds the whole MIT text (unknown); the classifier is exact.
    assert ten.license == LicenseValue("MIT", "MIT", "exact", "pypi:classifiers")
    assert nine.license is None  # no metadata record describes 1.9.0
    # "Source Code" beats "Homepage"; scp-style git+ssh is canonicalized, case folded.
    assert record.repository == "github.com/vellum-org/vellum-parse"
    assert record.repository_raw == "git+ssh://git@github.com/Vellum-Org/Vellum-Parse.git"
    assert record.homepage == "https://vellum.example.com"
    assert record.maintainers == ("Lena Fischer <lena@example.com>",)
    # "Development Status :: 7 - Inactive" is not a deprecation.
    assert record.status is PackageStatus.ACTIVE
    assert ten.dependencies == (
        Dependency("pkg:pypi/regex", ">=2023.1", "runtime"),
        Dependency("pkg:pypi/colorama", "", "runtime", 'sys_platform == "win32"'),
        Dependency("pkg:pypi/rich", ">=13.0", "optional", None, "cli"),
        Dependency(
            "pkg:pypi/typing-extensions",
            ">=4.0",
            "optional",
            'python_version < "3.8" or extra == "compat"',
            "compat",
        ),
        Dependency(
            "pkg:pypi/tomli",
            "tomli >= 1.0 ; python_version <<< '3.11'",
            "runtime",
            flags=("unparsed",),
        ),
    )


def test_yanked_only_with_reasons_from_either_api() -> None:
    record = package_from_pypi(
        load("project", "retired-tool.json"), load("simple", "retired-tool.json")
    )
    assert record.status is PackageStatus.YANKED_ONLY
    assert [(v.version, v.yanked, v.yanked_reason) for v in record.versions] == [
        ("0.1.0", True, "Unsafe defaults"),
        ("0.2.0", True, "Superseded by new-tool"),
    ]
    sdist = record.versions[1].files[1]  # only on the simple page: absolute URL kept, no fragment
    assert sdist == FileDigest(
        "retired_tool-0.2.0.tar.gz",
        ("sha256:" + "9" * 64,),
        "https://files.example.org/retired_tool-0.2.0.tar.gz",
    )
    assert record.license == LicenseValue("GPL-3.0-or-later", "GPLv3+", "mapped", "pypi:license")
    assert record.repository is None  # the home page is not a repository
    assert record.repository_raw == "https://retired.example.org"
    assert record.maintainers == ("Sam Ode <sam@example.org>",)


def test_one_live_file_keeps_a_version_installable() -> None:
    simple = load("simple", "retired-tool.json")
    simple["files"][3]["yanked"] = False
    record = package_from_pypi(load("project", "retired-tool.json"), simple)
    assert [v.yanked for v in record.versions] == [True, False]
    assert record.status is PackageStatus.ACTIVE


def test_no_releases_is_removed_and_project_status_markers() -> None:
    project = load("project", "aurora-cache.json")
    gone = copy.deepcopy(project)
    gone["releases"] = {}
    removed = package_from_pypi(gone)
    assert (removed.status, removed.versions, removed.license) == (PackageStatus.REMOVED, (), None)
    simple = load("simple", "aurora-cache.json")
    simple["project-status"] = {"status": "deprecated", "reason": "use aurora-cache2"}
    assert package_from_pypi(project, simple).status is PackageStatus.DEPRECATED
    simple["project-status"] = {"status": "quarantined"}
    assert package_from_pypi(project, simple).status is PackageStatus.REMOVED
    simple["project-status"] = {"status": "archived"}
    assert package_from_pypi(project, simple).status is PackageStatus.ACTIVE


def test_simple_page_alone_lists_versions() -> None:
    project = load("project", "quill-lex.json")
    del project["releases"]
    record = package_from_pypi(project, load("simple", "quill-lex.json"))
    assert [v.version for v in record.versions] == ["0.9.0", "1.0.0"]
    assert record.versions[0].published == at("2024-11-20T13:00:41.512009")
    assert record.versions[0].files[0].url is None  # relative on the page: no base to resolve
    with pytest.raises(NormalizeError, match=r"^pypi-project quill-lex: no version list"):
        package_from_pypi(project)


def test_stale_release_records_do_not_bring_back_a_version() -> None:
    kwargs = records("aurora-cache")
    del kwargs["project"]["releases"]["1.1.0"]
    kwargs["simple"]["versions"].remove("1.1.0")
    record = package_from_pypi(**kwargs)
    assert [v.version for v in record.versions] == ["1.0.0", "1.1.1"]


def test_requirement_text_is_kept_as_declared() -> None:
    found = dependencies(
        [
            "Foo_Bar (>=1.0, <2)",
            "u @ https://example.com/u-1.0-py3-none-any.whl ; extra == 'q'",
            'x; (extra == "a" or extra == "b") and os_name == "nt"',
            '$$$; extra == "a"',
        ]
    )
    assert found == (
        Dependency("pkg:pypi/foo-bar", ">=1.0, <2", "runtime"),
        Dependency(
            "pkg:pypi/u", "https://example.com/u-1.0-py3-none-any.whl", "optional", None, "q"
        ),
        Dependency("pkg:pypi/x", "", "optional", 'os_name == "nt"', "a"),
        Dependency("pkg:pypi/x", "", "optional", 'os_name == "nt"', "b"),
    )


def test_malformed_records_name_the_record() -> None:
    project = load("project", "aurora-cache.json")
    project["releases"]["1.0.0"][0]["digests"]["sha256"] = "not hex"
    with pytest.raises(NormalizeError) as error:
        package_from_pypi(project)
    assert str(error.value).startswith("pypi-project Aurora_Cache: releases['1.0.0'][0].digests")
    with pytest.raises(NormalizeError, match=r"^pypi-release aurora-cache@1\.1\.0: info must be"):
        package_from_pypi(load("project", "aurora-cache.json"), releases={"1.1.0": {"info": []}})
    meta = {"x.whl": {"Version": "1.0.0", "Name": ["x"]}}
    with pytest.raises(NormalizeError, match=r"^pypi-core-metadata x\.whl: Version must be a list"):
        package_from_pypi(load("project", "aurora-cache.json"), core_metadata=meta)
    with pytest.raises(NormalizeError, match=r"^pypi-project Aurora_Cache: releases given must be"):
        package_from_pypi(load("project", "aurora-cache.json"), releases=[])  # type: ignore[arg-type]
    with pytest.raises(NormalizeError, match=r"^pypi-project \?: the document must be an object"):
        package_from_pypi([])  # type: ignore[arg-type]


def test_inputs_are_not_changed() -> None:
    kwargs = records("fennec-http")
    before = copy.deepcopy(kwargs)
    package_from_pypi(**kwargs)
    assert kwargs == before


KINDS = ("pypi-project ", "pypi-simple ", "pypi-release ", "pypi-core-metadata ")
FULL = records("aurora-cache")
FENNEC = records("fennec-http")


@given(st.sampled_from([FULL, FENNEC]), st.sampled_from(sorted(FULL)), st.data())
def test_damaged_records_raise_only_normalize_error(
    kwargs: dict[str, Any], which: str, data: st.DataObject
) -> None:
    broken = dict(kwargs)
    broken[which] = data.draw(damaged(kwargs[which]))
    try:
        record = package_from_pypi(**broken)
    except NormalizeError as error:
        check_one_line(error, KINDS)
        return
    assert record.purl.startswith("pkg:pypi/")
