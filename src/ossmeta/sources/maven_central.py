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
``maven_pom``), imports BOMs, interpolates ``${...}`` and fills dependency versions from
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
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from urllib.parse import quote

import orjson

from ossmeta.errors import SourceError
from ossmeta.model import Provenance, RawRecord
from ossmeta.sources.http import Fetcher, NotFound
from ossmeta.sources.maven_pom import (
    Dependency,
    Developer,
    Interpolator,
    Key,
    Licence,
    Pom,
    Relocation,
    Scm,
    Unresolved,
    merge_chain,
    parse_xml_bytes,
    read_metadata,
    read_pom,
    xml_text,
)

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
    "canonical",
    "fetch_metadata",
    "fetch_pom",
    "metadata_url",
    "pom_url",
    "resolve_effective",
]

SOURCE_ID = "maven"
KIND_METADATA = "maven-metadata"
KIND_POM = "maven-pom"
# Maven's own builds rarely pass eight levels of parents; sixteen leaves room while still
# stopping a repository that generates parents without end.
MAX_DEPTH = 16

# A coordinate part goes into a URL path; these would change which path is asked for.
_BAD_PART = re.compile(r"[/\\?#\s]|^\.{1,2}$")


class ParentCycle(SourceError):
    """A parent chain or a chain of BOM imports comes back to a POM already in it."""

    def __init__(self, message: str, *, chain: tuple[str, ...], path: str | None = None) -> None:
        super().__init__(message, path=path)
        self.chain = chain


class ChainTooDeep(SourceError):
    """A parent chain or BOM import nesting longer than the depth limit."""


class MissingPom(SourceError):
    """A parent or imported BOM that the repository does not have (404)."""

    def __init__(self, message: str, *, child: str, missing: str, path: str | None) -> None:
        super().__init__(message, path=path)
        self.child = child
        self.missing = missing


@dataclass(frozen=True, slots=True)
class Fetch:
    """A document fetched: the raw record and the validators for the next conditional GET."""

    record: RawRecord
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True, slots=True)
class NotModified:
    """The repository answered 304: what the caller holds for ``url`` is still current."""

    url: str
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True, slots=True)
class EffectiveDependency:
    """A dependency (or a dependencyManagement entry) after inheritance and interpolation.

    ``version`` is the resolved text, which may still be a range such as ``[1.0,2.0)``:
    reading it is the normalizer's job. When it cannot be resolved ``version`` is None,
    ``requirement`` holds the expression as written (None when no version was written
    anywhere) and ``unresolved`` says why. ``declared_in`` is the POM whose XML lists
    the entry; ``managed_by`` the POM whose dependencyManagement supplied the version
    (None when the entry wrote its own); ``imported_from`` the BOM that brought a
    managed entry in."""

    group_id: str
    artifact_id: str
    version: str | None
    requirement: str | None
    unresolved: str | None
    scope: str | None  # as written or managed; None means Maven's default, compile
    type: str
    classifier: str | None
    optional: bool
    exclusions: tuple[str, ...]  # "group:artifact", "*" as written
    declared_in: str
    managed_by: str | None = None
    imported_from: str | None = None

    def key(self) -> Key:
        return (self.group_id, self.artifact_id, self.type, self.classifier or "")


@dataclass(frozen=True, slots=True)
class EffectivePom:
    """The effective POM of one coordinate, as far as the metadata center needs it.

    ``chain`` lists the coordinates of the POM and its parents, the POM first;
    ``licenses_from`` / ``scm_from`` name the POM in the chain the licences / the
    ``<scm>`` element came from (SCM fields are inherited one by one, see ``maven_pom``);
    ``imports`` the BOMs imported by this POM's effective dependencyManagement, in order;
    ``records`` every POM used (the chain, every BOM and the BOMs' chains), each once,
    in the order first used, whether fetched now or taken from a ``PomCache``."""

    group_id: str
    artifact_id: str
    version: str
    packaging: str
    name: str | None
    description: str | None
    url: str | None
    licenses: tuple[Licence, ...]
    licenses_from: str | None
    scm: Scm | None
    scm_from: str | None
    developers: tuple[Developer, ...]
    dependencies: tuple[EffectiveDependency, ...]
    managed: tuple[EffectiveDependency, ...]
    imports: tuple[str, ...]
    relocation: Relocation | None
    chain: tuple[str, ...]
    records: tuple[RawRecord, ...]


