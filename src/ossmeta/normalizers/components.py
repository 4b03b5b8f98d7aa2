"""Declared packages (as the input files name them) -> components: canonical names, purls,
a status, and duplicates across files merged with all their locations."""

from __future__ import annotations

from collections.abc import Iterable

from ossmeta.ecosystems import base_ecosystem, canonical_name, name_key, osv_version
from ossmeta.model import Component, ComponentStatus, DeclaredPackage, Location
from ossmeta.normalizers.distros import OS_ECOSYSTEMS, os_package
from ossmeta.purls import InvalidPurl, build_purl, parse_purl, purl_package
from ossmeta.versions import try_version_key


class _Merged:
    """The declared packages that are one component. Most components are declared once, so
    the lists of a merge are built only when freezing one that was declared again."""

    __slots__ = ("declared", "ecosystem", "name", "purl", "status", "version")

    def __init__(
        self,
        first: DeclaredPackage,
        ecosystem: str | None,
        name: str,
        version: str | None,
        purl: str | None,
        status: ComponentStatus,
    ) -> None:
        self.declared = [first]
        self.ecosystem, self.name, self.version, self.purl = ecosystem, name, version, purl
        self.status = status

    def freeze(self) -> Component:
        first = self.declared[0]
        if len(self.declared) == 1:
            locations: tuple[Location, ...] = (first.location,)
            direct = first.direct
            scopes: tuple[str, ...] = (first.scope,) if first.scope else ()
        else:
            locations = tuple(dict.fromkeys(d.location for d in self.declared))
            seen = {d.direct for d in self.declared} - {None}
            direct = True if True in seen else (False if seen else None)
            scopes = tuple(dict.fromkeys(d.scope for d in self.declared if d.scope))
        # Positional (purl, ecosystem, name, version, status, locations, direct,
        # requirement, scopes): cheaper than keywords for ten thousand components.
        return Component(
            self.purl,
            self.ecosystem,
            self.name,
            self.version,
            self.status,
            locations,
            direct,
            first.requirement,
            scopes,
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
            merged[key] = _Merged(item, ecosystem, name, version, purl, status)
        else:
            entry.declared.append(item)
    ordered = sorted(merged.items(), key=lambda item: (item[0][0] or "~", item[0][1]))
    return [entry.freeze() for _, entry in ordered]
