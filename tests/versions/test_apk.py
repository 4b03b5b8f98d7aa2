"""Alpine ordering (apk-tools' version comparison). No apk-tools builds on this Debian
base, so the cases below are written from apk-tools' documented grammar and rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.versions import ordering_for
from ossmeta.versions.apk import ALPINE
from tests.versions.laws import (
    assert_ascending,
    assert_equal,
    assert_invalid,
    assert_total_order,
    fuzz,
)


def test_suffixes() -> None:
    assert_ascending(
        ALPINE,
        ["1.0_alpha", "1.0_beta", "1.0_pre", "1.0_rc", "1.0", "1.0_cvs", "1.0_svn", "1.0_git",
         "1.0_hg", "1.0_p"],
    )  # fmt: skip
    assert_ascending(ALPINE, ["1.0_rc1", "1.0_rc2", "1.0_rc10", "1.0", "1.0_p1", "1.0_p2"])
    assert_ascending(ALPINE, ["1.0_rc1_p1", "1.0_rc2", "1.0_git20240101_p1"])


def test_revisions_letters_and_components() -> None:
    assert_ascending(ALPINE, ["1.36.1-r2", "1.36.1-r15", "1.36.1-r29", "1.36.2-r0"])
    assert_ascending(ALPINE, ["3.3.2-r0", "3.3.2-r1", "3.3.2a-r0", "3.3.3-r0", "3.10.0-r0"])
    # Where one version continues and the other does not, the continuation wins, unless it
    # is a pre-release suffix; a later kind of continuation is the lower one.
    assert_ascending(ALPINE, ["1.0_rc1", "1.0", "1.0-r0", "1.0~1a", "1.0_p1", "1.0a", "1.0.1"])


def test_numbers_with_leading_zeros_compare_as_text() -> None:
    assert_ascending(ALPINE, ["1.0", "1.00", "1.01", "1.05", "1.1", "1.5", "1.10"])
    assert_ascending(ALPINE, ["1.09", "1.10"])
    assert_ascending(ALPINE, ["2023.01", "2023.1", "2023.2"])
    assert_equal(ALPINE, ["01.2", "1.2"])  # the first number is always a number


def test_commit_hashes_compare_as_text() -> None:
    assert_ascending(ALPINE, ["1.0~0abc", "1.0~abc", "1.0~abd", "1.0~abd-r1"])


def test_registered_for_the_apk_distributions() -> None:
    for scheme in ("Alpine", "Wolfi", "Chainguard"):
        ordering = ordering_for(scheme)
        assert ordering is not None and ordering.name == scheme
        assert not ordering.is_prerelease("1.0_rc1-r0")


@pytest.mark.parametrize(
    "text",
    ["", "a1", "1.", "1..2", "1.2aa", "1.2a3", "1.2a.3", "1.2_foo", "1.2_", "1.2-r", "1.2-1",
     "1.2~", "1.2~xyz", "1.2_rc1a", "1.2-r1.3", "1.2-r1_p1", "1.2 ", "-r1", "1.2_P1", "1.2A"],
)  # fmt: skip
def test_rejects(text: str) -> None:
    assert_invalid(ALPINE, text)


@st.composite
def apk_version(draw: st.DrawFn) -> str:
    numbers = st.sampled_from(["0", "1", "2", "10", "01", "00", "9"])
    text = draw(numbers) + "".join("." + n for n in draw(st.lists(numbers, max_size=3)))
    if draw(st.booleans()):
        text += draw(st.sampled_from(["a", "b", "z"]))
    for suffix in draw(st.lists(st.sampled_from(["alpha", "rc", "pre", "p", "git"]), max_size=2)):
        text += "_" + suffix + draw(st.sampled_from(["", "1", "2", "10"]))
    if draw(st.booleans()):
        text += "~" + draw(st.sampled_from(["0a", "ab", "abc", "f"]))
    if draw(st.booleans()):
        text += "-r" + draw(st.sampled_from(["0", "1", "2", "10"]))
    return text


@given(st.lists(apk_version(), min_size=1, max_size=8))
def test_total_order(texts: list[str]) -> None:
    assert_total_order(ALPINE, texts)


@given(apk_version())
def test_generated_versions_parse(text: str) -> None:
    ALPINE.key(text)


@given(st.text())
def test_fuzz_only_invalid_version_escapes(text: str) -> None:
    fuzz(ALPINE, text)


def test_huge_number_is_invalid_not_a_crash() -> None:
    assert_invalid(ALPINE, "1." + "9" * 5000)
