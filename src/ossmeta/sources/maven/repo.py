"""Where a Maven repository keeps an artifact's files, and a POM fetched as a raw record.

Used by ``central`` (the public fetches); ``RepositoryPoms`` is the ``PomSource`` through
which ``normalizers.maven.resolve`` gets the parent and BOM POMs an effective POM needs.
The repository base URL is always the caller's.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from ossmeta.errors import SourceError
from ossmeta.model import RawRecord
from ossmeta.sources.http import Fetcher
from ossmeta.sources.maven.pom import Pom, parse_xml_bytes, read_pom, xml_text
from ossmeta.sources.registry_records import Fetch, NotModified, not_modified, raw_record

__all__ = [
    "KIND_METADATA",
    "KIND_POM",
    "SOURCE_ID",
    "PomCache",
    "RepositoryPoms",
    "get_pom",
    "metadata_url",
    "pom_url",
    "read_pom_document",
]

SOURCE_ID = "maven"
KIND_METADATA = "maven-metadata"
KIND_POM = "maven-pom"

# A coordinate part goes into a URL path; these would change which path is asked for.
_BAD_PART = re.compile(r"[/\\?#\s]|^\.{1,2}$")


def _part(value: str, what: str, base: str) -> str:
    if not value or _BAD_PART.search(value):
        raise SourceError(f"not a Maven {what}: {value!r}", path=base)
    return quote(value, safe="")


def metadata_url(base: str, group: str, artifact: str) -> str:
    """``{base}/{group with dots as slashes}/{artifact}/maven-metadata.xml``."""
    groups = "/".join(_part(p, "groupId", base) for p in group.split("."))
    return f"{base.rstrip('/')}/{groups}/{_part(artifact, 'artifactId', base)}/maven-metadata.xml"


def pom_url(base: str, group: str, artifact: str, version: str) -> str:
    """``{base}/{group path}/{artifact}/{version}/{artifact}-{version}.pom``."""
    folder = metadata_url(base, group, artifact).removesuffix("/maven-metadata.xml")
    a, v = _part(artifact, "artifactId", base), _part(version, "version", base)
    return f"{folder}/{v}/{a}-{v}.pom"


def _check_coordinates(pom: Pom, group: str, artifact: str, version: str, url: str) -> None:
    """The POM must be for the coordinates asked for; values still holding ``${...}``
    cannot be compared before interpolation and are let through."""
    parent_group = pom.parent.group_id if pom.parent else None
    parent_version = pom.parent.version if pom.parent else None
    given = (pom.group_id or parent_group, pom.artifact_id, pom.version or parent_version)
    if given[1] is None:
        raise SourceError("POM has no artifactId", path=url)
    for value, wanted in zip(given, (group, artifact, version), strict=True):
        if value is not None and "${" not in value and value != wanted:
            named = ":".join(v or "?" for v in given)
            raise SourceError(
                f"POM is for {named}, not the requested {group}:{artifact}:{version}", path=url
            )


def read_pom_document(body: bytes, where: str, coordinates: tuple[str, str, str]) -> Pom:
    """The POM document ``body`` (found at ``where``: a URL, or a stored record), which
    must be for ``coordinates`` (group, artifact, version); ``SourceError`` naming
    ``where`` when it is malformed or for other coordinates."""
    pom = read_pom(parse_xml_bytes(body, where), where)
    _check_coordinates(pom, *coordinates, where)
    return pom


async def get_pom(
    fetcher: Fetcher,
    url: str,
    coordinates: tuple[str, str, str],
    etag: str | None = None,
    last_modified: str | None = None,
) -> tuple[Pom, Fetch] | NotModified:
    """GET the POM at ``url``, which must be for ``coordinates`` (group, artifact,
    version): the parsed ``Pom`` and its ``maven-pom`` record, or ``NotModified``."""
    fetched = await fetcher.get(url, etag=etag, last_modified=last_modified)
    if fetched.not_modified:
        return not_modified(fetched)
    pom = read_pom_document(fetched.body, fetched.url, coordinates)
    payload = pom.payload()
    payload["xml"] = xml_text(fetched.body)
    record = raw_record(SOURCE_ID, KIND_POM, ":".join(coordinates), None, payload, fetched.url)
    return pom, Fetch(record, fetched.etag, fetched.last_modified)


class PomCache:
    """Parsed POMs by URL, to share between ``resolve_effective`` calls: the parents and
    BOMs of one organisation's artifacts are the same few POMs, fetched once. Released
    POMs do not change, so entries never go stale; the cache holds what it is given
    until dropped, so a sync keeps one per run (or per batch)."""

    def __init__(self) -> None:
        self._poms: dict[str, tuple[Pom, RawRecord]] = {}

    def __len__(self) -> int:
        return len(self._poms)

    def get(self, url: str) -> tuple[Pom, RawRecord] | None:
        return self._poms.get(url)

    def put(self, url: str, pom: Pom, record: RawRecord) -> None:
        self._poms[url] = (pom, record)


class RepositoryPoms:
    """POMs fetched from the repository at ``base``, through ``cache``."""

    def __init__(self, fetcher: Fetcher, base: str, cache: PomCache) -> None:
        self.fetcher = fetcher
        self.base = base
        self.cache = cache

    def locate(self, group: str, artifact: str, version: str) -> str:
        return pom_url(self.base, group, artifact, version)

    async def load(self, group: str, artifact: str, version: str) -> tuple[Pom, RawRecord]:
        url = self.locate(group, artifact, version)
        cached = self.cache.get(url)
        if cached is None:
            got = await get_pom(self.fetcher, url, (group, artifact, version))
            if isinstance(got, NotModified):  # cannot happen: no validators were sent
                raise SourceError("unexpected 304 to an unconditional request", path=url)
            cached = (got[0], got[1].record)
            self.cache.put(url, *cached)
        return cached
