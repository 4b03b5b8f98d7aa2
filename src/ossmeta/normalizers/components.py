"""Declared packages (as the input files name them) -> components: canonical names, purls,
a status, and duplicates across files merged with all their locations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ossmeta.ecosystems import base_ecosystem, canonical_name, name_key, osv_version
from ossmeta.model import Component, ComponentStatus, DeclaredPackage, Location
from ossmeta.normalizers.distros import OS_ECOSYSTEMS, os_package
from ossmeta.purls import InvalidPurl, build_purl, parse_purl, purl_package
from ossmeta.versions import try_version_key


@dataclass
class _Merged:
    first: DeclaredPackage
    ecosystem: str | None
    name: str
    version: str | None
    purl: str | None
    status: ComponentStatus
    locations: list[Location] = field(default_factory=list)
    direct: set[bool] = field(default_factory=set)
    scopes: list[str] = field(default_factory=list)

    def add(self, declared: DeclaredPackage) -> None:
        if declared.location not in self.locations:
            self.locations.append(declared.location)
        if declared.direct is not None:
            self.direct.add(declared.direct)
        if declared.scope and declared.scope not in self.scopes:
            self.scopes.append(declared.scope)

    def freeze(self) -> Component:
        return Component(
            purl=self.purl,
            ecosystem=self.ecosystem,
            name=self.name,
            version=self.version,
            status=self.status,
            locations=tuple(self.locations),
            direct=True if True in self.direct else (False if self.direct else None),
            requirement=self.first.requirement,
            scopes=tuple(self.scopes),
        )


def _identify(declared: DeclaredPackage) -> tuple[str | None, str, str | None, str | None]:
    """(ecosystem, canonical name, version, purl) for one declared package. An OS package
    keeps its ecosystem's release (``Debian:12``) and the purl as written, whose
    qualifiers (arch, distro) say which package of the image it is."""
    ecosystem, name, version = declared.ecosystem, declared.name, declared.version
    if ecosystem is None and declared.purl:
        try:
            parsed = parse_purl(declared.purl)
        except InvalidPurl:
            return None, name, version, declared.purl
        found_os = os_package(parsed)
        if found_os is not None and found_os.ecosystem is not None:
            return found_os.ecosystem, found_os.name, found_os.version or version, declared.purl
        found, purl_name = purl_package(parsed)
        if found is None:
            return None, name, version or parsed.version, declared.purl
        ecosystem, name, version = found, purl_name, parsed.version or version
    if ecosystem is None:
        return None, name, version, declared.purl
    ecosystem = base_ecosystem(ecosystem)
    name = canonical_name(ecosystem, name)
    return ecosystem, name, version, build_purl(ecosystem, name, version)


def normalize_components(declared: Iterable[DeclaredPackage]) -> list[Component]:
    """Merge declared packages into components, in first-seen order within each
    (ecosystem, name), sorted by ecosystem then name."""
    merged: dict[tuple[str, str, str, str], _Merged] = {}
    for item in declared:
        ecosystem, name, version, purl = _identify(item)
        if ecosystem is None:
            status = ComponentStatus.UNIDENTIFIED
            key = ("", name, version or "", item.purl or "")
        else:
            base = base_ecosystem(ecosystem)
            if version is None:
                status = ComponentStatus.UNRESOLVED
            elif try_version_key(base, osv_version(base, version)) is None:
                status = ComponentStatus.UNKNOWN
            else:
                status = ComponentStatus.OK
            key = (
                ecosystem,
                name_key(ecosystem, name),
                version or "",
                "" if version else item.requirement or "",
            )
            if base in OS_ECOSYSTEMS:  # binaries built from one source stay apart
                key = (*key[:3], item.purl or "")
        entry = merged.get(key)
        if entry is None:
            entry = merged[key] = _Merged(item, ecosystem, name, version, purl, status)
        entry.add(item)
    ordered = sorted(merged.items(), key=lambda item: (item[0][0] or "~", item[0][1]))
    return [entry.freeze() for _, entry in ordered]
