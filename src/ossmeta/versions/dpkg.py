"""Debian package versions (``dpkg``), as Debian Policy §5.6.12 defines them.

A version is ``[epoch:]upstream_version[-debian_revision]``: the epoch is a number
(absent means 0), the revision is everything after the last hyphen (absent compares like
``0``), and the upstream part must start with a digit. Upstream and revision compare with
dpkg's ``verrevcmp``: alternately a run of non-digits, compared character by character
with ``~`` below the end of the run, the end below letters and letters below every other
character, and a run of digits compared as a number.

The key flattens each part into one sequence of integers: the character weights of a
non-digit run, a ``0`` that ends it, then its number. ``verrevcmp`` reads past the end of
the shorter version as endless zeros, so trailing zeros are dropped and each remaining
zero carries the sign of the first non-zero element after it; Python's tuple order on
that gives dpkg's order (the same device ``rubygems.py`` uses for ``Gem::Version``).
"""

from __future__ import annotations

import re

from ossmeta.versions import InvalidVersion

Part = tuple[tuple[int, int], ...]
DpkgKey = tuple[int, Part, Part]

_UPSTREAM = re.compile(r"[0-9][A-Za-z0-9.+~:-]*")
_UPSTREAM_NO_HYPHEN = re.compile(r"[0-9][A-Za-z0-9.+~:]*")
_REVISION = re.compile(r"[A-Za-z0-9.+~]+")
_RUNS = re.compile(r"([^0-9]*)([0-9]*)")
_END: tuple[int, int] = (0, 0)
_MAX_EPOCH = 2**31 - 1  # dpkg keeps the epoch in a C int


def _weight(char: str) -> int:
    """dpkg's ``order()``: ``~`` below the end of a run (0), letters by their code, then
    every other character above all letters."""
    if char == "~":
        return -1
    if char.isascii() and char.isalpha():
        return ord(char)
    return ord(char) + 256


def _flatten(text: str) -> list[int]:
    flat: list[int] = []
    for letters, digits in _RUNS.findall(text):
        if not letters and not digits:
            continue
        flat.extend(_weight(c) for c in letters)
        flat.append(0)
        flat.append(int(digits) if digits else 0)
    return flat


def _part_key(text: str) -> Part:
    """``verrevcmp`` order as a tuple: see the module docstring."""
    flat = _flatten(text)
    while flat and flat[-1] == 0:
        flat.pop()
    encoded: list[tuple[int, int]] = []
    sign_after = 0  # sign of the first non-zero element to the right
    for value in reversed(flat):
        if value:
            encoded.append((value, 0))
            sign_after = 1 if value > 0 else -1
        else:
            encoded.append((0, sign_after))
    encoded.reverse()
    encoded.append(_END)
    return tuple(encoded)


def split_version(text: str) -> tuple[int, str, str]:
    """(epoch, upstream, revision) of a Policy-valid version; ``InvalidVersion`` otherwise."""
    version = text.strip(" \t\r\n")
    epoch_text, colon, rest = version.partition(":")
    if not colon:
        epoch_text, rest = "0", version
    if not epoch_text.isascii() or not epoch_text.isdigit():
        raise InvalidVersion(f"not a Debian version: {text!r} (the epoch must be a number)")
    if len(epoch_text) > 10 or int(epoch_text) > _MAX_EPOCH:
        raise InvalidVersion(f"not a Debian version: {text[:60]!r} (the epoch is too big)")
    upstream, hyphen, revision = rest.rpartition("-")
    if not hyphen:
        upstream, revision = rest, ""
    elif not _REVISION.fullmatch(revision):
        raise InvalidVersion(f"not a Debian version: {text!r} (invalid revision)")
    pattern = _UPSTREAM if hyphen else _UPSTREAM_NO_HYPHEN
    if not pattern.fullmatch(upstream):
        raise InvalidVersion(
            f"not a Debian version: {text!r} (the upstream version must start with a digit "
            "and hold only letters, digits and . + ~ : -)"
        )
    if not colon and ":" in upstream:
        raise InvalidVersion(f"not a Debian version: {text!r} (a colon needs an epoch)")
    return int(epoch_text), upstream, revision


class DpkgOrdering:
    """dpkg's order, under the name of one OSV ecosystem that uses it."""

    def __init__(self, name: str) -> None:
        self.name = name

    def key(self, text: str) -> DpkgKey:
        epoch, upstream, revision = split_version(text)
        try:
            return epoch, _part_key(upstream), _part_key(revision)
        except ValueError:  # int() refusing a number with thousands of digits
            raise InvalidVersion(f"version number too large in {text[:60]!r}") from None

    def is_prerelease(self, text: str) -> bool:
        """Always False: a package the distribution ships is a release of the distribution,
        whatever its upstream calls it (``1.0~rc1-1`` is a valid upgrade target)."""
        split_version(text)
        return False


DEBIAN = DpkgOrdering("Debian")
UBUNTU = DpkgOrdering("Ubuntu")
