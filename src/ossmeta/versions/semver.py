"""SemVer 2.0.0 precedence and its ecosystem dialects: npm, crates.io, Hex and Go.

All four share one key shape, a flat tuple built for fast C-level comparison::

    release:     (major, minor, patch, 1)
    prerelease:  (major, minor, patch, 0, id1, id2, ...)

with each prerelease identifier ``(0, int)`` when numeric and ``(1, str)`` otherwise, so
numeric identifiers sort before alphanumeric ones, a release sorts after its prereleases
and a shorter identifier list sorts first when it is a prefix of the longer one. Build
metadata is dropped: it never takes part in precedence (SemVer §10), so versions that
differ only in build metadata compare equal.

The parsers are written by hand (a regex and ``int``) rather than taken from a library
because a scan parses hundreds of thousands of versions and no installed SemVer library
is both strict and fast enough; each dialect only changes what text it accepts.
"""

from __future__ import annotations

import re

from ossmeta.versions import InvalidVersion

SemverKey = tuple[object, ...]

# SemVer 2.0.0's own grammar; [0-9] rather than \d so other Unicode digits are rejected.
_NUM = r"(?:0|[1-9][0-9]*)"
_IDENT = r"[0-9A-Za-z-]+"
_TAIL = rf"(?:-({_IDENT}(?:\.{_IDENT})*))?(?:\+({_IDENT}(?:\.{_IDENT})*))?"
_STRICT = re.compile(rf"({_NUM})\.({_NUM})\.({_NUM}){_TAIL}")
# Go's x/mod/semver also accepts the shorthands vMAJOR and vMAJOR.MINOR (no suffixes).
_GO = re.compile(rf"v?({_NUM})(?:\.({_NUM})(?:\.({_NUM}){_TAIL})?)?")

_MAX_SAFE_INTEGER = 2**53 - 1  # node-semver rejects larger version numbers
_U64_MAX = 2**64 - 1  # Rust's semver crate stores major/minor/patch as u64
_NPM_MAX_LENGTH = 256  # node-semver's MAX_LENGTH


def _prerelease_ids(pre: str, text: str) -> tuple[tuple[int, object], ...]:
    ids: list[tuple[int, object]] = []
    for ident in pre.split("."):
        if ident.isdigit():
            if len(ident) > 1 and ident[0] == "0":
                raise InvalidVersion(f"leading zero in prerelease identifier of {text!r}")
            ids.append((0, int(ident)))
        else:
            ids.append((1, ident))
    return tuple(ids)


def _make_key(major: str, minor: str, patch: str, pre: str | None, text: str) -> SemverKey:
    try:
        if pre is None:
            return (int(major), int(minor), int(patch), 1)
        return (int(major), int(minor), int(patch), 0, *_prerelease_ids(pre, text))
    except ValueError:  # more digits than int() accepts (sys.get_int_max_str_digits)
        raise InvalidVersion(f"version number too large in {text!r}") from None


class SemverOrdering:
    """Strict SemVer 2.0.0, optionally with npm's ``clean`` leniency and a bound on
    major/minor/patch (the ecosystem's integer type)."""

    def __init__(self, name: str, *, npm_clean: bool = False, max_number: int | None = None):
        self.name = name
        self._npm_clean = npm_clean
        self._max_number = max_number or 0
        # Only numbers with at least this many digits can exceed max_number: a cheap
        # length test keeps the common path free of big-integer comparisons.
        self._max_digits = len(str(max_number)) if max_number is not None else 0

    def key(self, text: str) -> SemverKey:
        match = _STRICT.fullmatch(text)
        if match is None and self._npm_clean and len(text) <= _NPM_MAX_LENGTH:
            # semver.clean(): trim, then drop any run of leading "=" and "v" characters.
            match = _STRICT.fullmatch(text.strip().lstrip("=v"))
        if match is None:
            raise InvalidVersion(f"not a {self.name} version: {text!r}")
        major, minor, patch, pre, _build = match.groups()
        key = _make_key(major, minor, patch, pre, text)
        digits = self._max_digits
        if (
            digits
            and len(text) >= digits
            and max(len(major), len(minor), len(patch)) >= digits
            and max(int(major), int(minor), int(patch)) > self._max_number
        ):
            raise InvalidVersion(f"version number out of range in {text!r}")
        return key

    def is_prerelease(self, text: str) -> bool:
        return self.key(text)[3] == 0


class GoOrdering:
    """Go module versions (golang.org/x/mod/semver): ``v`` optional because OSV stores
    Go versions without it; pseudo-versions are ordinary prereleases and
    ``+incompatible`` is build metadata, so both need no special case."""

    name = "Go"

    def key(self, text: str) -> SemverKey:
        match = _GO.fullmatch(text)
        if match is None:
            raise InvalidVersion(f"not a Go module version: {text!r}")
        major, minor, patch, pre, _build = match.groups()
        return _make_key(major, minor or "0", patch or "0", pre, text)

    def is_prerelease(self, text: str) -> bool:
        return self.key(text)[3] == 0


SEMVER = SemverOrdering("SEMVER")
NPM = SemverOrdering("npm", npm_clean=True, max_number=_MAX_SAFE_INTEGER)
CARGO = SemverOrdering("crates.io", max_number=_U64_MAX)
# Elixir's Version (Hex): strict SemVer 2.0, no leading zeros, build metadata parsed but
# ignored by Version.compare, so "1.0.0+a" == "1.0.0+b" as here.
HEX = SemverOrdering("Hex")
GO = GoOrdering()
