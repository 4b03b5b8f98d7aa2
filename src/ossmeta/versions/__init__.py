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
}

_orderings: dict[str, Ordering | None] = {}
_caches: dict[str, dict[str, Any]] = {}  # scheme -> text -> key, or None if it does not parse
_errors: dict[tuple[str, str], InvalidVersion] = {}  # why it did not parse
_key_functions: dict[str, Callable[[str], Any | None]] = {}


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


def _parsed(scheme: str, text: str) -> Any:
    """The cached key of ``text`` (None when it does not parse; the error is kept)."""
    cache = _caches.get(scheme)
    if cache is None:
        cache = _caches[scheme] = {}
    try:
        return cache[text]
    except KeyError:
        pass
    ordering = ordering_for(scheme)
    key: Any = None
    if ordering is None:
        _errors[(scheme, text)] = InvalidVersion(f"no version ordering for {scheme}")
    else:
        try:
            key = ordering.key(text)
        except InvalidVersion as error:
            _errors[(scheme, text)] = error
    cache[text] = key
    return key


def version_key(scheme: str, text: str) -> Any:
    """Cached ``ordering_for(scheme).key(text)``; raises ``InvalidVersion`` when the
    scheme has no ordering or cannot parse ``text``."""
    key = _parsed(scheme, text)
    if key is None:
        raise _errors[(scheme, text)]
    return key


def try_version_key(scheme: str, text: str) -> Any | None:
    """``version_key`` that answers None instead of raising."""
    return _parsed(scheme, text)


def key_function(scheme: str) -> Callable[[str], Any | None]:
    """A fast ``text -> key or None`` for one scheme, sharing ``version_key``'s cache.

    The matcher calls this hundreds of thousands of times per scan (every listed version of
    every advisory of every package in an SBOM); binding the scheme's cache once saves the
    per-call lookups."""
    found = _key_functions.get(scheme)
    if found is not None:
        return found
    cache = _caches.setdefault(scheme, {})

    def key_of(text: str) -> Any | None:
        try:
            return cache[text]
        except KeyError:
            return _parsed(scheme, text)

    _key_functions[scheme] = key_of
    return key_of
