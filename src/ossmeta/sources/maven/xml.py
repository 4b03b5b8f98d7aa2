"""Maven XML read into data: a POM into ``model.Pom``, maven-metadata.xml into the
JSON-shaped payload its record keeps. No I/O; parsing goes through defusedxml.
"""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path
from typing import TypeVar
from xml.etree.ElementTree import Element

from ossmeta.errors import SourceError
from ossmeta.sources.files import InputFile, parse_xml
from ossmeta.sources.maven.model import (
    Dependency,
    Developer,
    Licence,
    Parent,
    Pom,
    Relocation,
    Scm,
    element_name,
)

__all__ = ["parse_xml_bytes", "read_metadata", "read_pom", "xml_bytes", "xml_text"]

_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")

# The elements whose fields are all plain text children named after the fields.
_Plain = TypeVar("_Plain", Parent, Licence, Relocation)


class _Reader:
    """Namespace-aware child lookups. POMs since Maven 2 use the POM 4.0.0 namespace,
    older and hand-written ones none; both are read the same way."""

    def __init__(self, root: Element) -> None:
        self.ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""

    def local(self, element: Element) -> str:
        return element.tag.removeprefix(self.ns) if isinstance(element.tag, str) else ""

    def child(self, element: Element | None, name: str) -> Element | None:
        # Not Element.find: it reads names as paths, and a first match is what Maven keeps.
        if element is None:
            return None
        tag = self.ns + name
        return next((c for c in element if c.tag == tag), None)

    def children(self, element: Element | None, name: str) -> list[Element]:
        if element is None:
            return []
        tag = self.ns + name
        return [c for c in element if c.tag == tag]

    def texts(self, element: Element, wrapper: str, name: str) -> list[str]:
        """The text of each ``<name>`` in ``<wrapper>`` (``<roles><role>``), empty ones kept."""
        return [
            "".join(found.itertext()).strip()
            for found in self.children(self.child(element, wrapper), name)
        ]

    def text(self, element: Element | None, name: str) -> str | None:
        found = self.child(element, name)
        if found is None:
            return None
        # itertext: a value may be split by a comment (<version>1.<!-- x -->0</version>).
        value = "".join(found.itertext()).strip()
        return value or None


def parse_xml_bytes(body: bytes, url: str) -> Element:
    """defusedxml (``files.parse_xml``): a DTD, entities or external references are
    refused, and every failure is a one-line ``SourceError`` naming ``url``."""
    return parse_xml(InputFile(Path("-"), url), body)


def xml_text(body: bytes) -> str:
    """The document as text, decoded as its XML declaration says (UTF-8 by default);
    only called on bodies the XML parser accepted, so the encoding is a known one."""
    declared = _ENCODING.match(body.removeprefix(b"\xef\xbb\xbf"))
    encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        return body.decode("utf-8-sig" if encoding.lower() in ("utf-8", "utf8") else encoding)
    except (LookupError, UnicodeDecodeError):
        # The parser decoded it, so this is a codec name Python spells differently.
        return body.decode("utf-8", "replace")


def xml_bytes(text: str) -> bytes:
    """``xml_text`` undone, for a stored document parsed again: the text encoded as its
    XML declaration says, so the parser's reading of the declaration still holds. A
    character the declared encoding cannot hold (only in a damaged record) becomes a
    character reference, which the parser reads back as the same character."""
    declared = _ENCODING.match(text[:256].lstrip("\ufeff").encode("ascii", "replace"))
    encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        return text.encode(encoding, "xmlcharrefreplace")
    except (LookupError, UnicodeError):
        # xml_text fell back to UTF-8 for this codec name; so does the way back.
        return text.encode("utf-8", "xmlcharrefreplace")