# ------------------------------------------------------------------ URLs and records


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


def canonical(payload: dict[str, object]) -> tuple[str, str]:
    """(sha256 hex, canonical JSON): sorted keys, compact, UTF-8, so the same document
    fetched again hashes the same and a re-sync of an unchanged file is a no-op."""
    data = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(data).hexdigest(), data.decode("utf-8")


def _record(
    kind: str, external_id: str, modified: str | None, payload: dict[str, object], url: str
) -> RawRecord:
    digest, text = canonical(payload)
    return RawRecord(kind, external_id, modified, payload, Provenance(SOURCE_ID, url, digest), text)


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
        return NotModified(fetched.url, fetched.etag, fetched.last_modified)
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
    record = _record(
        KIND_METADATA,
        f"{group}:{artifact}",
        modified if isinstance(modified, str) else None,
        payload,
        fetched.url,
    )
    return Fetch(record, fetched.etag, fetched.last_modified)


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


async def _get_pom(
    fetcher: Fetcher,
    url: str,
    coordinates: tuple[str, str, str],
    etag: str | None = None,
    last_modified: str | None = None,
) -> tuple[Pom, Fetch] | NotModified:
    fetched = await fetcher.get(url, etag=etag, last_modified=last_modified)
    if fetched.not_modified:
        return NotModified(fetched.url, fetched.etag, fetched.last_modified)
    root = parse_xml_bytes(fetched.body, fetched.url)
    pom = read_pom(root, fetched.url)
    _check_coordinates(pom, *coordinates, fetched.url)
    payload = pom.payload()
    payload["xml"] = xml_text(fetched.body)
    record = _record(KIND_POM, ":".join(coordinates), None, payload, fetched.url)
    return pom, Fetch(record, fetched.etag, fetched.last_modified)


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
    got = await _get_pom(
        fetcher,
        pom_url(base, group, artifact, version),
        (group, artifact, version),
        etag,
        last_modified,
    )
    return got if isinstance(got, NotModified) else got[1]


# ------------------------------------------------------------------ effective POMs


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


def _coordinate(group: str, artifact: str, version: str) -> str:
    return f"{group}:{artifact}:{version}"


def _parent_coordinates(pom: Pom, child: str, url: str) -> tuple[str, str, str]:
    """The ``<parent>`` element's coordinates, which must be literal: Maven resolves a
    parent before it can interpolate anything, so ``${...}`` there cannot be followed."""
    parent = pom.parent
    assert parent is not None
    values = (parent.group_id, parent.artifact_id, parent.version)
    if any(value is None for value in values):
        raise SourceError(f"the <parent> of {child} lacks groupId, artifactId or version", path=url)
    group, artifact, version = (value or "" for value in values)
    for value in values:
        if value is not None and "${" in value:
            raise SourceError(f"the <parent> of {child} is not literal: {value!r}", path=url)
    if version[:1] in "[(" or version[-1:] in "])":
        raise SourceError(
            f"the <parent> of {child} has a version range ({version}); not supported", path=url
        )
    return group, artifact, version


def _effective_entry(interp: Interpolator, dep: Dependency, origin: str) -> EffectiveDependency:
    """One written entry interpolated in the model's context; no management applied."""
    version: str | None = None
    requirement: str | None = None
    reason: str | None = None
    if dep.version is not None:
        try:
            version = interp.expand(dep.version)
        except Unresolved as why:
            requirement, reason = dep.version, str(why)
    return EffectiveDependency(
        group_id=interp.keep(dep.group_id) or "",
        artifact_id=interp.keep(dep.artifact_id) or "",
        version=version,
        requirement=requirement,
        unresolved=reason,
        scope=interp.keep(dep.scope),
        type=interp.keep(dep.type) or "jar",
        classifier=interp.keep(dep.classifier),
        optional=interp.keep(dep.optional) == "true",
        exclusions=tuple(
            f"{interp.keep(g) or '*'}:{interp.keep(a) or '*'}" for g, a in dep.exclusions
        ),
        declared_in=origin,
    )


