"""Ecosystem identities: OSV ecosystem names, purl types and canonical package names.

OSV names an ecosystem by a string that may carry a suffix (``Debian:12``,
``Maven:https://maven.google.com``); the part before the first colon is the base
ecosystem, and that is what decides the version ordering and name rules.
"""

from __future__ import annotations

import re
from typing import Final

PYPI: Final = "PyPI"
NPM: Final = "npm"
MAVEN: Final = "Maven"
CRATES: Final = "crates.io"
GO: Final = "Go"
RUBYGEMS: Final = "RubyGems"
NUGET: Final = "NuGet"
PACKAGIST: Final = "Packagist"

#: purl type -> OSV base ecosystem (for the types our inputs produce and OSV knows).
PURL_TYPE_TO_ECOSYSTEM: Final[dict[str, str]] = {
    "pypi": PYPI,
    "npm": NPM,
    "maven": MAVEN,
    "cargo": CRATES,
    "golang": GO,
    "gem": RUBYGEMS,
    "nuget": NUGET,
    "composer": PACKAGIST,
    "pub": "Pub",
    "hex": "Hex",
    "swift": "SwiftURL",
    "cran": "CRAN",
    "hackage": "Hackage",
    "conan": "ConanCenter",
    "bitnami": "Bitnami",
    "github": "GitHub Actions",
}
ECOSYSTEM_TO_PURL_TYPE: Final[dict[str, str]] = {v: k for k, v in PURL_TYPE_TO_ECOSYSTEM.items()}

#: OS package purls (deb, apk, rpm): the namespace names the distribution, and with it the
#: OSV base ecosystem. Kept apart from PURL_TYPE_TO_ECOSYSTEM: one purl type stands for
#: several ecosystems, and these are not registry packages (no build_purl, no curations).
OS_PURL_NAMESPACES: Final[dict[tuple[str, str], str]] = {
    ("deb", "debian"): "Debian",
    ("deb", "ubuntu"): "Ubuntu",
    ("apk", "alpine"): "Alpine",
    ("apk", "wolfi"): "Wolfi",
    ("apk", "chainguard"): "Chainguard",
    ("rpm", "redhat"): "Red Hat",
    ("rpm", "rhel"): "Red Hat",
    ("rpm", "rocky"): "Rocky Linux",
    ("rpm", "almalinux"): "AlmaLinux",
    ("rpm", "alma"): "AlmaLinux",
    ("rpm", "opensuse"): "openSUSE",
    ("rpm", "opensuse-leap"): "openSUSE",
    ("rpm", "opensuse-tumbleweed"): "openSUSE",
    ("rpm", "suse"): "SUSE",
    ("rpm", "sles"): "SUSE",
    ("rpm", "mageia"): "Mageia",
}
OS_PURL_TYPES: Final = frozenset(t for t, _ in OS_PURL_NAMESPACES)

#: Prefixes of the advisory database that belongs to an ecosystem; used to choose the
#: id shown for an alias group (the ecosystem's own database first, then GHSA, then CVE).
NATIVE_ID_PREFIXES: Final[dict[str, tuple[str, ...]]] = {
    PYPI: ("PYSEC-",),
    GO: ("GO-",),
    CRATES: ("RUSTSEC-",),
    "Hex": ("EEF-",),
    "Pub": ("PUB-",),
    "Android": ("ASB-", "PUB-"),
    "Debian": ("DSA-", "DLA-", "DTSA-", "DEBIAN-"),
    "Ubuntu": ("USN-", "UBUNTU-"),
    "Alpine": ("ALPINE-",),
    "Red Hat": ("RHSA-", "RHBA-", "RHEA-"),
    "Mageia": ("MGASA-",),
    "Rocky Linux": ("RLSA-", "RXSA-"),
    "AlmaLinux": ("ALSA-", "ALBA-", "ALEA-"),
    "openSUSE": ("openSUSE-", "SUSE-"),
    "SUSE": ("SUSE-", "openSUSE-"),
    "Bitnami": ("BIT-",),
    "OSS-Fuzz": ("OSV-",),
    "Packagist": ("PKSA-",),
    "RubyGems": ("GEM-",),
}

_PEP503 = re.compile(r"[-_.]+")


def _pep503(name: str) -> str:
    """PEP 503 normalization. Most names have no run of separators to fold, and for those
    lower-casing alone is the answer (``lower`` never makes a separator): a scan calls
    this several times per component."""
    low = name.lower()
    if "_" not in low and "." not in low and "--" not in low:
        return low
    return _PEP503.sub("-", low)


def base_ecosystem(ecosystem: str) -> str:
    """``Debian:12`` -> ``Debian``; ``PyPI`` -> ``PyPI``."""
    return ecosystem.split(":", 1)[0] if ":" in ecosystem else ecosystem


def name_key(ecosystem: str, name: str) -> str:
    """The key under which two spellings of one package name compare equal.

    PyPI follows PEP 503; NuGet ids and Packagist names are case-insensitive; crates.io
    treats ``-`` and ``_`` alike and ignores case. Everything else is exact.
    """
    base = base_ecosystem(ecosystem)
    if base == PYPI:
        return _pep503(name)
    if base in (NUGET, PACKAGIST):
        return name.lower()
    if base == CRATES:
        return name.replace("_", "-").lower()
    return name


def canonical_name(ecosystem: str, name: str) -> str:
    """The name as the ecosystem canonically writes it (PEP 503 for PyPI, lower-case
    for Packagist); other ecosystems keep the name as given."""
    base = base_ecosystem(ecosystem)
    if base == PYPI:
        return _pep503(name)
    if base == PACKAGIST:
        return name.lower()
    return name


def osv_version(ecosystem: str, version: str) -> str:
    """The version as OSV records write it: Go module versions drop their ``v``."""
    if version[:1] == "v" and base_ecosystem(ecosystem) == GO:
        return version[1:]
    return version
