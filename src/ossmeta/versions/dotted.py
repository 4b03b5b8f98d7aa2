"""Orderings of plain integer lists: CRAN (R's ``package_version``) and Hackage
(Haskell's PVP, Cabal's ``Version``).

Both compare the integers as a list, element by element, and a list that is a prefix of
the other sorts first: ``1.0`` < ``1.0.0`` < ``1.0.1`` < ``1.1``, and ``1.0`` is not
``1.0.0``. Neither has pre-releases.

* CRAN: at least two non-negative integers separated by ``.`` or ``-`` (R's
  ``valid_package_version``: ``1.2-3`` is ``1.2.3``); leading zeros are allowed
  (``1.01`` = ``1.1``). R keeps each part in a 32-bit integer, so larger parts are
  refused rather than guessed at.
* Hackage: one or more integers separated by ``.``. Cabal refuses leading zeros and
  parts of more than nine digits, and so does this ordering.
"""

from __future__ import annotations

import re

from ossmeta.versions import InvalidVersion

IntegerList = tuple[int, ...]

_CRAN = re.compile(r"(?:[0-9]+[.-])+[0-9]+")
_HACKAGE = re.compile(r"(?:0|[1-9][0-9]{0,8})(?:\.(?:0|[1-9][0-9]{0,8}))*")
_SEPARATOR = re.compile(r"[.-]")


class IntegerListOrdering:
    def __init__(self, name: str, pattern: re.Pattern[str], max_part: int) -> None:
        self.name = name
        self._pattern = pattern
        self._max_part = max_part
        self._max_digits = len(str(max_part))

    def key(self, text: str) -> IntegerList:
        if self._pattern.fullmatch(text) is None:
            raise InvalidVersion(f"not a {self.name} version: {text!r}")
        parts = _SEPARATOR.split(text)
        if any(len(part.lstrip("0")) > self._max_digits for part in parts):
            raise InvalidVersion(f"version number out of range in {text!r}")
        key = tuple(int(part) for part in parts)
        if max(key) > self._max_part:
            raise InvalidVersion(f"version number out of range in {text!r}")
        return key

    def is_prerelease(self, text: str) -> bool:
        """Neither ecosystem has pre-releases; ``text`` must still parse."""
        self.key(text)
        return False


CRAN = IntegerListOrdering("CRAN", _CRAN, max_part=2**31 - 1)  # R's integer
HACKAGE = IntegerListOrdering("Hackage", _HACKAGE, max_part=999_999_999)  # Cabal's nine digits
