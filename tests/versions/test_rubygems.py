"""RubyGems ordering (Gem::Version)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.versions.rubygems import RUBYGEMS
from tests.versions.laws import (
    assert_agrees,
    assert_ascending,
    assert_equal,
    assert_invalid,
    assert_total_order,
    fuzz,
    univers,
)


def test_documented_order() -> None:
    # Gem::Version's documentation: 1.0.a < 1.0.b < 1.0 < 1.0.1 ... and "1.0.a.2" < "1.0.b1".
    assert_ascending(RUBYGEMS, ["1.0.a", "1.0.a.2", "1.0.b1", "1.0.b2", "1.0", "1.0.1", "1.1"])
    assert_ascending(RUBYGEMS, ["1.0.0.a", "1.0.0", "1.0.0.1"])
    assert_ascending(RUBYGEMS, ["5.0.0.beta1", "5.0.0.rc1", "5.0.0", "5.0.0.1", "5.0.1"])
    assert_ascending(RUBYGEMS, ["2.9", "2.10", "10.0"])
    assert_ascending(RUBYGEMS, ["1.a", "1.b", "1.pre", "1.rc", "1"])
    assert_ascending(RUBYGEMS, ["1.A", "1.a"])  # bytewise


def test_trailing_zeros_and_hyphens() -> None:
    assert_equal(RUBYGEMS, ["1", "1.0", "1.0.0", " 1.0 "])
    assert_equal(RUBYGEMS, ["1.0.a", "1.a", "1.0.a.0"])
    assert_equal(RUBYGEMS, ["1.0-1", "1.0.pre.1"])
    assert_equal(RUBYGEMS, ["1.0.a1", "1.0.a.1"])  # letters and digits split


def test_zero_in_prerelease_part() -> None:
    # The 0 in "1.a.0.b" compares against padding before the string "b" decides.
    assert_ascending(RUBYGEMS, ["1.a.0.b", "1.a", "1.a.0.1", "1.a.1"])


def test_prerelease_flag() -> None:
    assert RUBYGEMS.is_prerelease("1.0.a")
    assert RUBYGEMS.is_prerelease("1.0-1")
    assert not RUBYGEMS.is_prerelease("1.0.1")


@pytest.mark.parametrize("text", ["", " ", "a", "1..0", "1.0.", ".1", "1.0_1", "1.0-", "1.\u00e9"])
def test_rejects(text: str) -> None:
    assert_invalid(RUBYGEMS, text)


segment = st.sampled_from(["0", "1", "2", "10", "a", "b", "pre", "rc1", "beta", "B", "0a"])


@st.composite
def gem_text(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(["0", "1", "2", "10"]))
    for part in draw(st.lists(segment, max_size=5)):
        text += "." + part
    if draw(st.booleans()):
        text += "-" + draw(st.sampled_from(["1", "x", "beta.2", "a-b"]))
    return text


@given(st.lists(gem_text(), min_size=1, max_size=8))
def test_total_order(texts: list[str]) -> None:
    assert_total_order(RUBYGEMS, texts)


@given(gem_text(), gem_text())
def test_agrees_with_univers(a: str, b: str) -> None:
    assert_agrees(RUBYGEMS, univers.RubygemsVersion, a, b)


@given(st.text())
def test_fuzz_only_invalid_version_escapes(text: str) -> None:
    fuzz(RUBYGEMS, text)


def test_huge_number_is_invalid_not_a_crash() -> None:
    assert_invalid(RUBYGEMS, "1." + "9" * 5000)
