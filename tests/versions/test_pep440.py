"""PEP 440 ordering (PyPI)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.version import InvalidVersion as PackagingInvalid
from packaging.version import Version

from ossmeta.versions import try_version_key
from ossmeta.versions.pep440 import PEP440
from tests.versions.laws import (
    assert_agrees,
    assert_ascending,
    assert_equal,
    assert_invalid,
    assert_total_order,
    fuzz,
    sign,
)


def test_pep440_examples() -> None:
    assert_ascending(PEP440, ["1.0.dev0", "1.0a1", "1.0b1", "1.0rc1", "1.0", "1.0.post1"])
    # The PEP's summary of permitted suffixes and relative ordering.
    assert_ascending(
        PEP440,
        [
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
        ],
    )
    assert_ascending(PEP440, ["2.0", "1!0.1"])  # epochs
    assert_equal(PEP440, ["1.0", "1.0.0", "v1.0", " 1.0 "])
    assert_equal(PEP440, ["1.0rc1", "1.0c1", "1.0-rc-1", "1.0.RC1"])


def test_prerelease_flag() -> None:
    assert PEP440.is_prerelease("1.0.dev0")
    assert PEP440.is_prerelease("1.0rc1")
    assert not PEP440.is_prerelease("1.0.post1")


@pytest.mark.parametrize("text", ["", "1.0-foo", "french toast", "1.0.0.0-SNAPSHOT", "1..0"])
def test_rejects_non_pep440(text: str) -> None:
    assert_invalid(PEP440, text)


@st.composite
def pep440_text(draw: st.DrawFn) -> str:
    text = ".".join(str(n) for n in draw(st.lists(st.integers(0, 12), min_size=1, max_size=4)))
    if draw(st.booleans()):
        text = f"{draw(st.integers(0, 2))}!{text}"
    if draw(st.booleans()):
        text += draw(st.sampled_from(["a", "b", "rc", "alpha", "c"])) + str(draw(st.integers(0, 3)))
    if draw(st.booleans()):
        text += f".post{draw(st.integers(0, 3))}"
    if draw(st.booleans()):
        text += f".dev{draw(st.integers(0, 3))}"
    if draw(st.booleans()):
        text += "+" + draw(st.sampled_from(["abc", "1", "abc.5", "ubuntu-1"]))
    return text


@given(st.lists(pep440_text(), min_size=1, max_size=8))
def test_total_order(texts: list[str]) -> None:
    assert_total_order(PEP440, texts)


@given(pep440_text(), pep440_text())
def test_agrees_with_packaging(a: str, b: str) -> None:
    assert_agrees(PEP440, Version, a, b)
    assert PEP440.is_prerelease(a) == Version(a).is_prerelease


@given(st.text())
def test_fuzz_only_invalid_version_escapes(text: str) -> None:
    fuzz(PEP440, text)


def test_huge_number_is_invalid_not_a_crash() -> None:
    assert_invalid(PEP440, "1." + "9" * 5000)


# Spellings PEP 440 normalizes (case, separators, long forms, implicit numbers, "v",
# whitespace) and a few it refuses, so validity is compared too.
_PRE = ["a", "A", "alpha", "b", "beta", "c", "rc", "RC", "pre", "preview", "Preview"]
_POST = ["post", "rev", "r", "POST", ""]


@st.composite
def quirky_pep440_text(draw: st.DrawFn) -> str:
    numbers = draw(
        st.lists(st.sampled_from(["0", "1", "2", "00", "010", "10"]), min_size=1, max_size=4)
    )
    text = draw(st.sampled_from(["", "v", "V", " ", "1!", "0!", "01!"])) + ".".join(numbers)
    separator = st.sampled_from(["", ".", "-", "_"])
    if draw(st.booleans()):
        text += (
            draw(separator)
            + draw(st.sampled_from(_PRE))
            + draw(st.sampled_from(["", "0", "1", "-1", ".2"]))
        )
    if draw(st.booleans()):
        post = draw(st.sampled_from(_POST))
        text += "-" + draw(st.sampled_from(["1", "2"])) if not post else draw(separator) + post
        text += draw(st.sampled_from(["", "1", ".2"])) if post else ""
    if draw(st.booleans()):
        text += draw(separator) + draw(st.sampled_from(["dev", "DEV", "dev3"]))
    if draw(st.booleans()):
        text += "+" + draw(
            st.sampled_from(["abc", "1", "abc.5", "ubuntu-1", "a_b", "X.01", "", "!"])
        )
    return text + draw(st.sampled_from(["", "", " ", "\n"]))


def _packaging(text: str) -> Version | None:
    try:
        return Version(text)
    except PackagingInvalid:
        return None


@given(quirky_pep440_text(), quirky_pep440_text())
def test_quirky_spellings_agree_with_packaging(a: str, b: str) -> None:
    """Through the cached ``try_version_key``: same validity and order as packaging."""
    ours_a, ours_b = try_version_key("PyPI", a), try_version_key("PyPI", b)
    theirs_a, theirs_b = _packaging(a), _packaging(b)
    assert (ours_a is None, ours_b is None) == (theirs_a is None, theirs_b is None)
    if theirs_a is not None and theirs_b is not None:
        assert sign(ours_a, ours_b) == sign(theirs_a, theirs_b), (a, b)
