"""Maven for the sync driver: ``maven-metadata.xml`` of each ``group:artifact``, then the
effective POM of every version not yet held (its parents and imported BOMs come along).

Released POMs do not change, so a version's POMs are fetched once; parents and BOMs are
filed under their own artifact and shared between packages (one ``PomCache`` per sync).
A version whose parent chain loops, is missing or is too deep is left out and reported as
the package's problem: the rest of the package is written, and the next sync tries that
version again. Maven repositories have no change feed: ``--changed`` re-checks every
artifact held with conditional requests on its metadata.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ossmeta.ecosystems import MAVEN
from ossmeta.errors import SourceError
from ossmeta.model import PackageRecord, RawRecord
from ossmeta.normalizers.maven.resolve import (
    ChainTooDeep,
    MissingPom,
    ParentCycle,
    resolve_effective,
)
from ossmeta.normalizers.maven_packages import package_from_maven
from ossmeta.pipelines.sync.registry import (
    Changes,
    Known,
    Lookup,
    PackageFetch,
    Payloads,
    previous,
    validators_of,
)
from ossmeta.purls import build_purl
from ossmeta.sources.http import Fetcher
from ossmeta.sources.maven import central as maven
from ossmeta.sources.registry_records import NotModified


def _coordinates(name: str) -> tuple[str, str]:
    group, sep, artifact = name.strip().partition(":")
    if not sep or not group or not artifact or ":" in artifact:
        raise SourceError(f"not a Maven group:artifact: {name!r}")
    return group, artifact


class _Poms(Mapping[str, dict[str, Any]]):
    """The package's own POMs, falling back to any stored POM (parents, BOMs) by
    coordinate; iterating lists only the package's own."""

    def __init__(self, own: dict[str, dict[str, Any]], lookup: Lookup) -> None:
        self._own = own
        self._lookup = lookup
        self._found: dict[str, dict[str, Any] | None] = {}

    def __getitem__(self, coordinate: str) -> dict[str, Any]:
        if coordinate in self._own:
            return self._own[coordinate]
        if coordinate not in self._found:
            self._found[coordinate] = self._lookup(maven.KIND_POM, coordinate)
        found = self._found[coordinate]
        if found is None:
            raise KeyError(coordinate)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._own)

    def __len__(self) -> int:
        return len(self._own)


@dataclass(frozen=True, slots=True)
class MavenRegistry:
    base_url: str
    name: str = "maven"
    source: str = maven.SOURCE_ID
    anchor_kind: str = maven.KIND_METADATA
    cache: maven.PomCache = field(default_factory=maven.PomCache, compare=False)

    def purl(self, name: str) -> str:
        group, artifact = _coordinates(name)
        built = build_purl(MAVEN, f"{group}:{artifact}", None)
        if built is None:
            raise SourceError(f"not a Maven group:artifact: {name!r}")
        return built

    def validator_keys(self, name: str) -> list[str]:
        return [maven.metadata_url(self.base_url, *_coordinates(name))]

    def _owner(self, record: RawRecord) -> str:
        group, artifact, _ = record.external_id.split(":", 2)
        return self.purl(f"{group}:{artifact}")

    async def fetch(self, fetcher: Fetcher, name: str, known: Known) -> PackageFetch:
        group, artifact = _coordinates(name)
        key = f"{group}:{artifact}"
        (url,) = self.validator_keys(name)
        got = await maven.fetch_metadata(
            fetcher,
            self.base_url,
            group,
            artifact,
            **previous(known, url, (maven.KIND_METADATA, key)),
        )
        metadata = known.anchors.get((maven.KIND_METADATA, key))
        records: dict[tuple[str, str], tuple[str, RawRecord]] = {}
        if not isinstance(got, NotModified):
            metadata = got.record.payload
            records[(got.record.kind, got.record.external_id)] = (self.purl(key), got.record)
        problems: list[str] = []
        new = [
            v for v in _versions(metadata) if (maven.KIND_POM, f"{key}:{v}") not in known.documents
        ]
        # All new versions at once (the fetcher bounds the requests); results in version
        # order, so what is written does not depend on which answer came first.
        resolved = await asyncio.gather(
            *(
                resolve_effective(
                    maven.RepositoryPoms(fetcher, self.base_url, self.cache),
                    group,
                    artifact,
                    version,
                )
                for version in new
            ),
            return_exceptions=True,
        )
        for version, effective in zip(new, resolved, strict=True):
            if isinstance(effective, ParentCycle | MissingPom | ChainTooDeep):
                problems.append(f"{version}: {effective}")
                continue
            if isinstance(effective, BaseException):
                raise effective
            for record in effective.records:
                records[(record.kind, record.external_id)] = (self._owner(record), record)
        problem = None
        if problems:
            shown = "; ".join(problems[:3]) + (
                f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
            )
            problem = ("pom-chain", f"{len(problems)} version(s) left out: {shown}")
        owned = tuple(records.values())
        return PackageFetch(self.purl(key), owned, validators_of(got, url), bool(owned), problem)

    def normalize(self, payloads: Payloads, lookup: Lookup) -> PackageRecord | None:
        metadata = next(
            (p for (kind, _), p in payloads.items() if kind == maven.KIND_METADATA), None
        )
        if metadata is None:
            return None
        own = {eid: p for (kind, eid), p in payloads.items() if kind == maven.KIND_POM}
        return package_from_maven(metadata, _Poms(own, lookup))

    async def changes(self, fetcher: Fetcher, cursor: str | None) -> Changes:
        return Changes((), cursor or "", None)

    def name_of(self, purl: str, documents: frozenset[tuple[str, str]]) -> str | None:
        return next((eid for (kind, eid) in documents if kind == maven.KIND_METADATA), None)


def _versions(metadata: dict[str, Any] | None) -> list[str]:
    versioning = metadata.get("versioning") if isinstance(metadata, dict) else None
    listed = versioning.get("versions") if isinstance(versioning, dict) else None
    return [v for v in listed if isinstance(v, str)] if isinstance(listed, list) else []
