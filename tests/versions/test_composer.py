"""Composer/Packagist ordering (VersionParser::normalize + PHP version_compare)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.versions.composer import COMPOSER
from tests.versions.laws import (
    assert_agrees,
    assert_ascending,
    assert_equal,
    assert_invalid,
    assert_total_order,
    fuzz,
    univers,
)


def test_stability_order() -> None:
    # PHP version_compare: dev < alpha = a < beta = b < RC = rc < # < pl = p.
    assert_ascending(
        COMPOSER,
        [
            "1.0.0-dev",
            "1.0.0-alpha",
            "1.0.0-alpha1-dev",
            "1.0.0-alpha1",
            "1.0.0-alpha2",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta10",
            "1.0.0-RC1",
            "1.0.0",
            "1.0.0-p1",
            "1.0.0-patch2",
            "1.0.0.1",
            "1.0.1",
        ],
    )
    assert_ascending(COMPOSER, ["2.9.9", "2.10.0", "10.0.0"])


def test_normalization() -> None:
    assert_equal(COMPOSER, ["v1.2.3", "1.2.3", "1.2.3.0", "V1.2.3", " 1.2.3 ", "1.2.3+build"])
    assert_equal(COMPOSER, ["1", "1.0", "1.0.0.0", "1.0.0-stable"])
    assert_equal(COMPOSER, ["1.0.0-a1", "1.0.0-alpha1", "1.0.0-ALPHA.1", "1.0.0alpha-1"])
    assert_equal(COMPOSER, ["1.0.0-b2", "1.0.0-beta2", "1.0.0.beta.2"])
    assert_equal(COMPOSER, ["1.0.0-rc1", "1.0.0-RC1", "1.0.0RC1"])
    assert_equal(COMPOSER, ["1.0.0-pl3", "1.0.0-p3", "1.0.0-patch3"])
    assert_equal(COMPOSER, ["1.0.0@dev", "1.0.0"])  # a stability flag is not a suffix
    # Date versions keep their parts; "2021.01.01" is classical and gains a fourth 0,
    # and version_compare ranks the longer of two otherwise equal versions higher.
    assert_equal(COMPOSER, ["2021-01-01", "2021:01:01", "v2021-01-01"])
    assert_ascending(COMPOSER, ["2021-01-01", "2021.01.01", "2021-01-02", "20210101"])


def test_upper_case_stable_is_a_suffix_below_dev() -> None:
    # VersionParser drops "stable" only in lower case; "-STABLE" stays as a word that
    # version_compare does not know, and unknown words sort below "dev".
    assert_equal(COMPOSER, ["1.0.0-stable", "1.0.0", "1.0.0-stable-dev"])
    assert_ascending(COMPOSER, ["1.0.0-STABLE", "1.0.0-Stable2", "1.0.0-dev", "1.0.0"])
    assert not COMPOSER.is_prerelease("1.0.0-STABLE")


def test_prerelease_flag() -> None:
    assert COMPOSER.is_prerelease("1.0.0-RC1")
    assert COMPOSER.is_prerelease("1.0.0-dev")
    assert not COMPOSER.is_prerelease("1.0.0-p1")
    assert not COMPOSER.is_prerelease("v2.3.4")


@pytest.mark.parametrize(
    "text",
    ["", "dev-main", "dev-master", "master", "1.x-dev", "1.0.x-dev", "1.2.3.4.5", "1.0-foo", "abc"],
)
def test_branches_and_garbage_are_invalid(text: str) -> None:
    assert_invalid(COMPOSER, text)


@st.composite
def composer_text(draw: st.DrawFn, oracle_safe: bool = False) -> str:
    size = 3 if oracle_safe else draw(st.integers(1, 4))
    text = ".".join(
        draw(st.lists(st.sampled_from(["0", "1", "2", "10"]), min_size=size, max_size=size))
    )
    if oracle_safe:
        # univers orders Composer versions as SemVer: only the shape both agree on, a
        # lower-case alpha/beta/rc with one number ("beta10" would be text in SemVer).
        if draw(st.booleans()):
            text += f"-{draw(st.sampled_from(['alpha', 'beta', 'rc']))}.{draw(st.integers(0, 12))}"
        return text
    if draw(st.booleans()):
        text = "v" + text
    if draw(st.booleans()):
        text += draw(st.sampled_from(["-", ".", ""])) + draw(
            st.sampled_from(["alpha", "a", "beta", "b", "RC", "rc", "patch", "pl", "p", "stable"])
        )
        text += draw(st.sampled_from(["", "1", ".2", "-10", "3.4"]))
    if draw(st.booleans()):
        text += draw(st.sampled_from(["-dev", ".dev", "dev"]))
    return text


@given(st.lists(composer_text(), min_size=1, max_size=8))
def test_total_order(texts: list[str]) -> None:
    assert_total_order(COMPOSER, texts)


@given(composer_text(oracle_safe=True), composer_text(oracle_safe=True))
def test_agrees_with_univers(a: str, b: str) -> None:
    assert_agrees(COMPOSER, univers.ComposerVersion, a, b)


@given(st.text())
def test_fuzz_only_invalid_version_escapes(text: str) -> None:
    fuzz(COMPOSER, text)


def test_huge_number_is_invalid_not_a_crash() -> None:
    assert_invalid(COMPOSER, "1." + "9" * 5000)