def _apply_management(
    dep: EffectiveDependency, written: Dependency, table: dict[Key, EffectiveDependency]
) -> EffectiveDependency:
    """Maven's management injection: what the dependency leaves out (version, scope,
    optional, exclusions) comes from the managed entry with the same key."""
    managed = table.get(dep.key())
    if managed is None:
        if written.version is None:
            return replace(
                dep,
                unresolved="no version written, and no dependencyManagement in the parent "
                "chain or an imported BOM manages it",
            )
        return dep
    if written.version is None:
        dep = replace(
            dep,
            version=managed.version,
            requirement=managed.requirement,
            unresolved=managed.unresolved,
            managed_by=managed.declared_in,
            imported_from=managed.imported_from,
        )
    return replace(
        dep,
        scope=dep.scope if written.scope is not None else managed.scope,
        optional=dep.optional if written.optional is not None else managed.optional,
        exclusions=dep.exclusions if written.exclusions else managed.exclusions,
    )


class _Resolution:
    """One ``resolve_effective`` call: the POMs used so far and the effective models of
    BOMs already built (a BOM imported along two paths is built once)."""

    def __init__(self, fetcher: Fetcher, base: str, cache: PomCache, max_depth: int) -> None:
        self.fetcher = fetcher
        self.base = base
        self.cache = cache
        self.max_depth = max_depth
        self.used: dict[str, RawRecord] = {}
        self.built: dict[str, EffectivePom] = {}

    async def pom(self, group: str, artifact: str, version: str) -> tuple[Pom, str]:
        url = pom_url(self.base, group, artifact, version)
        cached = self.cache.get(url)
        if cached is None:
            got = await _get_pom(self.fetcher, url, (group, artifact, version))
            if isinstance(got, NotModified):  # cannot happen: no validators were sent
                raise SourceError("unexpected 304 to an unconditional request", path=url)
            cached = (got[0], got[1].record)
            self.cache.put(url, *cached)
        self.used.setdefault(url, cached[1])
        return cached[0], url

    async def chain(self, group: str, artifact: str, version: str) -> tuple[list[Pom], list[str]]:
        """The POM and its ancestors, child first, with their coordinates."""
        poms: list[Pom] = []
        names: list[str] = []
        child_url: str | None = None
        while True:
            name = _coordinate(group, artifact, version)
            if name in names:
                cycle = (*names, name)
                raise ParentCycle(
                    "parent POM cycle: " + " -> ".join(cycle), chain=cycle, path=child_url
                )
            if len(names) >= self.max_depth:
                raise ChainTooDeep(
                    f"the parent chain of {names[0]} is longer than {self.max_depth} POMs",
                    path=child_url,
                )
            try:
                pom, url = await self.pom(group, artifact, version)
            except NotFound as missing:
                if not names:
                    raise  # the POM asked for is not there: the caller's NotFound
                raise MissingPom(
                    f"parent POM {name} of {names[-1]} is not in the repository ({missing})",
                    child=names[-1],
                    missing=name,
                    path=child_url,
                ) from None
            poms.append(pom)
            names.append(name)
            if pom.parent is None:
                return poms, names
            group, artifact, version = _parent_coordinates(pom, name, url)
            child_url = url

    async def build(
        self, group: str, artifact: str, version: str, importing: tuple[str, ...]
    ) -> EffectivePom:
        name = _coordinate(group, artifact, version)
        if name in self.built:
            return self.built[name]
        poms, names = await self.chain(group, artifact, version)
        merged = merge_chain(poms)
        interp = Interpolator(merged)

        table: dict[Key, EffectiveDependency] = {}
        boms: list[EffectiveDependency] = []
        for dep, origin in merged.managed:
            entry = _effective_entry(interp, dep, origin)
            if entry.scope == "import":
                # Maven imports type=pom entries only and skips other import-scoped ones.
                if entry.type == "pom":
                    boms.append(entry)
                continue
            table.setdefault(entry.key(), entry)
        imports: list[str] = []
        for bom in boms:
            imported = await self._import(bom, (*importing, name))
            imports.append(imported.chain[0])
            for entry in imported.managed:
                # The importing POM's own entries, then earlier imports, win.
                table.setdefault(
                    entry.key(),
                    replace(entry, imported_from=entry.imported_from or imported.chain[0]),
                )

        dependencies = tuple(
            _apply_management(_effective_entry(interp, dep, origin), dep, table)
            for dep, origin in merged.dependencies
        )
        effective = EffectivePom(
            group_id=group,
            artifact_id=artifact,
            version=version,
            packaging=interp.keep(merged.packaging) or "jar",
            name=interp.keep(merged.name),
            description=interp.keep(merged.description),
            url=interp.keep(merged.url),
            licenses=tuple(_licence(interp, licence) for licence in merged.licenses),
            licenses_from=merged.licenses_from,
            scm=None if merged.scm is None else _scm(interp, merged.scm),
            scm_from=merged.scm_from,
            developers=merged.developers,
            dependencies=dependencies,
            managed=tuple(table.values()),
            imports=tuple(imports),
            relocation=merged.relocation,
            chain=tuple(names),
            records=tuple(self.used.values()),
        )
        self.built[name] = effective
        return effective

    async def _import(self, bom: EffectiveDependency, stack: tuple[str, ...]) -> EffectivePom:
        importer = stack[-1]
        importer_url = pom_url(self.base, *importer.split(":", 2))
        if bom.version is None:
            raise SourceError(
                f"{importer} imports the BOM {bom.group_id}:{bom.artifact_id} with a version "
                f"that cannot be resolved: {bom.requirement} ({bom.unresolved})",
                path=importer_url,
            )
        target = _coordinate(bom.group_id, bom.artifact_id, bom.version)
        if target in stack:
            cycle = (*stack, target)
            raise ParentCycle(
                "BOM import cycle: " + " -> ".join(cycle), chain=cycle, path=importer_url
            )
        if len(stack) >= self.max_depth:
            raise ChainTooDeep(
                f"BOM imports from {stack[0]} are nested deeper than {self.max_depth}",
                path=importer_url,
            )
        target_url = pom_url(self.base, bom.group_id, bom.artifact_id, bom.version)
        try:
            return await self.build(bom.group_id, bom.artifact_id, bom.version, stack)
        except NotFound as missing:
            if missing.url != target_url:
                raise
            raise MissingPom(
                f"BOM {target} imported by {bom.declared_in} is not in the repository ({missing})",
                child=bom.declared_in,
                missing=target,
                path=importer_url,
            ) from None


def _licence(interp: Interpolator, licence: Licence) -> Licence:
    return Licence(
        interp.keep(licence.name),
        interp.keep(licence.url),
        interp.keep(licence.distribution),
        interp.keep(licence.comments),
    )


def _scm(interp: Interpolator, scm: Scm) -> Scm:
    # URLs such as scm:git:git@host:org/${project.artifactId}.git are common; a reference
    # that cannot be expanded is left in place for the normalizer to reject with a reason.
    return replace(
        scm,
        url=interp.keep(scm.url),
        connection=interp.keep(scm.connection),
        developer_connection=interp.keep(scm.developer_connection),
        tag=interp.keep(scm.tag),
    )


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
    if max_depth < 1:
        raise ValueError("max_depth must be at least 1")
    resolution = _Resolution(fetcher, base, cache if cache is not None else PomCache(), max_depth)
    effective = await resolution.build(group, artifact, version, ())
    # The records gathered by the time the outer POM was finished include every BOM.
    return replace(effective, records=tuple(resolution.used.values()))
