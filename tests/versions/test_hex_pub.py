"""Hex (Elixir's Version) and Pub (Dart's pub_semver): SemVer with two views of builds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.versions import ordering_for
from ossmeta.versions.pub import PUB
from ossmeta.versions.semver import HEX
from tests.versions.laws import (
    assert_ascending,
    assert_equal,
    assert_invalid,
    assert_total_order,
    fuzz,
)


def test_registered_under_osv_names() -> None:
    assert ordering_for("Hex") is HEX and ordering_for("Pub") is PUB


def test_hex_documented_comparisons() -> None:
    # Version.compare's documented examples.
    assert_ascending(HEX, ["2.0.0", "2.0.1-alpha1"])
    assert_ascending(HEX, ["1.0.0-beta", "1.0.0-rc1"])
    assert_ascending(HEX, ["1.0.0-2", "1.0.0-10"])
    assert_equal(HEX, ["2.0.1+build0", "2.0.1"])  # build segments are ignored
    assert HEX.is_prerelease("1.0.0-alpha.3") and not HEX.is_prerelease("1.0.0+build.1")


@pytest.mark.parametrize(
    "text", ["2.0-alpha1", "invalid", "1.0.0-", "01.0.0", "1.0.0-01", "v1.0.0"]
)
def test_hex_rejects(text: str) -> None:
    assert_invalid(HEX, text)


def test_pub_order_with_builds_after() -> None:
    # pub_semver's own ordering example: unlike SemVer, a build sorts after no build.
    assert_ascending(
        PUB,
        [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0-rc.1+build.1",
            "1.0.0",
            "1.0.0+0.3.7",
            "1.3.7+build",
            "1.3.7+build.2.b8f12d7",
            "1.3.7+build.11.e0f985a",
            "2.0.0",
            "2.1.0",
            "2.2.0",
            "2.11.0",
            "2.11.1",
        ],
    )
    assert_ascending(PUB, ["1.0.0", "1.0.0+1", "1.0.0+2", "1.0.0+a"])


def test_pub_dart_number_quirks() -> None:
    assert_equal(PUB, ["1.2.3", "01.02.03", "1x2x3"])  # unescaped "." in pub_semver's regex
    assert_equal(PUB, ["1.0.0-01", "1.0.0-1", "1.0.0-0x1"])  # int.tryParse
    assert_ascending(PUB, ["1.0.0--1", "1.0.0-0", "1.0.0-a"])  # "-1" is the number -1
    assert_ascending(PUB, ["1.0.0-9223372036854775807", "1.0.0-9223372036854775808"])  # text
    assert PUB.is_prerelease("1.0.0-dev") and not PUB.is_prerelease("1.0.0+dev")


@pytest.mark.parametrize("text", ["", "1.0", "1.0.0-", "1.0.0+", "1.0.0-a..b", "1.0.0 ", "1\n0\n0"])
def test_pub_rejects(text: str) -> None:
    assert_invalid(PUB, text)


def test_pub_huge_major_is_invalid_not_a_crash() -> None:
    assert_invalid(PUB, "9" * 5000 + ".0.0")
    assert_invalid(PUB, "9223372036854775808.0.0")


def semver_like(numbers: list[str], ids: list[str]) -> st.SearchStrategy[str]:
    parts = st.lists(st.sampled_from(ids), min_size=1, max_size=3).map(".".join)
    core = st.tuples(*[st.sampled_from(numbers)] * 3).map(".".join)
    suffix = st.one_of(st.just(""), parts.map("-{}".format))
    build = st.one_of(st.just(""), parts.map("+{}".format))
    return st.tuples(core, suffix, build).map("".join)


pub_text = semver_like(
    ["0", "1", "2", "01", "10"], ["0", "1", "01", "10", "-1", "0x1f", "a", "b-2"]
)
hex_text = semver_like(["0", "1", "2", "10"], ["0", "1", "10", "a", "alpha", "b-2", "Z"])


@given(st.lists(pub_text, min_size=1, max_size=8))
def test_pub_total_order(texts: list[str]) -> None:
    assert_total_order(PUB, texts)


@given(st.lists(hex_text, min_size=1, max_size=8))
def test_hex_total_order(texts: list[str]) -> None:
    assert_total_order(HEX, texts)


@given(st.text())
def test_fuzz_only_invalid_version_escapes(text: str) -> None:
    fuzz(PUB, text)
    fuzz(HEX, text)
