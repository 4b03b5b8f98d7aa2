"""Per-ecosystem version ordering.

``version_key(scheme, text)`` turns a version string into a key that sorts the way the
ecosystem sorts versions; keys of one scheme compare with ``<`` and ``==`` and form a
total order. ``scheme`` is an OSV base ecosystem (``PyPI``, ``npm``, ``Maven``,
``crates.io``, ``Go``, ``RubyGems``, ``NuGet``, ``Packagist``) or the OSV range type
``SEMVER``. Versions are never compared as text: a string the ecosystem cannot parse
raises ``InvalidVersion`` and the caller answers "unknown".

Each string is parsed once per process (the cache below); scans and imports see the same
few thousand versions again and again.
"""

from __future__ import annotations

import importlib
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
}

_orderings: dict[str, Ordering | None] = {}
_MISSING = object()
_cache: dict[tuple[str, str], Any] = {}


def supported_schemes() -> tuple[str, ...]:
    return tuple(_REGISTRY)


def ordering_for(scheme: str) -> Ordering | None:
    """The ordering for an OSV base ecosystem or range type, or None if we have none."""
    try:
        return _orderings[scheme]
    except KeyError:
        pass
    entry = _REGISTRY.get(scheme)
    ordering: Ordering | None = None
    if entry is not None:
        module = importlib.import_module(entry[0])
        ordering = getattr(module, entry[1])
    _orderings[scheme] = ordering
    return ordering


def version_key(scheme: str, text: str) -> Any:
    """Cached ``ordering_for(scheme).key(text)``; raises ``InvalidVersion`` when the
    scheme has no ordering or cannot parse ``text``."""
    cache_key = (scheme, text)
    hit = _cache.get(cache_key, _MISSING)
    if hit is _MISSING:
        ordering = ordering_for(scheme)
        if ordering is None:
            hit = InvalidVersion(f"no version ordering for {scheme}")
        else:
            try:
                hit = ordering.key(text)
            except InvalidVersion as error:
                hit = error
        _cache[cache_key] = hit
    if isinstance(hit, InvalidVersion):
        raise hit
    return hit


def try_version_key(scheme: str, text: str) -> Any | None:
    """``version_key`` that answers None instead of raising."""
    try:
        return version_key(scheme, text)
    except InvalidVersion:
        return None
