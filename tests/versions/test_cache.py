"""ossmeta.versions.version_key: dispatch per scheme and the bounded per-process cache."""

from __future__ import annotations

import gc
import sys
import traceback
from collections.abc import Callable, Iterator

import pytest

from ossmeta import versions
from ossmeta.versions import (
    CACHE_SIZE,
    InvalidVersion,
    key_function,
    ordering_for,
    try_version_key,
    version_key,
)

SAMPLES = {
    "SEMVER": "1.2.3-rc.1",
    "npm": "v4.17.15",
    "crates.io": "1.0.0",
    "Go": "v0.0.0-20210101000000-abcdef123456",
    "PyPI": "3.2",
    "Maven": "5.0.0.RELEASE",
    "RubyGems": "6.1.4.1",
    "NuGet": "13.0.1",
    "Packagist": "v5.4.0",
    "Hex": "1.7.0-rc.1",
    "Pub": "2.0.0+1",
    "CRAN": "1.0-12",
    "Hackage": "4.18.2.1",
}


@pytest.mark.parametrize("scheme", sorted(SAMPLES))
def test_cached_key_equals_fresh_key(scheme: str) -> None:
    ordering = ordering_for(scheme)
    assert ordering is not None and ordering.name == scheme
    text = SAMPLES[scheme]
    first = version_key(scheme, text)
    assert first == ordering.key(text)
    assert version_key(scheme, text) is first  # parsed once
    assert try_version_key(scheme, text) == first


@pytest.mark.parametrize("scheme", sorted(SAMPLES))
def test_invalid_is_cached_and_reraised(scheme: str) -> None:
    text = "not a version at all!"
    for _ in range(2):
        with pytest.raises(InvalidVersion):
            version_key(scheme, text)
    assert try_version_key(scheme, text) is None


def test_unknown_scheme() -> None:
    with pytest.raises(InvalidVersion, match="no version ordering"):
        version_key("NoSuchEcosystem", "1.0")
    assert try_version_key("NoSuchEcosystem", "1.0") is None


def test_unknown_schemes_are_not_remembered() -> None:
    """Scheme names come from data (an advisory's ecosystem): they must not grow a table."""
    before = len(versions._key_functions), len(versions._orderings)
    for number in range(1000):
        assert try_version_key(f"Made-up-{number}", "1.0") is None
    assert (len(versions._key_functions), len(versions._orderings)) == before


def _raised(call: Callable[[], object]) -> BaseException:
    with pytest.raises(InvalidVersion) as caught:
        call()
    return caught.value


@pytest.mark.parametrize("scheme", ["PyPI", "Maven", "npm", "NoSuchEcosystem"])
def test_each_raise_is_a_fresh_error_with_a_short_traceback(scheme: str) -> None:
    """A cached exception raised again gains the raising frames each time and keeps them
    (and their locals) alive; every raise must be a new error with the same traceback."""
    text = "not a version at all!"
    errors = [_raised(lambda: version_key(scheme, text)) for _ in range(5)]
    depths = [len(traceback.extract_tb(error.__traceback__)) for error in errors]
    assert len(set(depths)) == 1, depths
    assert len({id(error) for error in errors}) == len(errors)
    assert len({str(error) for error in errors}) == 1 and str(errors[0])


# One valid and one invalid shape per scheme, so each scheme sees every other string.
SHAPES = [
    ("PyPI", "1.{}.0"),
    ("PyPI", "1.{}+x+y"),  # invalid: two local parts
    ("Maven", "2.{}.RC1"),
    ("Maven", "2:{}"),  # invalid: ':' is banned
    ("npm", "3.0.{}"),
    ("npm", "3.0.{}-01"),  # invalid: leading zero in a numeric prerelease
    ("Packagist", "4.{}.1"),
    ("Packagist", "dev-{}"),  # invalid: a branch
]


def _distinct_versions(start: int, count: int) -> Iterator[tuple[str, str]]:
    """(scheme, text) pairs, every text new: half valid, half invalid, in four schemes."""
    for number in range(start, start + count):
        scheme, shape = SHAPES[number % len(SHAPES)]
        yield scheme, shape.format(number)


def _raise_each_invalid(pairs: Iterator[tuple[str, str]]) -> None:
    for scheme, text in pairs:
        if try_version_key(scheme, text) is None:
            with pytest.raises(InvalidVersion):
                version_key(scheme, text)


def test_a_million_distinct_versions_keep_memory_flat() -> None:
    """Fill every cache, then parse a million new strings: the number of live Python
    allocations must not grow with them. An unbounded cache would add at least one block
    per string (the cached key), a kept traceback several."""
    functions = {scheme: key_function(scheme) for scheme, _ in SHAPES}
    for scheme, text in _distinct_versions(0, len(functions) * CACHE_SIZE + 1000):
        functions[scheme](text)
    _raise_each_invalid(_distinct_versions(0, 2000))
    gc.collect()
    before = sys.getallocatedblocks()
    for scheme, text in _distinct_versions(10_000_000, 1_000_000):
        functions[scheme](text)
    _raise_each_invalid(_distinct_versions(20_000_000, 20_000))
    gc.collect()
    growth = sys.getallocatedblocks() - before
    assert growth < CACHE_SIZE // 16, growth
    assert all(f.cache_info().currsize <= CACHE_SIZE for f in functions.values())
