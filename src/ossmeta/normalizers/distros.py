"""OS packages (deb, apk and rpm purls) -> OSV ecosystems with a distribution release.

OSV scopes distribution advisories to a release: ``Debian:12``, ``Ubuntu:22.04:LTS``,
``Alpine:v3.20``, ``Red Hat:enterprise_linux:9::appstream``, ``Rocky Linux:9``. A
component gets its release from the purl's ``distro`` qualifier, spelled the way SBOM
tools write it (``debian-12``, ``debian-12.4``, ``alpine-3.20.3``, ``3.20.3``,
``rhel-9.4``, ``opensuse-leap-15.5``, or a Debian or Ubuntu code name), and a record
applies to a component only when their releases are the same (``release_matches``).

Like osv-scanner we do not guess a missing release: a component without one keeps the bare
ecosystem (``Debian``), and a release-scoped record that would affect it is reported as
unknown for it, never as affected and never dropped.

Debian and Alpine file advisories under the source package, which syft writes in the
``upstream`` qualifier (``upstream=openssl`` or ``upstream=glibc@2.36-9``); without one the
binary name is matched and the scan says so. RPM distributions name binary packages.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ossmeta.ecosystems import OS_PURL_NAMESPACES, OS_PURL_TYPES, base_ecosystem
from ossmeta.model import Component
from ossmeta.purls import InvalidPurl, Purl, parse_purl

#: The OSV base ecosystems of OS packages.
OS_ECOSYSTEMS = frozenset(OS_PURL_NAMESPACES.values())
#: Ecosystems whose records carry a release that must match the component's.
RELEASE_SCOPED = frozenset(
    {"Debian", "Ubuntu", "Alpine", "Red Hat", "Rocky Linux", "AlmaLinux", "openSUSE", "SUSE",
     "Mageia"}
)  # fmt: skip
#: Ecosystems whose advisories name source packages.
_BY_SOURCE = frozenset({"Debian", "Ubuntu", "Alpine", "Wolfi", "Chainguard"})

_OS_PURL_PREFIXES = frozenset(f"{t}/" for t in OS_PURL_TYPES)  # after "pkg:"
_CODENAMES = {
    "stretch": "9", "buster": "10", "bullseye": "11", "bookworm": "12", "trixie": "13",
    "forky": "14", "xenial": "16.04", "bionic": "18.04", "focal": "20.04", "jammy": "22.04",
    "kinetic": "22.10", "lunar": "23.04", "mantic": "23.10", "noble": "24.04",
    "oracular": "24.10", "plucky": "25.04",
}  # fmt: skip
_NUMBER = re.compile(r"(?:^|[-_ ])v?([0-9]+(?:\.[0-9]+)*)")
_UBUNTU = re.compile(r"(?:^|:)([0-9]{2}\.[0-9]{2})(?::|$)")
_SUSE = re.compile(r"([0-9]+(?: SP[0-9]+)?)$")
_MAJOR = re.compile(r"v?([0-9]+)")


@dataclass(frozen=True, slots=True)
class OsPackage:
    """What an OS package purl says, as OSV records name it."""

    ecosystem: str | None  # "Debian:12"; "Debian" when the release is unknown; None: no OSV
    name: str  # the name advisories use (the source package where the distribution does)
    version: str | None
    distribution: str  # the purl namespace as written
    release_known: bool
    source_named: bool  # False where advisories name source packages and the purl does not


def _numbers(value: str) -> list[str] | None:
    for piece in value.lower().split("-"):
        if piece in _CODENAMES:
            return _CODENAMES[piece].split(".")
    found = _NUMBER.search(value)
    return found.group(1).split(".") if found else None


def release_ecosystem(base: str, distro: str) -> str | None:
    """The OSV ecosystem of ``base`` at the release a ``distro`` qualifier names; None when
    the qualifier names no release we can place."""
    if base not in RELEASE_SCOPED:
        return base  # rolling distributions (Wolfi, Chainguard): OSV gives them no releases
    if base == "openSUSE" and "tumbleweed" in distro.lower():
        return "openSUSE:Tumbleweed"
    numbers = _numbers(distro)
    if not numbers:
        return None
    major = numbers[0]
    if base == "Ubuntu":
        if len(numbers) < 2:
            return None
        release = f"{major}.{numbers[1].zfill(2)}"
        lts = int(major) % 2 == 0 and numbers[1] in ("04", "4")
        return f"Ubuntu:{release}:LTS" if lts else f"Ubuntu:{release}"
    if base == "Alpine":
        return f"Alpine:v{major}.{numbers[1]}" if len(numbers) > 1 else None
    if base == "Red Hat":
        return f"Red Hat:enterprise_linux:{major}"
    if base == "openSUSE":
        return f"openSUSE:Leap {major}.{numbers[1]}" if len(numbers) > 1 else None
    if base == "SUSE":
        service_pack = f" SP{numbers[1]}" if len(numbers) > 1 and numbers[1] != "0" else ""
        return f"SUSE:Linux Enterprise Server {major}{service_pack}"
    return f"{base}:{major}"  # Debian, Rocky Linux, AlmaLinux, Mageia: the major release


def _release_id(base: str, suffix: str) -> str | None:
    """The part of an ecosystem suffix that identifies the release, comparable between a
    record (``enterprise_linux:9::appstream``) and a component (``enterprise_linux:9``)."""
    if base == "Ubuntu":  # "22.04:LTS", "Pro:18.04:LTS", "23.10"
        found = _UBUNTU.search(suffix)
        return found.group(1) if found else None
    if base == "Alpine":  # "v3.20"
        return suffix.removeprefix("v")
    if base == "Red Hat":  # "enterprise_linux:9::appstream"; EUS/AUS/E4S streams differ
        product, _, rest = suffix.partition(":")
        if product != "enterprise_linux":
            return None
        found = _MAJOR.match(rest)
        return found.group(1) if found else None
    if base == "openSUSE":  # "Leap 15.5", "Tumbleweed"
        return suffix.casefold()
    if base == "SUSE":  # "Linux Enterprise Module for Basesystem 15 SP5"
        found = _SUSE.search(suffix)
        return found.group(1) if found else None
    found = _MAJOR.match(suffix)  # Debian "12", Rocky Linux "9", AlmaLinux "9", Mageia "9"
    return found.group(1) if found else None


def release_matches(component_ecosystem: str, record_ecosystem: str) -> bool | None:
    """Does a record of ``record_ecosystem`` apply to a component of
    ``component_ecosystem``? None when the record is scoped to a release and the component
    names none. Ecosystems without releases always match."""
    base = base_ecosystem(record_ecosystem)
    if base not in RELEASE_SCOPED or ":" not in record_ecosystem:
        return True
    if ":" not in component_ecosystem:
        return None
    record = _release_id(base, record_ecosystem.split(":", 1)[1])
    component = _release_id(base, component_ecosystem.split(":", 1)[1])
    return record is not None and record == component


def _qualifier(purl: Purl, *names: str) -> str | None:
    found = dict(purl.qualifiers)
    return next((found[n] for n in names if found.get(n)), None)


def os_package(purl: Purl) -> OsPackage | None:
    """The OSV identity of a deb, apk or rpm purl; None for other purl types."""
    if purl.type not in OS_PURL_TYPES:
        return None
    distribution = (purl.namespace or "").lower()
    base = OS_PURL_NAMESPACES.get((purl.type, distribution))
    if base is None:
        return OsPackage(None, purl.name, purl.version, distribution, False, True)
    distro = _qualifier(purl, "distro", "distro_name")
    if base not in RELEASE_SCOPED:
        ecosystem: str | None = base  # a rolling distribution: nothing to place
    else:
        ecosystem = release_ecosystem(base, distro) if distro else None
    name, version, source_named = purl.name, purl.version, True
    if base in _BY_SOURCE:
        source = _qualifier(purl, "upstream", "source")
        if source:
            name, _, source_version = source.partition("@")
            version = source_version or version
        else:
            source_named = False
    epoch = _qualifier(purl, "epoch")  # rpm purls carry the epoch apart from the version
    if purl.type == "rpm" and epoch and version and ":" not in version:
        version = f"{epoch}:{version}"
    release_known = ecosystem is not None
    return OsPackage(ecosystem or base, name, version, distribution, release_known, source_named)


def coverage_notes(components: Iterable[Component]) -> tuple[str, ...]:
    """One line per kind of gap among OS packages: no release, no source package name, or
    a distribution OSV does not cover."""
    no_release: Counter[str] = Counter()
    no_source: Counter[str] = Counter()
    uncovered: Counter[str] = Counter()
    for component in components:
        if not component.purl or component.purl[4:8].lower() not in _OS_PURL_PREFIXES:
            continue
        try:
            parsed = parse_purl(component.purl)
        except InvalidPurl:
            continue
        found = os_package(parsed)
        if found is None:
            continue
        if found.ecosystem is None:
            uncovered[f"pkg:{parsed.type}/{found.distribution or '(no namespace)'}"] += 1
            continue
        base = base_ecosystem(found.ecosystem)
        no_release[base] += not found.release_known
        no_source[base] += not found.source_named
    notes = [
        f"{n} {base} package(s) name no {base} release (no usable distro qualifier in the "
        "purl): advisories scoped to a release are reported as unknown for them"
        for base, n in sorted(no_release.items())
        if n
    ]
    notes += [
        f"{n} {base} package(s) name no source package (no upstream qualifier in the purl): "
        "matched by binary package name, so advisories filed under a differently named "
        "source package are missed"
        for base, n in sorted(no_source.items())
        if n
    ]
    notes += [
        f"{n} {what} package(s): OSV has no ecosystem for this distribution; not checked"
        for what, n in sorted(uncovered.items())
    ]
    return tuple(notes)
