"""Dart/Flutter (pub) ordering, as ``package:pub_semver``'s ``Version`` has it.

SemVer-shaped, with pub_semver's own rules where they differ from SemVer 2.0:

* ``MAJOR.MINOR.PATCH`` with any digits (leading zeros allowed: ``01.2.3`` = ``1.2.3``);
  the two separators are an unescaped regex ``.`` there, so any one character other than
  a line break separates (``1x2x3`` parses);
* a release sorts after its pre-releases, as in SemVer;
* build metadata takes part: a version without ``+build`` sorts before the same version
  with one (``1.0.0`` < ``1.0.0+1``), and builds compare like pre-releases;
* identifiers of pre-releases and builds are numbers when Dart's ``int.tryParse`` says so:
  a leading ``-`` (``-1``), a ``0x`` prefix (``0x1f`` = 31) and leading zeros all count,
  and values outside a 64-bit integer stay text. Numbers sort before text, text by code
  unit, and a list that is a prefix of the other sorts first.
"""

from __future__ import annotations

import re

from ossmeta.versions import InvalidVersion

PubKey = tuple[object, ...]
Identifier = tuple[int, int | str]

_IDENTIFIERS = r"[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*"
_ANY = r"[^\n\r\u2028\u2029]"  # what an unescaped "." matches in a Dart RegExp
_VERSION = re.compile(
    rf"([0-9]+){_ANY}([0-9]+){_ANY}([0-9]+)(?:-({_IDENTIFIERS}))?(?:\+({_IDENTIFIERS}))?"
)
_DART_INT = re.compile(r"[+-]?(?:0[xX][0-9A-Fa-f]+|[0-9]+)")
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_MAX_DIGITS = 40  # far beyond 64 bits; keeps int() away from huge inputs


def _identifier(part: str) -> Identifier:
    if len(part) <= _MAX_DIGITS and _DART_INT.fullmatch(part):
        value = int(part, 0) if "x" in part.lower() else int(part)
        if _INT64_MIN <= value <= _INT64_MAX:
            return (0, value)
    return (1, part)


def _identifiers(text: str | None) -> tuple[Identifier, ...]:
    return tuple(_identifier(part) for part in text.split(".")) if text else ()


def _number(digits: str, text: str) -> int:
    if len(digits) > _MAX_DIGITS or int(digits) > _INT64_MAX:
        raise InvalidVersion(f"version number out of range in {text!r}")
    return int(digits)


class PubOrdering:
    name = "Pub"

    def key(self, text: str) -> PubKey:
        match = _VERSION.fullmatch(text)
        if match is None:
            raise InvalidVersion(f"not a Pub version: {text!r}")
        major, minor, patch, pre, build = match.groups()
        return (
            _number(major, text),
            _number(minor, text),
            _number(patch, text),
            pre is None,  # a release after its pre-releases
            _identifiers(pre),
            build is not None,  # a build after the same version without one
            _identifiers(build),
        )

    def is_prerelease(self, text: str) -> bool:
        return not self.key(text)[3]


PUB = PubOrdering()
