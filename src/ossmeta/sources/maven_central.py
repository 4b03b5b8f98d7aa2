"""Maven repository collector, source layer: maven-metadata.xml, POMs and effective POMs.

Yields raw records exactly as the repository gave them, with provenance; it neither writes
the store nor interprets licences, SCM URLs or versions (the normalizers do). The
repository base URL is always the caller's (``--registry-url``, a mirror, a test server):
this module names no repository host.

Records:

- ``maven-metadata`` (external id ``group:artifact``): maven-metadata.xml as a dict
  (groupId, artifactId, version, versioning: latest, release, versions, lastUpdated).
  The file has nothing else an artifact-level reader needs, so its XML is not kept.
- ``maven-pom`` (external id ``group:artifact:version``): the POM as a dict of what
  matters (``maven_pom.Pom.payload``) plus the document text under ``"xml"``, so a later
  reader can recover anything the dict leaves out, or re-run ``resolve_effective``'s
  logic over stored records without fetching.

``resolve_effective`` builds what Maven calls the effective POM, for the fields the
metadata center needs: it follows the ``<parent>`` chain, merges it (rules in
``maven_inherit``), imports BOMs, interpolates ``${...}`` and fills dependency versions from
dependencyManagement. Every POM it used comes back as a raw record for the store. Parent
cycles and BOM import cycles raise ``ParentCycle``; chains deeper than ``max_depth``
raise ``ChainTooDeep``; a parent or BOM the repository does not have raises
``MissingPom`` naming both ends (Maven fails the build in all three cases too).
Not modelled: profiles (their effect depends on how a build runs), plugin management,
and parent version ranges (rare, and refused with a clear error).

Errors are one line and name the URL: malformed XML, a DTD or entities (refused by
defusedxml), a root element that is not ``<project>`` / ``<metadata>``, or a document
for other coordinates than the ones asked for. The fetcher's ``FetchError`` subclasses
(``NotFound`` for a 404 of what was asked for) propagate unchanged.

``resolve_stored`` (from ``maven_stored``) does the same over stored ``maven-pom``
records, without a network: the normalizer's way to the effective POM.

Modules: ``maven_repo`` (URLs, a POM fetched as a record), ``maven_pom`` (POM data,
XML reading, inheritance, interpolation), ``maven_effective`` (the effective model and
its pure steps), ``maven_resolve`` (following parents and BOMs), ``maven_stored`` (POMs
from stored records); this one holds the public fetches and re-exports what callers use.
"""

from __future__ import annotations

from ossmeta.errors import SourceError
from ossmeta.sources.http import Fetcher
from ossmeta.sources.maven_effective import EffectiveDependency, EffectivePom
from ossmeta.sources.maven_pom import (
    Developer,
    Licence,
    Relocation,
    Scm,
    parse_xml_bytes,
    read_metadata,
)
from ossmeta.sources.maven_repo import (
    KIND_METADATA,
    KIND_POM,
    SOURCE_ID,
    get_pom,
    metadata_url,
    pom_url,
)
from ossmeta.sources.maven_resolve import (
    MAX_DEPTH,
    ChainTooDeep,
    MissingPom,
    ParentCycle,
    PomCache,
    RepositoryPoms,
    Resolution,
)
from ossmeta.sources.maven_stored import StoredPoms, resolve_stored
from ossmeta.sources.registry_records import Fetch, NotModified, canonical, not_modified, raw_record

__all__ = [
    "KIND_METADATA",
    "KIND_POM",
    "MAX_DEPTH",
    "SOURCE_ID",
    "ChainTooDeep",
    "Developer",
    "EffectiveDependency",
    "EffectivePom",
    "Fetch",
    "Licence",
    "MissingPom",
    "NotModified",
    "ParentCycle",
    "PomCache",
    "Relocation",
    "Scm",
    "StoredPoms",
    "canonical",
    "fetch_metadata",
    "fetch_pom",
    "metadata_url",
    "pom_url",
    "resolve_effective",
    "resolve_stored",
]


async def fetch_metadata(
    fetcher: Fetcher,
    base: str,
    group: str,
    artifact: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetch | NotModified:
    """GET ``maven-metadata.xml`` of ``group:artifact``; with validators the request is
    conditional and an unchanged file comes back as ``NotModified``. The record's
    ``modified`` is ``versioning/lastUpdated`` as written (``yyyyMMddHHmmss``, UTC)."""
    url = metadata_url(base, group, artifact)
    fetched = await fetcher.get(url, etag=etag, last_modified=last_modified)
    if fetched.not_modified:
        return not_modified(fetched)
    payload = read_metadata(parse_xml_bytes(fetched.body, fetched.url), fetched.url)
    # A misrouted mirror must not file one artifact's versions under another.
    for name, wanted in (("groupId", group), ("artifactId", artifact)):
        given = payload[name]
        if given is not None and given != wanted:
            raise SourceError(
                f"metadata names {name} {given!r}, not the requested {wanted!r}", path=url
            )
    versioning = payload["versioning"]
    modified = versioning.get("lastUpdated") if isinstance(versioning, dict) else None
    record = raw_record(
        SOURCE_ID,
        KIND_METADATA,
        f"{group}:{artifact}",
        modified if isinstance(modified, str) else None,
        payload,
        fetched.url,
    )
    return Fetch(record, fetched.etag, fetched.last_modified)


async def fetch_pom(
    fetcher: Fetcher,
    base: str,
    group: str,
    artifact: str,
    version: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetch | NotModified:
    """GET the POM of ``group:artifact:version`` as a ``maven-pom`` record (conditional
    with validators). The record's ``modified`` is None: a released POM does not change,
    and the repository's Last-Modified is on the ``Fetch``."""
    got = await get_pom(
        fetcher,
        pom_url(base, group, artifact, version),
        (group, artifact, version),
        etag,
        last_modified,
    )
    return got if isinstance(got, NotModified) else got[1]


async def resolve_effective(
    fetcher: Fetcher,
    base: str,
    group: str,
    artifact: str,
    version: str,
    *,
    cache: PomCache | None = None,
    max_depth: int = MAX_DEPTH,
) -> EffectivePom:
    """The effective POM of ``group:artifact:version`` (see the module docstring).

    ``cache`` shares parsed POMs between calls (parents and BOMs recur across artifacts);
    ``max_depth`` bounds both the parent chain and the nesting of BOM imports.
    Raises ``NotFound`` when the POM itself is missing, ``MissingPom``, ``ParentCycle``,
    ``ChainTooDeep`` or ``SourceError`` (malformed XML and the like, naming the URL)."""
    source = RepositoryPoms(fetcher, base, cache if cache is not None else PomCache())
    return await Resolution(source, max_depth).effective(group, artifact, version)
