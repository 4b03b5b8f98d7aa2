"""SemVer 2.0.0 (OSV SEMVER), npm, crates.io and Go orderings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.versions import Ordering
from ossmeta.versions.semver import CARGO, GO, NPM, SEMVER
from tests.versions.laws import (
    assert_ascending,
    assert_equal,
    assert_invalid,
    assert_total_order,
    fuzz,
    sign,
    univers,
)

# semver.org §11's example, verbatim.
SPEC_ORDER = [
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
]

numbers = st.sampled_from(["0", "1", "2", "9", "10", "11"])
identifiers = st.one_of(
    numbers,
    st.sampled_from(["alpha", "beta", "rc", "a1", "x-y", "-", "0a", "Z", "z"]),
    st.just("123456789012345678901234567890"),
)
build = st.lists(st.sampled_from(["001", "build", "sha-1", "x"]), min_size=1, max_size=2)


@st.composite
def semver_text(draw: st.DrawFn, with_build: bool = True) -> str:
    text = ".".join(draw(st.lists(numbers, min_size=3, max_size=3)))
    if draw(st.booleans()):
        text += "-" + ".".join(draw(st.lists(identifiers, min_size=1, max_size=4)))
    if with_build and draw(st.booleans()):
        text += "+" + ".".join(draw(build))
    return text


@pytest.mark.parametrize("ordering", [SEMVER, NPM, CARGO, GO])
def test_spec_precedence_example(ordering: Ordering) -> None:
    assert_ascending(ordering, SPEC_ORDER)
    assert_ascending(ordering, ["1.0.0", "2.0.0", "2.1.0", "2.1.1"])


@pytest.mark.parametrize("ordering", [SEMVER, NPM, CARGO, GO])
def test_build_metadata_is_ignored(ordering: Ordering) -> None:
    assert_equal(ordering, ["1.0.0", "1.0.0+20130313144700", "1.0.0+exp.sha.5114f85"])
    assert_equal(ordering, ["1.0.0-beta+exp.sha.5114f85", "1.0.0-beta"])


def test_numeric_identifiers_compare_as_integers() -> None:
    assert_ascending(SEMVER, ["1.0.0-2", "1.0.0-10", "1.0.0-10a", "1.0.0-2a"])
    assert_ascending(SEMVER, ["9.0.0", "10.0.0", "99999999999999999999999.0.0"])
    assert_ascending(SEMVER, ["1.0.0-A", "1.0.0-Z", "1.0.0-a"])  # ASCII order


def test_prerelease_flag() -> None:
    assert SEMVER.is_prerelease("1.0.0-rc.1")
    assert not SEMVER.is_prerelease("1.0.0+build")
    assert GO.is_prerelease("v0.0.0-20210101000000-abcdef123456")
    assert not GO.is_prerelease("v2.0.0+incompatible")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1",
        "1.0",
        "v1.0.0",
        "01.0.0",
        "1.00.0",
        "1.0.0-01",
        "1.0.0-",
        "1.0.0-a..b",
        "1.0.0+",
        "1.0.0 ",
        "1.0.0\n",
        "1.0.0.0",
        "=1.0.0",
        "1.\u0661.0",
        "1.0.0-\u00e9",
    ],
)
def test_strict_semver_rejects(text: str) -> None:
    assert_invalid(SEMVER, text)
    assert_invalid(CARGO, text)


def test_npm_accepts_what_semver_clean_accepts() -> None:
    assert_equal(NPM, ["1.2.3", "v1.2.3", "=1.2.3", " =v1.2.3 ", "==vv1.2.3", "\t1.2.3\n"])
    for text in ["V1.2.3", "1.2", "01.2.3", "1.2.3-01", "v" * 300 + "1.2.3", "1.2.3 x"]:
        assert_invalid(NPM, text)
    # Numbers above Number.MAX_SAFE_INTEGER are rejected by node-semver.
    NPM.key("9007199254740991.0.0")
    assert_invalid(NPM, "9007199254740992.0.0")


def test_cargo_numbers_are_u64() -> None:
    CARGO.key("18446744073709551615.0.0")
    assert_invalid(CARGO, "18446744073709551616.0.0")
    assert_invalid(CARGO, "v1.0.0")


def test_go_pseudo_versions() -> None:
    # The three pseudo-version forms of the Go modules reference, around their bases.
    assert_ascending(
        GO,
        [
            "v0.0.0-20190101000000-aaaaaaaaaaaa",
            "v0.0.0-20210101000000-abcdef123456",
            "v0.0.0-20210101000001-000000000000",
            "v0.1.0",
            "v1.2.3",
            "v1.2.4-0.20210101000000-abcdef123456",  # after v1.2.3, before v1.2.4-*
            "v1.2.4-0.20220101000000-abcdef123456",
            "v1.2.4-alpha",
            "v1.2.4-pre.0.20210101000000-abcdef123456",  # after v1.2.4-pre
            "v1.2.4",
            "v2.0.0+incompatible",
            "v2.0.1-0.20210101000000-abcdef123456+incompatible",
            "v2.0.1",
        ],
    )
    assert_ascending(GO, ["v1.2.4-pre", "v1.2.4-pre.0.20210101000000-abcdef123456"])


def test_go_accepts_osv_form_and_shorthands() -> None:
    assert_equal(GO, ["v1.2.3", "1.2.3", "1.2.3+incompatible"])
    assert_equal(GO, ["v1", "v1.0", "v1.0.0"])  # x/mod/semver shorthands
    for text in ["v1.2-pre", "v1-pre", "v01.2.3", "v1.2.3-01", "V1.2.3", "vv1.2.3", "go1.21"]:
        assert_invalid(GO, text)


@given(st.lists(semver_text(), min_size=1, max_size=8))
def test_semver_is_total_order(texts: list[str]) -> None:
    for ordering in (SEMVER, NPM, CARGO):
        assert_total_order(ordering, texts)
    assert_total_order(GO, ["v" + text for text in texts] + texts)


@given(semver_text(with_build=False), semver_text(with_build=False))
def test_semver_agrees_with_univers(a: str, b: str) -> None:
    # univers adds build metadata to precedence, against SemVer §10: builds not generated.
    expected = sign(univers.SemverVersion(a), univers.SemverVersion(b))
    assert sign(SEMVER.key(a), SEMVER.key(b)) == expected
    assert sign(NPM.key("v" + a), NPM.key(b)) == expected
    assert sign(CARGO.key(a), CARGO.key(b)) == expected


@given(semver_text(with_build=False), semver_text(with_build=False))
def test_go_agrees_with_univers(a: str, b: str) -> None:
    expected = sign(univers.GolangVersion("v" + a), univers.GolangVersion(b))
    assert sign(GO.key("v" + a), GO.key(b)) == expected


@given(st.text())
def test_fuzz_only_invalid_version_escapes(text: str) -> None:
    for ordering in (SEMVER, NPM, CARGO, GO):
        fuzz(ordering, text)


@given(semver_text(), st.integers(0, 40), st.text(max_size=3))
def test_fuzz_mutated_versions(text: str, at: int, insert: str) -> None:
    mutated = text[:at] + insert + text[at + 1 :]
    for ordering in (SEMVER, NPM, CARGO, GO):
        fuzz(ordering, mutated)


def test_huge_numbers_are_invalid_not_crashes() -> None:
    for ordering in (SEMVER, NPM, CARGO, GO):
        assert_invalid(ordering, "1" * 5000 + ".0.0")
        assert_invalid(ordering, "1.0.0-" + "1" * 5000)
