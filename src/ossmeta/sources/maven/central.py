"""Maven repository collector, source layer: maven-metadata.xml and POMs as raw records.

Yields raw records exactly as the repository gave them, with provenance; it neither writes
the store nor interprets licences, SCM URLs, versions or inheritance (the normalizers do:
``normalizers.maven``). The repository base URL is always the caller's (``--registry-url``,
a mirror, a test server): this module names no repository host.

Records:

- ``maven-metadata`` (external id ``group:artifact``): maven-metadata.xml as a dict
  (groupId, artifactId, version, versioning: latest, release, versions, lastUpdated).
  The file has nothing else an artifact-level reader needs, so its XML is not kept.
- ``maven-pom`` (external id ``group:artifact:version``): the POM as a dict of what
  matters (``pom.Pom.payload``) plus the document text under ``"xml"``, so a later
  reader can recover anything the dict leaves out, or resolve the effective POM again
  over stored records without fetching.

The effective POM (parents, BOM imports, interpolation) is interpretation and lives in
``normalizers.maven.resolve``; it asks a ``PomSource`` for the POMs it needs, and
``repo.RepositoryPoms`` is the source that fetches them from a repository.

Errors are one line and name the URL: malformed XML, a DTD or entities (refused by
defusedxml), a root element that is not ``<project>`` / ``<metadata>``, or a document
for other coordinates than the ones asked for. The fetcher's ``FetchError`` subclasses
(``NotFound`` for a 404 of what was asked for) propagate unchanged.

Modules: ``repo`` (URLs, a POM fetched as a record, the fetching ``RepositoryPoms``),
``pom`` (POM data and XML reading: ``model`` and ``xml``); this one holds the public
fetches and re-exports what callers use.
"""

from __future__ import annotations

from ossmeta.errors import SourceError
from ossmeta.sources.http import Fetcher
from ossmeta.sources.maven.pom import (
    Developer,
    Licence,
    Relocation,
    Scm,
    parse_xml_bytes,
    read_metadata,
)
from ossmeta.sources.maven.repo import (
    KIND_METADATA,
    KIND_POM,
    SOURCE_ID,
    PomCache,
    RepositoryPoms,
    get_pom,
    metadata_url,
    pom_url,
)
from ossmeta.sources.registry_records import Fetch, NotModified, canonical, not_modified, raw_record

__all__ = [
    "KIND_METADATA",
    "KIND_POM",
    "SOURCE_ID",
    "Developer",
    "Fetch",
    "Licence",
    "NotModified",
    "PomCache",
    "Relocation",
    "RepositoryPoms",
    "Scm",
    "canonical",
    "fetch_metadata",
    "fetch_pom",
    "metadata_url",
    "pom_url",
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
