"""Shared checks for version orderings: total-order laws, fuzzing, table helpers, and
``univers``, the reference implementation several orderings are compared with."""

from __future__ import annotations

import importlib
import itertools
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from ossmeta.versions import InvalidVersion, Ordering


def _import_univers() -> ModuleType:
    """``univers.versions``, with the warnings it gives as it is imported silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return importlib.import_module("univers.versions")


univers = _import_univers()


def sign(a: Any, b: Any) -> int:
    return int(a > b) - int(a < b)


def assert_agrees(ordering: Ordering, reference: Callable[[str], Any], a: str, b: str) -> None:
    """``ordering`` compares ``a`` and ``b`` the way the reference implementation does."""
    assert sign(ordering.key(a), ordering.key(b)) == sign(reference(a), reference(b)), (a, b)


def assert_total_order(ordering: Ordering, texts: list[str]) -> None:
    """Reflexive equality, trichotomy/antisymmetry, transitivity, hash consistency and a
    sort that agrees with every pairwise comparison."""
    keys = [ordering.key(text) for text in texts]
    for text, key in zip(texts, keys, strict=True):
        again = ordering.key(text)
        assert key == again and not key < again and not key > again
        assert hash(key) == hash(again)
    for a, b in itertools.product(keys, repeat=2):
        outcomes = (a < b, a == b, a > b)
        assert sum(outcomes) == 1, (a, b)
        assert (a < b) == (b > a) and (a <= b) == (not a > b)
        if a == b:
            assert hash(a) == hash(b)
    for a, b, c in itertools.product(keys, repeat=3):
        if a <= b and b <= c:
            assert a <= c, (a, b, c)
        if a == b and b == c:
            assert a == c
    ordered = sorted(range(len(texts)), key=lambda i: keys[i])
    for earlier, later in itertools.combinations(ordered, 2):
        assert not keys[later] < keys[earlier]
        if keys[earlier] == keys[later]:
            assert earlier < later  # sorted() is stable
    assert sorted(keys) == [keys[i] for i in ordered]


def assert_ascending(ordering: Ordering, texts: list[str]) -> None:
    """Each version sorts strictly before the next one."""
    keys = [ordering.key(text) for text in texts]
    for (x, kx), (y, ky) in itertools.pairwise(zip(texts, keys, strict=True)):
        assert kx < ky, f"expected {x} < {y}"
        assert not ky < kx


def assert_equal(ordering: Ordering, texts: list[str]) -> None:
    keys = [ordering.key(text) for text in texts]
    for (x, kx), (y, ky) in itertools.pairwise(zip(texts, keys, strict=True)):
        assert kx == ky, f"expected {x} == {y}"
        assert hash(kx) == hash(ky)


def assert_invalid(ordering: Ordering, text: str) -> None:
    with pytest.raises(InvalidVersion) as caught:
        ordering.key(text)
    message = str(caught.value)
    assert message and "\n" not in message


def fuzz(ordering: Ordering, text: str) -> None:
    """Any text either gives a usable key or raises InvalidVersion, nothing else."""
    try:
        key = ordering.key(text)
    except InvalidVersion as error:
        assert "\n" not in str(error)
        return
    assert key == ordering.key(text)
    assert isinstance(ordering.is_prerelease(text), bool)
