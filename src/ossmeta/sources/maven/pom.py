"""Maven POMs and maven-metadata.xml as data; nothing here does I/O or interprets.

``central`` fetches. This module gathers the public names of two so callers need one import:

- ``model``: ``Pom`` and its parts, what ossmeta reads from one POM, and the JSON-shaped
  payload a raw record keeps;
- ``xml``: a POM's XML read into ``Pom``, maven-metadata.xml into its payload.

Inheritance and interpolation are interpretation: ``normalizers.maven.inherit``.
"""

from __future__ import annotations

from ossmeta.sources.maven.model import (
    Dependency,
    Developer,
    Key,
    Licence,
    Parent,
    Pom,
    Relocation,
    Scm,
    dependency_payload,
    element_name,
    scm_payload,
)
from ossmeta.sources.maven.xml import (
    parse_xml_bytes,
    read_metadata,
    read_pom,
    xml_bytes,
    xml_text,
)

__all__ = [
    "Dependency",
    "Developer",
    "Key",
    "Licence",
    "Parent",
    "Pom",
    "Relocation",
    "Scm",
    "dependency_payload",
    "element_name",
    "parse_xml_bytes",
    "read_metadata",
    "read_pom",
    "scm_payload",
    "xml_bytes",
    "xml_text",
]
