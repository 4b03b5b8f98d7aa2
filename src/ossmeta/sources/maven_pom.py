"""Maven POMs and maven-metadata.xml as data, and the pure half of the effective POM.

``maven_central`` fetches; nothing here does I/O. The work is split three ways, and this
module gathers their public names so callers need one import:

- ``maven_model``: ``Pom`` and its parts, what ossmeta reads from one POM, and the
  JSON-shaped payload a raw record keeps;
- ``maven_xml``: a POM's XML read into ``Pom``, maven-metadata.xml into its payload;
- ``maven_inherit``: a parent chain folded into one ``Merged`` model following Maven's
  inheritance rules (listed there), and ``${...}`` interpolated in its context.
"""

from __future__ import annotations

from ossmeta.sources.maven_inherit import (
    MAX_VALUE,
    Interpolator,
    Merged,
    Unresolved,
    append_path,
    inherit,
    merge_chain,
)
from ossmeta.sources.maven_model import (
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
from ossmeta.sources.maven_xml import (
    parse_xml_bytes,
    read_metadata,
    read_pom,
    xml_bytes,
    xml_text,
)

__all__ = [
    "MAX_VALUE",
    "Dependency",
    "Developer",
    "Interpolator",
    "Key",
    "Licence",
    "Merged",
    "Parent",
    "Pom",
    "Relocation",
    "Scm",
    "Unresolved",
    "append_path",
    "dependency_payload",
    "element_name",
    "inherit",
    "merge_chain",
    "parse_xml_bytes",
    "read_metadata",
    "read_pom",
    "scm_payload",
    "xml_bytes",
    "xml_text",
]
