"""RubyGems ordering, following ``Gem::Version`` (lib/rubygems/version.rb) behaviour.

Written by hand because no maintained Python package implements Gem::Version:

* valid text is ``Gem::Version.correct?``: digits, then ``.``-separated alphanumeric
  parts, then an optional ``-`` part, with surrounding whitespace allowed;
* ``-`` becomes ``.pre.``; the text splits into runs of digits (integers) and runs of
  letters (strings); a version with any letter is a pre-release;
* canonical segments: the numeric part before the first string and the part from the
  first string on each lose their trailing zeros (``1.0.a.0`` -> ``1.a``);
* ``<=>`` compares segments pairwise, padding the shorter with ``0``; strings sort before
  numbers (``1.0.a`` < ``1.0``), strings compare bytewise, numbers by value.

Padding with ``0`` is folded into the key: a canonical list never ends in ``0``, so
"ended" compares above every string, below every positive number, and against a ``0``
in the middle by whatever follows that ``0`` (its sign against all-zero padding). Each
``0`` is therefore encoded by the sign of its remainder, which keeps keys plain tuples.
Ruby treats an empty string as version "0"; here it is rejected, because an empty
version in a lockfile means the version is missing.
"""

from __future__ import annotations

import re

from ossmeta.versions import InvalidVersion

Segment = tuple[int, int | str]
GemKey = tuple[Segment, ...]

# Gem::Version::ANCHORED_VERSION_PATTERN; Ruby's \s is ASCII whitespace only.
_VALID = re.compile(
    r"[ \t\r\n\f\v]*([0-9]+(?>\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)"
    r"[ \t\r\n\f\v]*"
)
_SEGMENTS = re.compile(r"[0-9]+|[a-zA-Z]+")

_STRING = 0  # (0, "pre")
_ZERO_BEFORE_STRING = 1  # a 0 whose remainder decides below the padding
_END: Segment = (2, 0)
_NUMBER = 3  # (3, n): a 0 whose remainder decides above the padding, or n > 0


def _drop_trailing_zeros(segments: list[int | str]) -> list[int | str]:
    end = len(segments)
    while end and segments[end - 1] == 0:
        end -= 1
    return segments[:end]


def _canonical(version: str) -> list[int | str]:
    segments: list[int | str] = [
        int(part) if part[0].isdigit() else part for part in _SEGMENTS.findall(version)
    ]
    first_string = next((i for i, s in enumerate(segments) if isinstance(s, str)), None)
    if first_string is None:
        return _drop_trailing_zeros(segments)
    numeric = _drop_trailing_zeros(segments[:first_string])
    return numeric + _drop_trailing_zeros(segments[first_string:])


def _encode(segments: list[int | str]) -> GemKey:
    encoded: list[Segment] = []
    # Sign of the remainder after the current position: the first non-zero segment to
    # the right decides (a string is below 0, a number above).
    remainder_below = False
    for segment in reversed(segments):
        if isinstance(segment, str):
            encoded.append((_STRING, segment))
            remainder_below = True
        elif segment == 0:
            encoded.append((_ZERO_BEFORE_STRING, 0) if remainder_below else (_NUMBER, 0))
        else:
            encoded.append((_NUMBER, segment))
            remainder_below = False
    encoded.reverse()
    encoded.append(_END)
    return tuple(encoded)


class RubyGemsOrdering:
    name = "RubyGems"

    def _version(self, text: str) -> str:
        match = _VALID.fullmatch(text)
        if match is None:
            raise InvalidVersion(f"not a RubyGems version: {text!r}")
        return match.group(1).replace("-", ".pre.")

    def key(self, text: str) -> GemKey:
        version = self._version(text)
        try:
            return _encode(_canonical(version))
        except ValueError:  # int() refusing a number with thousands of digits
            raise InvalidVersion(f"version number too large in {text!r}") from None

    def is_prerelease(self, text: str) -> bool:
        return any(c.isalpha() for c in self._version(text))


RUBYGEMS = RubyGemsOrdering()
