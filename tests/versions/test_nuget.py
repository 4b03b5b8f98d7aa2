"""NuGet ordering (NuGet.Versioning's NuGetVersion and VersionComparer)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.versions.nuget import NUGET
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
    # learn.microsoft.com "Package versioning": pre-release ordering examples.
    assert_ascending(
        NUGET,
        ["1.0.1-alpha", "1.0.1-alpha.1", "1.0.1-beta", "1.0.1-rc", "1.0.1", "1.0.1.1", "1.0.2"],
    )
    assert_ascending(NUGET, ["1.0.0-2", "1.0.0-10", "1.0.0-alpha"])
    assert_ascending(NUGET, ["1.0.0-alpha.2", "1.0.0-alpha.10"])
    assert_ascending(NUGET, ["1.0.0-alpha", "1.0.0-Beta", "1.0.0-gamma"])  # case-insensitive


def test_normalization_and_equality() -> None:
    assert_equal(NUGET, ["1", "1.0", "1.0.0", "1.0.0.0", "01.0.0", "1.00.000.0"])
    assert_equal(NUGET, ["1.0.0-BETA", "1.0.0-beta", "1.0.0-Beta+build.5", "1.0-beta"])
    assert_equal(NUGET, ["2.0.0+abc", "2.0.0+def"])


def test_prerelease_flag() -> None:
    assert NUGET.is_prerelease("1.0.0-rc.1")
    assert not NUGET.is_prerelease("1.0.0.1+meta")


@pytest.mark.parametrize(
    "text",
    ["", "v1.0.0", "1.0.0.0.0", "1..0", "1.0.0-", "1.0.0-01", "1.0.0-a..b", " 1.0", "2147483648"],
)
def test_rejects(text: str) -> None:
    assert_invalid(NUGET, text)


def test_parts_are_int32() -> None:
    NUGET.key("2147483647.0")
    NUGET.key("0002147483647.0")


label = st.sampled_from(["0", "1", "2", "10", "alpha", "Alpha", "beta", "rc", "x-y", "RC"])


@st.composite
def nuget_text(draw: st.DrawFn, metadata: bool = True) -> str:
    text = ".".join(draw(st.lists(st.sampled_from(["0", "1", "2", "10"]), min_size=1, max_size=4)))
    if draw(st.booleans()):
        text += "-" + ".".join(draw(st.lists(label, min_size=1, max_size=3)))
    if metadata and draw(st.booleans()):
        text += "+" + draw(st.sampled_from(["abc", "1.2", "sha-1"]))
    return text


@given(st.lists(nuget_text(), min_size=1, max_size=8))
def test_total_order(texts: list[str]) -> None:
    assert_total_order(NUGET, texts)


@given(nuget_text(), nuget_text())
def test_agrees_with_univers(a: str, b: str) -> None:
    assert_agrees(NUGET, univers.NugetVersion, a, b)


@given(st.text())
def test_fuzz_only_invalid_version_escapes(text: str) -> None:
    fuzz(NUGET, text)


def test_huge_numbers_are_invalid_not_crashes() -> None:
    assert_invalid(NUGET, "1." + "9" * 5000)
    # Leading zeros do not count towards the int32 bound: still version 1.0.
    assert_equal(NUGET, ["0" * 5000 + "1.0", "1.0"])
