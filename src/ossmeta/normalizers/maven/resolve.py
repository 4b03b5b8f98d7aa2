"""Following a POM's parents and imported BOMs to its effective POM.

``Resolution`` walks the ``<parent>`` chain (parents must be literal coordinates, and
version ranges are refused), merges it (``inherit``), builds each imported BOM's
effective model once, and keeps every POM it used as a raw record. Where the POMs come
from is a ``PomSource``: a repository through a fetcher (``sources.maven.repo.
RepositoryPoms``, with a ``PomCache`` shared between calls) or records already stored
(``stored.StoredPoms``). Only the source does I/O; the walking and merging are pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from ossmeta.errors import SourceError
from ossmeta.model import RawRecord
from ossmeta.normalizers.maven.effective import (
    EffectiveDependency,
    EffectivePom,
    apply_management,
    effective_entry,
    effective_licence,
    effective_scm,
)
from ossmeta.normalizers.maven.inherit import Interpolator, merge_chain
from ossmeta.sources.http import NotFound
from ossmeta.sources.maven.pom import Key, Pom

__all__ = [
    "MAX_DEPTH",
    "ChainTooDeep",
    "MissingPom",
    "ParentCycle",
    "PomSource",
    "Resolution",
    "resolve_effective",
]

# Maven's own builds rarely pass eight levels of parents; sixteen leaves room while still
# stopping a repository that generates parents without end.
MAX_DEPTH = 16


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


class PomSource(Protocol):
    """Where a ``Resolution`` gets its POMs."""

    def locate(self, group: str, artifact: str, version: str) -> str:
        """Where the POM of these coordinates is, as errors name it (a URL, a record)."""
        ...

    async def load(self, group: str, artifact: str, version: str) -> tuple[Pom, RawRecord]:
        """The POM and its raw record; ``NotFound`` whose ``url`` is ``locate(...)`` when
        the source does not have it, ``SourceError`` naming it when it is malformed."""
        ...


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


class Resolution:
    """One effective POM being resolved: the POMs used so far and the effective models
    of BOMs already built (a BOM imported along two paths is built once). ``max_depth``
    bounds both the parent chain and the nesting of BOM imports."""

    def __init__(self, source: PomSource, max_depth: int) -> None:
        if max_depth < 1:
            raise ValueError("max_depth must be at least 1")
        self.source = source
        self.max_depth = max_depth
        self.used: dict[str, RawRecord] = {}
        self.built: dict[str, EffectivePom] = {}

    async def effective(self, group: str, artifact: str, version: str) -> EffectivePom:
        """The effective POM of ``group:artifact:version``, listing every POM used."""
        effective = await self.build(group, artifact, version, ())
        # The records gathered by the time the outer POM was finished include every BOM.
        return replace(effective, records=tuple(self.used.values()))

    async def pom(self, group: str, artifact: str, version: str) -> tuple[Pom, str]:
        pom, record = await self.source.load(group, artifact, version)
        where = self.source.locate(group, artifact, version)
        self.used.setdefault(where, record)
        return pom, where

    def _guard(
        self, stack: Sequence[str], target: str, what: str, too_deep: str, path: str | None
    ) -> None:
        """Refuse to follow ``target`` when it closes a cycle in ``stack`` (``what`` names
        the kind of chain) or ``stack`` is already ``max_depth`` long (``too_deep`` is
        formatted with the stack's first coordinate and the limit)."""
        if target in stack:
            cycle = (*stack, target)
            raise ParentCycle(f"{what} cycle: " + " -> ".join(cycle), chain=cycle, path=path)
        if len(stack) >= self.max_depth:
            raise ChainTooDeep(too_deep.format(stack[0], self.max_depth), path=path)

    async def chain(self, group: str, artifact: str, version: str) -> tuple[list[Pom], list[str]]:
        """The POM and its ancestors, child first, with their coordinates."""
        poms: list[Pom] = []
        names: list[str] = []
        child_url: str | None = None
        while True:
            name = _coordinate(group, artifact, version)
            too_deep = "the parent chain of {} is longer than {} POMs"
            self._guard(names, name, "parent POM", too_deep, child_url)
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
            entry = effective_entry(interp, dep, origin)
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
            apply_management(effective_entry(interp, dep, origin), dep, table)
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
            licenses=tuple(effective_licence(interp, licence) for licence in merged.licenses),
            licenses_from=merged.licenses_from,
            scm=None if merged.scm is None else effective_scm(interp, merged.scm),
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
        importer_url = self.source.locate(*importer.split(":", 2))
        if bom.version is None:
            raise SourceError(
                f"{importer} imports the BOM {bom.group_id}:{bom.artifact_id} with a version "
                f"that cannot be resolved: {bom.requirement} ({bom.unresolved})",
                path=importer_url,
            )
        target = _coordinate(bom.group_id, bom.artifact_id, bom.version)
        too_deep = "BOM imports from {} are nested deeper than {}"
        self._guard(stack, target, "BOM import", too_deep, importer_url)
        target_url = self.source.locate(bom.group_id, bom.artifact_id, bom.version)
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


async def resolve_effective(
    source: PomSource, group: str, artifact: str, version: str, *, max_depth: int = MAX_DEPTH
) -> EffectivePom:
    """The effective POM of ``group:artifact:version`` with its POMs from ``source``
    (a repository through ``sources.maven.repo.RepositoryPoms``, or stored records).

    ``max_depth`` bounds both the parent chain and the nesting of BOM imports. Raises
    ``NotFound`` when the POM itself is missing, ``MissingPom``, ``ParentCycle``,
    ``ChainTooDeep`` or ``SourceError`` (malformed XML and the like, naming where)."""
    return await Resolution(source, max_depth).effective(group, artifact, version)
