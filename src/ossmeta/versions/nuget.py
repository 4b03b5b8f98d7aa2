"""NuGet ordering, following NuGet.Versioning's ``NuGetVersion`` and ``VersionComparer``.

Written by hand (no Python package implements NuGet's rules) from the documented
behaviour (learn.microsoft.com, "Package versioning"):

* one to four dot-separated numeric parts, each a 32-bit signed integer, leading zeros
  allowed; missing parts are 0, so ``1.0`` == ``1.0.0`` == ``1.0.0.0``;
* an optional ``-`` release label (SemVer 2.0 identifiers: ``[0-9A-Za-z-]``, no empty
  identifier, no leading zero in a numeric one) and optional ``+`` metadata, ignored for
  ordering;
* a release sorts after its pre-releases; labels compare identifier by identifier,
  numeric ones (``int.TryParse``) by value and before non-numeric ones, non-numeric ones
  case-insensitively (``OrdinalIgnoreCase`` upper-cases both sides), and a shorter label
  list first when it is a prefix of the longer.

Key: ``(major, minor, patch, revision, 1)`` for releases and
``(major, minor, patch, revision, 0, label1, label2, ...)`` for pre-releases.
"""

from __future__ import annotations

import re

from ossmeta.versions import InvalidVersion

NugetKey = tuple[object, ...]

_IDENT = r"[0-9A-Za-z-]+"
_VALID = re.compile(
    rf"([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:\.([0-9]+))?"
    rf"(?:-({_IDENT}(?:\.{_IDENT})*))?(?:\+({_IDENT}(?:\.{_IDENT})*))?"
)
_INT32_MAX = 2**31 - 1
_INT32_DIGITS = 10
# int.TryParse accepts an optional sign; labels can only contain "-".
_LABEL_NUMBER = re.compile(r"-?[0-9]+")


def _number(part: str | None, text: str) -> int:
    if part is None:
        return 0
    # Strip leading zeros before measuring so "0001" is not mistaken for a huge number.
    digits = part.lstrip("0")
    if len(digits) > _INT32_DIGITS or (digits and int(digits) > _INT32_MAX):
        raise InvalidVersion(f"version part out of range in {text!r}")
    return int(digits) if digits else 0


def _label(ident: str, text: str) -> tuple[int, object]:
    if ident.isdigit() and len(ident) > 1 and ident[0] == "0":
        raise InvalidVersion(f"leading zero in release label of {text!r}")
    if _LABEL_NUMBER.fullmatch(ident) and len(ident) <= _INT32_DIGITS + 1:
        value = int(ident)
        if -(2**31) <= value <= _INT32_MAX:
            return (0, value)
    return (1, ident.upper())


class NuGetOrdering:
    name = "NuGet"

    def key(self, text: str) -> NugetKey:
        match = _VALID.fullmatch(text)
        if match is None:
            raise InvalidVersion(f"not a NuGet version: {text!r}")
        major, minor, patch, revision, labels, _metadata = match.groups()
        numbers = (
            _number(major, text),
            _number(minor, text),
            _number(patch, text),
            _number(revision, text),
        )
        if labels is None:
            return (*numbers, 1)
        return (*numbers, 0, *(_label(ident, text) for ident in labels.split(".")))

    def is_prerelease(self, text: str) -> bool:
        return self.key(text)[4] == 0


NUGET = NuGetOrdering()
