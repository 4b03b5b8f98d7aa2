"""Maven ordering, checked against the POM reference's "Version Order Specification"."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.versions.maven import MAVEN
from tests.versions.laws import (
    assert_agrees,
    assert_ascending,
    assert_equal,
    assert_invalid,
    assert_total_order,
    fuzz,
    univers,
)


def test_qualifier_order() -> None:
    assert_ascending(MAVEN, ["1-alpha", "1-beta", "1-milestone", "1-rc", "1-snapshot", "1", "1-sp"])
    assert_ascending(MAVEN, ["1-sp", "1-abc", "1-xyz", "1-1"])  # unknown: after sp, lexical
    assert_equal(MAVEN, ["1-rc", "1-cr", "1-RC", "1.0-CR"])


def test_spec_examples() -> None:
    assert_ascending(MAVEN, ["1", "1.1"])
    assert_ascending(MAVEN, ["1-snapshot", "1", "1-sp"])
    assert_ascending(MAVEN, ["1-foo2", "1-foo10"])
    assert_ascending(MAVEN, ["1.foo", "1-1", "1.1"])
    assert_equal(MAVEN, ["1.foo", "1-foo"])  # Maven >= 3.9 (MNG-7644)
    assert_equal(MAVEN, ["1.ga", "1-ga", "1-0", "1.0", "1", "1.final", "1.", "1-", "1.RELEASE"])
    assert_ascending(MAVEN, ["1-ga", "1-sp"])
    assert_ascending(MAVEN, ["1-ga.1", "1-sp.1"])
    assert_ascending(MAVEN, ["1-sp-1", "1-ga-1"])
    # The specification trims "1-ga-1" to "1-1"; Maven's class keeps the nested list,
    # and a nested list sorts below a number.
    assert_ascending(MAVEN, ["1-ga-1", "1-1"])
    assert_equal(MAVEN, ["1-a1", "1-alpha-1", "1-ALPHA1", "1.0a1"])
    assert_equal(MAVEN, ["1-b2", "1-beta-2"])
    assert_equal(MAVEN, ["1-m3", "1-milestone-3"])
    assert_ascending(MAVEN, ["1-a", "1-b"])  # a/b not followed by a digit: unknown qualifiers


def test_splitting_and_trimming_examples() -> None:
    assert_equal(MAVEN, ["1-1.foo-bar1baz-.1", "1-1.foo-bar-1-baz-0.1"])
    assert_equal(MAVEN, ["1.0.0", "1"])
    assert_equal(MAVEN, ["1.0.0-foo.0.0", "1-foo"])
    assert_equal(MAVEN, ["1.0.0-0.0.0", "1"])
    assert_ascending(MAVEN, ["1-0-2", "1-2"])  # as above: [1, [[2]]] < [1, [2]]
    assert_equal(MAVEN, ["1..1", "1.0.1"])
    assert_equal(MAVEN, ["1.0.0.RC1", "1.0.0-RC1", "1-rc-1"])


def test_commonly_seen_sequences() -> None:
    # The ComparableVersion test suite's classic list (with RELEASE an alias of ga).
    assert_ascending(
        MAVEN,
        [
            "NotAVersionSting",
            "1.0a1-SNAPSHOT",
            "1.0-alpha1",
            "1.0beta1-SNAPSHOT",
            "1.0-b2",
            "1.0-beta3.SNAPSHOT",
            "1.0-beta3",
            "1.0-milestone1-SNAPSHOT",
            "1.0-m2",
            "1.0-rc1-SNAPSHOT",
            "1.0-cr1",
            "1.0-SNAPSHOT",
            "1.0",
            "1.0-sp",
            "1.0-a",
            "1.0-whatever",
            "1.0.z",
            "1.0.1",
            "1.0.1.0.0.0.0.0.0.0.0.0.0.0.1",
        ],
    )
    assert_ascending(
        MAVEN,
        ["5.0.0.M1", "5.0.0.RC1", "5.0.0.RC2", "5.0.0.RELEASE", "5.0.1.RELEASE", "5.0.10.RELEASE"],
    )
    # "pr" is no known qualifier, so Jackson's 2.10.0.pr1 sorts after 2.10.0 in Maven.
    assert_ascending(MAVEN, ["2.9.10", "2.9.10.1", "2.9.10.8", "2.10.0", "2.10.0.pr1", "2.10.1"])
    assert_ascending(MAVEN, ["1", "2", "10", "99999999999999999999999999"])


def test_pairs_maven_39_orders_differently_from_the_specification() -> None:
    # Results of Maven 3.9.6's ComparableVersion (test_maven_differential.py runs it).
    assert_ascending(MAVEN, ["3.6.2.FL.20090615", "3.6.2-FL-2009-05-11"])
    assert_ascending(MAVEN, ["3.5.0-CR-2", "3.5.0.Beta-1"])
    assert_ascending(MAVEN, ["1-ga-1", "1-1"])
    assert_ascending(MAVEN, ["1.0-alpha.2", "1.0.alpha.1"])
    assert_ascending(MAVEN, ["1.0.Beta1", "1.0.Beta-1"])
    assert_equal(MAVEN, ["1.0.foo", "1-foo"])  # a trailing qualifier moves into a list


def test_cycle_in_maven_is_broken_by_the_common_prefix() -> None:
    # Maven: 1.0.alpha.1 < 1 < 1.ga.1 < 1.0.alpha.1. Against "1" we agree with Maven.
    assert_ascending(MAVEN, ["1.0.alpha.1", "1", "1.ga.1"])


def test_prerelease_flag() -> None:
    assert MAVEN.is_prerelease("1.0-SNAPSHOT")
    assert MAVEN.is_prerelease("5.0.0.RC1")
    assert not MAVEN.is_prerelease("5.0.0.RELEASE")
    assert not MAVEN.is_prerelease("1.0-sp1")


@pytest.mark.parametrize("text", ["", " ", "1.0 ", "1 0", "1:0", "1/0", "1*", "1\n"])
def test_rejects(text: str) -> None:
    assert_invalid(MAVEN, text)


PARTS = "0 1 2 10 alpha beta milestone rc cr snapshot ga final release sp foo a b m x RC Final"
parts = st.sampled_from([*PARTS.split(), ""])


@st.composite
def maven_text(draw: st.DrawFn, oracle_safe: bool = False) -> str:
    text = draw(st.sampled_from(["0", "1", "2", "10"]))
    for _ in range(draw(st.integers(0, 5))):
        part = draw(parts)
        if oracle_safe:
            # univers carries a pre-3.9 ComparableVersion: a qualifier after "." orders
            # differently there (MNG-7644), and a null (0, ga, final, release) at the
            # start of a "-" segment followed by more becomes a nested list instead of
            # being trimmed as the specification says ("1-ga-1" = "1-1", "1-0-2" = "1-2").
            if part in ("", "ga", "final", "release", "Final"):
                continue
            separator = "." if part == "0" else draw(st.sampled_from(["-", ""]))
            if part[0].isdigit() and part != "0":
                separator = draw(st.sampled_from([".", "-", ""]))
        else:
            separator = draw(st.sampled_from([".", "-", ""]))
        text += separator + part
    return text


@given(st.lists(maven_text(), min_size=1, max_size=8))
def test_total_order(texts: list[str]) -> None:
    assert_total_order(MAVEN, texts)


@given(maven_text(oracle_safe=True), maven_text(oracle_safe=True))
def test_agrees_with_univers(a: str, b: str) -> None:
    assert_agrees(MAVEN, univers.MavenVersion, a, b)


def test_known_disagreements_with_univers() -> None:
    # univers (pre-3.9 Maven) puts "1.0.RC1" above "1.0-RC2"; Maven 3.9 fixed it.
    assert MAVEN.key("1.0.RC1") < MAVEN.key("1.0-RC2")
    assert univers.MavenVersion("1.0.RC1") > univers.MavenVersion("1.0-RC2")


@given(st.text())
def test_fuzz_only_invalid_version_escapes(text: str) -> None:
    fuzz(MAVEN, text)


def test_huge_number_is_invalid_not_a_crash() -> None:
    assert_invalid(MAVEN, "1." + "9" * 5000)
