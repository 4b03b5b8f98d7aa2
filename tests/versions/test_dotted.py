"""CRAN (R's package_version) and Hackage (PVP): integer lists, prefix first."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.versions import ordering_for
from ossmeta.versions.dotted import CRAN, HACKAGE
from tests.versions.laws import (
    assert_ascending,
    assert_equal,
    assert_invalid,
    assert_total_order,
    fuzz,
)


def test_registered_under_osv_names() -> None:
    assert ordering_for("CRAN") is CRAN and ordering_for("Hackage") is HACKAGE


def test_cran_order() -> None:
    # R: package_version("1.0") < "1.0-1" (= 1.0.1) < "1.0.1.1"; "1.0" != "1.0.0".
    assert_ascending(CRAN, ["0.9-1", "0.9-10", "1.0", "1.0.0", "1.0-1", "1.0.1.1", "1.9", "1.10"])
    assert_equal(CRAN, ["1.2-3", "1.2.3", "1-2-3", "01.02.003"])
    assert not CRAN.is_prerelease("1.0-1")


@pytest.mark.parametrize(
    "text", ["", "1", "1.0a", "1..0", "1.0.", "-1.0", "1.0 ", "v1.0", "1.2147483648"]
)
def test_cran_rejects(text: str) -> None:
    assert_invalid(CRAN, text)


def test_hackage_order() -> None:
    # Data.Version / Cabal: lexicographic on the integer list, a prefix first.
    assert_ascending(
        HACKAGE, ["0", "0.1.9", "0.1.10", "1", "1.0", "1.0.0", "1.0.0.1", "1.0.1", "2"]
    )
    assert_ascending(HACKAGE, ["4.9.1.0", "4.10", "4.10.0.0", "4.18.2.1"])
    assert not HACKAGE.is_prerelease("1.0")


@pytest.mark.parametrize(
    "text", ["", "01.0", "1.00", "1.0-1", "1.0a", "1.", ".1", "v1", "1..0", "1234567890"]
)
def test_hackage_rejects(text: str) -> None:
    assert_invalid(HACKAGE, text)


numbers = st.sampled_from(["0", "1", "2", "9", "10", "123"])


@given(st.lists(st.lists(numbers, min_size=2, max_size=5), min_size=1, max_size=8))
def test_total_order(lists: list[list[str]]) -> None:
    assert_total_order(CRAN, [".".join(parts) for parts in lists])
    assert_total_order(CRAN, ["-".join(parts) for parts in lists])
    assert_total_order(HACKAGE, [".".join(parts) for parts in lists])


@given(st.lists(numbers, min_size=2, max_size=5), st.lists(numbers, min_size=2, max_size=5))
def test_same_order_as_integer_lists(a: list[str], b: list[str]) -> None:
    ints_a, ints_b = [int(n) for n in a], [int(n) for n in b]
    expected = (ints_a > ints_b) - (ints_a < ints_b)
    for ordering in (CRAN, HACKAGE):
        ka, kb = ordering.key(".".join(a)), ordering.key(".".join(b))
        assert (ka > kb) - (ka < kb) == expected


@given(st.text())
def test_fuzz_only_invalid_version_escapes(text: str) -> None:
    fuzz(CRAN, text)
    fuzz(HACKAGE, text)


def test_huge_number_is_invalid_not_a_crash() -> None:
    assert_invalid(CRAN, "1." + "9" * 5000)
    assert_invalid(HACKAGE, "1." + "9" * 5000)