def read_pom(root: Element, url: str) -> Pom:
    """A parsed POM document as a ``Pom``; a root other than ``<project>`` is an error."""
    r = _Reader(root)
    if r.local(root) != "project":
        raise SourceError(f"not a Maven POM: the root element is <{r.local(root)}>", path=url)
    parent_el = r.child(root, "parent")
    parent = None if parent_el is None else _plain(r, parent_el, Parent)
    properties: dict[str, str] = {}
    props_el = r.child(root, "properties")
    # Not ``or ()``: an Element's truth value is its child count, and deprecated.
    for prop in props_el if props_el is not None else ():
        name = r.local(prop)
        if name:  # comments and processing instructions have no string tag
            properties[name] = "".join(prop.itertext()).strip()
    scm_el = r.child(root, "scm")
    scm = None
    if scm_el is not None:
        scm = Scm(
            r.text(scm_el, "url"),
            r.text(scm_el, "connection"),
            r.text(scm_el, "developerConnection"),
            r.text(scm_el, "tag"),
            scm_el.get("child.scm.url.inherit.append.path"),
            scm_el.get("child.scm.connection.inherit.append.path"),
            scm_el.get("child.scm.developerConnection.inherit.append.path"),
        )
    management_el = r.child(root, "dependencyManagement")
    management = None
    if management_el is not None:
        management = _dependencies(r, r.child(management_el, "dependencies"))
    relocation_el = r.child(r.child(root, "distributionManagement"), "relocation")
    relocation = None if relocation_el is None else _plain(r, relocation_el, Relocation)
    return Pom(
        model_version=r.text(root, "modelVersion"),
        parent=parent,
        group_id=r.text(root, "groupId"),
        artifact_id=r.text(root, "artifactId"),
        version=r.text(root, "version"),
        packaging=r.text(root, "packaging"),
        name=r.text(root, "name"),
        description=r.text(root, "description"),
        url=r.text(root, "url"),
        child_url_append=root.get("child.project.url.inherit.append.path"),
        licenses=tuple(
            _plain(r, el, Licence) for el in r.children(r.child(root, "licenses"), "license")
        ),
        scm=scm,
        developers=tuple(
            Developer(
                r.text(el, "id"),
                r.text(el, "name"),
                r.text(el, "email"),
                r.text(el, "url"),
                r.text(el, "organization"),
                r.text(el, "organizationUrl"),
                tuple(r.texts(el, "roles", "role")),
                r.text(el, "timezone"),
            )
            for el in r.children(r.child(root, "developers"), "developer")
        ),
        properties=properties,
        dependency_management=management,
        dependencies=_dependencies(r, r.child(root, "dependencies")),
        relocation=relocation,
    )


def _plain(r: _Reader, element: Element, kind: type[_Plain]) -> _Plain:
    """``kind`` read from ``element``'s children named after its fields: ``<parent>``,
    ``<license>`` and ``<relocation>``."""
    return kind(*(r.text(element, element_name(f.name)) for f in fields(kind)))


def _dependencies(r: _Reader, element: Element | None) -> tuple[Dependency, ...]:
    return tuple(
        Dependency(
            r.text(el, "groupId"),
            r.text(el, "artifactId"),
            r.text(el, "version"),
            r.text(el, "type"),
            r.text(el, "classifier"),
            r.text(el, "scope"),
            r.text(el, "optional"),
            tuple(
                (r.text(ex, "groupId"), r.text(ex, "artifactId"))
                for ex in r.children(r.child(el, "exclusions"), "exclusion")
            ),
        )
        for el in r.children(element, "dependency")
    )


def read_metadata(root: Element, url: str) -> dict[str, object]:
    """maven-metadata.xml (artifact level) as a JSON-shaped dict; ``versioning`` is None
    when the file has none, and ``versions`` keeps the file's order."""
    r = _Reader(root)
    if r.local(root) != "metadata":
        raise SourceError(
            f"not Maven repository metadata: the root element is <{r.local(root)}>", path=url
        )
    versioning_el = r.child(root, "versioning")
    versioning: dict[str, object] | None = None
    if versioning_el is not None:
        versioning = {
            "latest": r.text(versioning_el, "latest"),
            "release": r.text(versioning_el, "release"),
            "versions": r.texts(versioning_el, "versions", "version"),
            "lastUpdated": r.text(versioning_el, "lastUpdated"),
        }
    return {
        "groupId": r.text(root, "groupId"),
        "artifactId": r.text(root, "artifactId"),
        "version": r.text(root, "version"),  # only in snapshot-level metadata
        "versioning": versioning,
    }
