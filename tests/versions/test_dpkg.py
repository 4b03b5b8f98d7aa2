"""Debian ordering (dpkg, Debian Policy §5.6.12), checked against ``dpkg`` itself."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ossmeta.versions import ordering_for
from ossmeta.versions.dpkg import DEBIAN, UBUNTU
from tests.versions.laws import (
    assert_ascending,
    assert_equal,
    assert_invalid,
    assert_total_order,
    fuzz,
    sign,
)


def test_policy_tilde_example() -> None:
    # Policy's own example: "~~", "~~a", "~", the empty part, "a".
    assert_ascending(DEBIAN, ["1.0~~", "1.0~~a", "1.0~", "1.0", "1.0a"])


def test_epoch_upstream_revision() -> None:
    assert_ascending(DEBIAN, ["9.9", "1:0.1", "2:0.0.1"])
    assert_ascending(DEBIAN, ["1.0-1", "1.0-2", "1.0-10", "1.0.1-1"])
    assert_ascending(DEBIAN, ["3.0.11-1~deb12u1", "3.0.11-1~deb12u2", "3.0.11-1"])
    assert_ascending(DEBIAN, ["2.36-9+deb12u3", "2.36-9+deb12u10"])
    assert_ascending(DEBIAN, ["1.0", "1.0a", "1.0+b1", "1.0.0"])
    assert_ascending(DEBIAN, ["1.2.3~rc1-1", "1.2.3-1", "1.2.3+dfsg-1"])
    assert_ascending(UBUNTU, ["1.1.1f-1ubuntu2", "1.1.1f-1ubuntu2.20", "1.1.1f-1ubuntu2.21"])


def test_letters_sort_before_other_characters() -> None:
    assert_ascending(DEBIAN, ["1.0a", "1.0z", "1.0+", "1.0."])
    assert_ascending(DEBIAN, ["1A", "1Z", "1a"])  # letters by their code


def test_equal_spellings() -> None:
    assert_equal(DEBIAN, ["1.0", "0:1.0", "1.0-0", " 1.0 "])
    assert_equal(DEBIAN, ["1.01", "1.1", "1.001"])  # digit runs are numbers
    assert_equal(DEBIAN, ["1:2:3-1", "1:2:3-01"])  # a colon in upstream needs an epoch


def test_registered_for_debian_and_ubuntu() -> None:
    for scheme in ("Debian", "Ubuntu"):
        ordering = ordering_for(scheme)
        assert ordering is not None and ordering.name == scheme
        assert not ordering.is_prerelease("1.0~rc1-1")


@pytest.mark.parametrize(
    "text",
    ["", " ", "a1.0", "1.0-", "-1", ":1.0", "1:", "x:1.0", "1.0 1", "1.0-a_b", "1.0:2", "1_0",
     "99999999999:1.0", "1.\u00e9", "1.0-\u00e9"],
)  # fmt: skip
def test_rejects(text: str) -> None:
    assert_invalid(DEBIAN, text)


segment = st.sampled_from(["0", "1", "2", "10", "a", "b", "~", "~~", "+", ".", "-", "A", "z"])


@st.composite
def debian_version(draw: st.DrawFn) -> str:
    upstream = draw(st.sampled_from(["0", "1", "2", "10", "01"]))
    upstream += "".join(draw(st.lists(segment, max_size=5)))
    revision = "".join(draw(st.lists(segment.filter(lambda s: s != "-"), max_size=3)))
    text = upstream + ("-" + revision if revision else "")
    if "-" in upstream and not revision:
        text += "-1"
    if draw(st.booleans()):
        text = draw(st.sampled_from(["0:", "1:", "2:"])) + text
    return text


@given(st.lists(debian_version(), min_size=1, max_size=8))
def test_total_order(texts: list[str]) -> None:
    assert_total_order(DEBIAN, texts)


@given(st.text())
def test_fuzz_only_invalid_version_escapes(text: str) -> None:
    fuzz(DEBIAN, text)


def test_huge_number_is_invalid_not_a_crash() -> None:
    assert_invalid(DEBIAN, "1." + "9" * 5000)


DPKG = shutil.which("dpkg")


def _dpkg_sign(a: str, b: str) -> int:
    assert DPKG is not None
    for relation, answer in (("lt", -1), ("eq", 0)):
        if subprocess.run([DPKG, "--compare-versions", a, relation, b]).returncode == 0:
            return answer
    return 1


@pytest.mark.skipif(DPKG is None, reason="dpkg is not installed (Debian and Ubuntu have it)")
@settings(max_examples=100, deadline=None)
@given(debian_version(), debian_version())
def test_agrees_with_dpkg(a: str, b: str) -> None:
    assert sign(DEBIAN.key(a), DEBIAN.key(b)) == _dpkg_sign(a, b), (a, b)
