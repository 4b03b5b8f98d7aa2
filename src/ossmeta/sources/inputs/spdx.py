"""SPDX 2.x documents, JSON and tag-value.

A package with a ``purl`` external reference is identified through the purl
(``ossmeta.purls``), whatever the reference's category: tools file purls under
``PACKAGE-MANAGER`` (preferred when there are several), ``SECURITY`` or ``OTHER``. One
without is reported as unidentified. The package the document describes
(``documentDescribes`` or ``SPDXRef-DOCUMENT DESCRIBES x``) is the subject, not a
dependency: it is skipped, with a note saying so, when it has no purl or when the document
lists its dependencies (then it is the project itself). Those dependency relationships
(``root DEPENDS_ON x``, ``x DEPENDENCY_OF root`` and the dev/test/optional/... kinds) say
which packages are direct.

Tag-value is parsed by hand: spdx-tools' parser drops line numbers and costs far more
than this line scan, and all we need are the package, external-reference and
relationship tags (multi-line ``<text>`` values are skipped over whole).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ossmeta.model import DeclaredPackage, Location
from ossmeta.sources.files import (
    InputFile,
    expect_dict,
    expect_list,
    expect_str,
    load_json,
    optional_str,
    type_name,
)
from ossmeta.sources.inputs.cyclonedx import hash_text, identify
from ossmeta.sources.inputs.skipped import Skipped

DOCUMENT = "SPDXRef-DOCUMENT"
#: The category a purl belongs under; a purl filed under another one is still taken.
_PREFERRED = ("PACKAGE-MANAGER", "PACKAGE_MANAGER")  # a tuple: values may be unhashable
#: ``x <type> root`` relationships that make x a direct dependency, and its scope.
_DEPENDENCY_OF: dict[str, str | None] = {
    "DEPENDENCY_OF": None,
    "RUNTIME_DEPENDENCY_OF": None,
    "DEV_DEPENDENCY_OF": "dev",
    "TEST_DEPENDENCY_OF": "test",
    "OPTIONAL_DEPENDENCY_OF": "optional",
    "PROVIDED_DEPENDENCY_OF": "provided",
    "BUILD_DEPENDENCY_OF": "build",
}
_NO_VALUE = frozenset({"NOASSERTION", "NONE", ""})
_JSON_START = re.compile(r"\ufeff?\s*\{")
_TAG_VALUE_VERSION = re.compile(r"^SPDXVersion:", re.MULTILINE)


@dataclass(slots=True)
class _Package:
    spdxid: str | None
    name: str
    location: Location
    version: str | None = None
    purl: str | None = None
    purl_preferred: bool = False  # found under PACKAGE-MANAGER, so no other replaces it
    hashes: list[str] = field(default_factory=list)

    def offer_purl(self, category: object, locator: str) -> None:
        preferred = category in _PREFERRED
        if self.purl is None or (preferred and not self.purl_preferred):
            self.purl, self.purl_preferred = locator, preferred


def sniff(head: str) -> bool:
    text = head.lstrip("\ufeff \t\r\n")
    if text.startswith("{"):
        return '"spdxVersion"' in text
    return _TAG_VALUE_VERSION.search(text) is not None


def parse(file: InputFile) -> list[DeclaredPackage | Skipped]:
    text = file.read_text()
    if _JSON_START.match(text):
        packages, relationships, describes = _read_json(file, text)
    else:
        packages, relationships, describes = _read_tag_value(file, text)
    return _declare(packages, relationships, describes)


def _list(file: InputFile, value: object, what: str) -> list[Any]:
    """A list that may be absent (or null)."""
    return [] if value is None else expect_list(file, value, what)


def _check_version(file: InputFile, version: object, line: int | None = None) -> None:
    if not isinstance(version, str) or not version.startswith("SPDX-2."):
        file.fail(f"unsupported SPDX version {version!r} (SPDX 2.x is read)", line)


def _declare(
    packages: list[_Package], relationships: list[tuple[str, str, str]], describes: list[str]
) -> list[DeclaredPackage | Skipped]:
    roots = set(describes)
    for source, kind, target in relationships:
        if kind == "DESCRIBES" and source == DOCUMENT:
            roots.add(target)
        elif kind == "DESCRIBED_BY" and target == DOCUMENT:
            roots.add(source)
    direct: dict[str, str | None] = {}  # SPDXID -> scope
    parents: set[str] = set()  # roots whose dependencies the document lists
    for source, kind, target in relationships:
        if kind == "DEPENDS_ON" and source in roots:
            direct.setdefault(target, None)
            parents.add(source)
        elif kind in _DEPENDENCY_OF and target in roots:
            direct[source] = _DEPENDENCY_OF[kind]
            parents.add(target)
    out: list[DeclaredPackage | Skipped] = []
    for package in packages:
        if package.spdxid in roots and package.spdxid in parents:
            why = "the project itself (the document lists its dependencies)"
            out.append(Skipped(package.location, f"skipped {_named(package)}: {why}"))
            continue
        if package.spdxid in roots and package.purl is None:
            why = "no purl to identify it by"
            out.append(Skipped(package.location, f"skipped {_named(package)}: {why}"))
            continue
        ecosystem, name, version = identify(package.purl, package.name, package.version)
        spdxid = package.spdxid or ""
        out.append(
            DeclaredPackage(
                ecosystem,
                name,
                version,
                package.location,
                direct=(spdxid in direct) if parents else None,
                scope=direct.get(spdxid),
                purl=package.purl,
                hashes=tuple(package.hashes),
            )
        )
    return out


def _named(package: _Package) -> str:
    return f"the described package {package.spdxid} ({package.name})"


# --------------------------------------------------------------------------- JSON


def _read_json(
    file: InputFile, text: str
) -> tuple[list[_Package], list[tuple[str, str, str]], list[str]]:
    doc = expect_dict(file, load_json(file, text), "an SPDX document")
    _check_version(file, doc.get("spdxVersion"))
    describes = [
        expect_str(file, ref, "an entry of documentDescribes")
        for ref in _list(file, doc.get("documentDescribes"), "documentDescribes")
    ]
    relationships = []
    for entry in _list(file, doc.get("relationships"), "relationships"):
        entry = expect_dict(file, entry, "an entry of relationships")
        relationships.append(
            (
                expect_str(file, entry.get("spdxElementId"), "spdxElementId"),
                expect_str(file, entry.get("relationshipType"), "relationshipType"),
                expect_str(file, entry.get("relatedSpdxElement"), "relatedSpdxElement"),
            )
        )
    packages = []
    for index, entry in enumerate(_list(file, doc.get("packages"), "packages")):
        pointer = f"$.packages[{index}]"
        if not isinstance(entry, dict):
            file.fail(f"{pointer} must be an object, not {type_name(entry)}")
        packages.append(_json_package(file, entry, pointer))
    return packages, relationships, describes


def _json_package(file: InputFile, entry: dict[str, Any], pointer: str) -> _Package:
    version = optional_str(file, entry.get("versionInfo"), f"{pointer}.versionInfo")
    package = _Package(
        optional_str(file, entry.get("SPDXID"), f"{pointer}.SPDXID"),
        expect_str(file, entry.get("name"), f"{pointer}.name"),
        file.at(pointer=pointer),
        None if version in _NO_VALUE else version,
    )
    for ref in _list(file, entry.get("externalRefs"), f"{pointer}.externalRefs"):
        ref = expect_dict(file, ref, f"an entry of {pointer}.externalRefs")
        if ref.get("referenceType") == "purl":
            locator = expect_str(file, ref.get("referenceLocator"), "referenceLocator")
            package.offer_purl(ref.get("referenceCategory"), locator)
    for checksum in _list(file, entry.get("checksums"), f"{pointer}.checksums"):
        checksum = expect_dict(file, checksum, f"an entry of {pointer}.checksums")
        algorithm = expect_str(file, checksum.get("algorithm"), "checksum algorithm")
        value = expect_str(file, checksum.get("checksumValue"), "checksumValue")
        package.hashes.append(hash_text(algorithm, value))
    return package


# --------------------------------------------------------------------------- tag-value


def _read_tag_value(
    file: InputFile, text: str
) -> tuple[list[_Package], list[tuple[str, str, str]], list[str]]:
    packages: list[_Package] = []
    relationships: list[tuple[str, str, str]] = []
    current: _Package | None = None
    version_seen = False
    for number, tag, value in _tag_values(file, text):
        if tag == "SPDXVersion":
            _check_version(file, value, number)
            version_seen = True
        elif tag == "PackageName":
            if not value:
                file.fail("PackageName without a name", number)
            current = _Package(None, value, file.at(line=number))
            packages.append(current)
        elif tag in ("FileName", "SnippetSPDXID", "LicenseID"):
            current = None  # a file, snippet or licence section ends the package
        elif tag == "Relationship":
            parts = value.split()
            if len(parts) != 3:
                file.fail(f"Relationship must be 'element TYPE element', not {value!r}", number)
            relationships.append((parts[0], parts[1], parts[2]))
        elif current is not None:
            _package_tag(file, current, tag, value, number)
    if not version_seen:
        file.fail("not an SPDX document: no SPDXVersion line")
    return packages, relationships, []


def _package_tag(file: InputFile, package: _Package, tag: str, value: str, number: int) -> None:
    if tag == "SPDXID" and package.spdxid is None:
        package.spdxid = value
    elif tag == "PackageVersion":
        package.version = None if value in _NO_VALUE else value
    elif tag == "ExternalRef":
        parts = value.split()
        if len(parts) < 3:
            file.fail(f"ExternalRef must be 'CATEGORY type locator', not {value!r}", number)
        if parts[1] == "purl":
            package.offer_purl(parts[0], parts[2])
    elif tag == "PackageChecksum":
        algorithm, sep, digest = value.partition(":")
        if not sep or not digest.strip():
            file.fail(f"PackageChecksum must be 'ALGORITHM: value', not {value!r}", number)
        package.hashes.append(hash_text(algorithm, digest))


def _tag_values(file: InputFile, text: str) -> Iterator[tuple[int, str, str]]:
    """``(line, tag, value)`` for each ``Tag: value`` line; a ``<text>`` value may run
    over several lines (its lines can hold colons or look like tags) and is returned
    whole, at the line where it starts."""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        number = index + 1
        index += 1
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        tag, sep, value = stripped.partition(":")
        if not sep:
            file.fail(f"expected 'Tag: value', found {stripped[:60]!r}", number)
        value = value.strip()
        if value.startswith("<text>"):
            parts = [value[len("<text>") :]]
            while "</text>" not in parts[-1]:
                if index >= len(lines):
                    file.fail(f"{tag}: <text> is not closed by </text>", number)
                parts.append(lines[index])
                index += 1
            value = "\n".join(parts)
            value = value[: value.index("</text>")]
        yield number, tag.strip(), value
