"""Per-ecosystem version ordering.

``version_key(scheme, text)`` turns a version string into a key that sorts the way the
ecosystem sorts versions; keys of one scheme compare with ``<`` and ``==`` and form a
total order. ``scheme`` is an OSV base ecosystem (``PyPI``, ``npm``, ``Maven``,
``crates.io``, ``Go``, ``RubyGems``, ``NuGet``, ``Packagist``, ``Hex``, ``Pub``,
``CRAN``, ``Hackage``, and the Debian, Alpine and RPM families) or the OSV range type
``SEMVER``. Versions are never compared as
text: a string the ecosystem cannot parse raises ``InvalidVersion`` and the caller
answers "unknown".

Scans and imports see the same few thousand versions again and again, so each scheme
keeps the keys of its ``CACHE_SIZE`` most recently used strings (an LRU; None for a
string that does not parse). The bound keeps a process that runs for weeks flat in
memory. No exception is cached: a cached exception re-raised grows its traceback on every
raise and keeps those frames alive, so the reason is worked out again (a cheap re-parse)
each time ``version_key`` raises.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any, Protocol

from ossmeta.errors import OssmetaError


class InvalidVersion(OssmetaError):
    """The ecosystem's ordering cannot parse this version string."""


class Ordering(Protocol):
    """One ecosystem's version ordering."""

    name: str

    def key(self, text: str) -> Any:
        """A totally ordered key for ``text``; raises ``InvalidVersion``."""

    def is_prerelease(self, text: str) -> bool:
        """True for pre-releases (``1.0rc1``, ``1.0.0-beta``); ``text`` must parse."""


# scheme -> (module, attribute); imported on first use so a scan loads only what it needs.
_REGISTRY: dict[str, tuple[str, str]] = {
    "SEMVER": ("ossmeta.versions.semver", "SEMVER"),
    "npm": ("ossmeta.versions.semver", "NPM"),
    "crates.io": ("ossmeta.versions.semver", "CARGO"),
    "Go": ("ossmeta.versions.semver", "GO"),
    "PyPI": ("ossmeta.versions.pep440", "PEP440"),
    "Maven": ("ossmeta.versions.maven", "MAVEN"),
    "RubyGems": ("ossmeta.versions.rubygems", "RUBYGEMS"),
    "NuGet": ("ossmeta.versions.nuget", "NUGET"),
    "Packagist": ("ossmeta.versions.composer", "COMPOSER"),
    "Debian": ("ossmeta.versions.dpkg", "DEBIAN"),
    "Ubuntu": ("ossmeta.versions.dpkg", "UBUNTU"),
    "Alpine": ("ossmeta.versions.apk", "ALPINE"),
    "Wolfi": ("ossmeta.versions.apk", "WOLFI"),
    "Chainguard": ("ossmeta.versions.apk", "CHAINGUARD"),
    "Red Hat": ("ossmeta.versions.rpm", "RED_HAT"),
    "Rocky Linux": ("ossmeta.versions.rpm", "ROCKY_LINUX"),
    "AlmaLinux": ("ossmeta.versions.rpm", "ALMALINUX"),
    "openSUSE": ("ossmeta.versions.rpm", "OPENSUSE"),
    "SUSE": ("ossmeta.versions.rpm", "SUSE"),
    "Mageia": ("ossmeta.versions.rpm", "MAGEIA"),
    "Hex": ("ossmeta.versions.semver", "HEX"),
    "Pub": ("ossmeta.versions.pub", "PUB"),
    "CRAN": ("ossmeta.versions.dotted", "CRAN"),
    "Hackage": ("ossmeta.versions.dotted", "HACKAGE"),
}

CACHE_SIZE = 65_536
"""Most keys cached per scheme. A full cache of long PyPI or Maven versions (with their
strings) holds some 40-50 MiB; a scan touches only the schemes of its packages."""

_orderings: dict[str, Ordering] = {}  # only registered schemes: bounded by _REGISTRY
_key_functions: dict[str, Callable[[str], Any | None]] = {}  # likewise


def ordering_for(scheme: str) -> Ordering | None:
    """The ordering for an OSV base ecosystem or range type, or None if we have none."""
    found = _orderings.get(scheme)
    if found is not None:
        return found
    entry = _REGISTRY.get(scheme)
    if entry is None:
        return None
    ordering: Ordering = getattr(importlib.import_module(entry[0]), entry[1])
    _orderings[scheme] = ordering
    return ordering


def _no_key(text: str) -> None:
    return None


def key_function(scheme: str) -> Callable[[str], Any | None]:
    """A fast, cached ``text -> key or None`` for one scheme, shared with ``version_key``.

    The matcher calls this hundreds of thousands of times per scan (every listed version of
    every advisory of every package in an SBOM); a hit is one call into the C LRU cache."""
    found = _key_functions.get(scheme)
    if found is not None:
        return found
    ordering = ordering_for(scheme)
    if ordering is None:
        return _no_key  # not remembered: schemes come from data and must not grow a table
    parse = ordering.key

    def key_or_none(text: str) -> Any | None:
        try:
            return parse(text)
        except InvalidVersion:
            return None

    cached = _key_functions[scheme] = functools.lru_cache(maxsize=CACHE_SIZE)(key_or_none)
    return cached


def _why_not(scheme: str, text: str) -> InvalidVersion:
    """A fresh error saying why ``text`` has no key (parsing again, which is cheap)."""
    ordering = ordering_for(scheme)
    if ordering is None:
        return InvalidVersion(f"no version ordering for {scheme}")
    try:
        ordering.key(text)
    except InvalidVersion as error:
        return InvalidVersion(str(error))
    return InvalidVersion(f"not a {scheme} version: {text!r}")  # only if key() is not pure


def version_key(scheme: str, text: str) -> Any:
    """Cached ``ordering_for(scheme).key(text)``; raises ``InvalidVersion`` when the
    scheme has no ordering or cannot parse ``text``."""
    key = key_function(scheme)(text)
    if key is None:
        raise _why_not(scheme, text)
    return key


def try_version_key(scheme: str, text: str) -> Any | None:
    """``version_key`` that answers None instead of raising."""
    return key_function(scheme)(text)
