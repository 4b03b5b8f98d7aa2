"""crates.io for the sync driver: the sparse-index file of each crate plus its web API
document (licence, repository, description, publication times).

The web API's base comes from ``registries.crates.api_url`` or, failing that, from the
index's own ``config.json`` (read once per sync). The index has no change feed, so
``--changed`` re-checks every crate held with conditional requests, as Cargo does; the
crate document is re-fetched only when the index file changed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from ossmeta.ecosystems import CRATES
from ossmeta.errors import SourceError
from ossmeta.model import PackageRecord, RawRecord
from ossmeta.normalizers.crates_packages import package_from_crates
from ossmeta.pipelines.sync.registry import (
    Changes,
    Endpoints,
    Known,
    Lookup,
    PackageFetch,
    Payloads,
    previous,
    validators_of,
)
from ossmeta.purls import build_purl
from ossmeta.sources import crates
from ossmeta.sources.http import Fetcher
from ossmeta.sources.registry_records import NotModified


@dataclass(frozen=True, slots=True)
class CratesRegistry:
    endpoints: Endpoints
    name: str = "crates"
    source: str = crates.SOURCE_ID
    anchor_kind: str = crates.KIND_INDEX
    _api: dict[str, str] = field(default_factory=dict, compare=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, compare=False)

    def purl(self, name: str) -> str:
        crates.index_path(name)  # refuses a name crates.io cannot have
        built = build_purl(CRATES, name, None)
        if built is None:
            raise SourceError(f"not a crate name: {name!r}")
        return built

    def validator_keys(self, name: str) -> list[str]:
        return [crates.index_url(self.endpoints.url, name)]

    async def _api_base(self, fetcher: Fetcher) -> str:
        configured = self.endpoints.extra.get("api_url")
        if configured:
            return configured
        async with self._lock:
            if "api" not in self._api:
                found = await crates.config(fetcher, self.endpoints.url)
                if not found.api:
                    raise SourceError("the index's config.json names no 'api'", path=found.url)
                self._api["api"] = found.api
        return self._api["api"]

    async def fetch(self, fetcher: Fetcher, name: str, known: Known) -> PackageFetch:
        (url,) = self.validator_keys(name)
        stored = next((eid for kind, eid in known.documents if kind == crates.KIND_INDEX), name)
        index = await crates.fetch_index(
            fetcher, self.endpoints.url, name, **previous(known, url, (crates.KIND_INDEX, stored))
        )
        records: list[RawRecord] = []
        if not isinstance(index, NotModified):
            records.append(index.record)
            api = await self._api_base(fetcher)
            crate = await crates.fetch_crate(fetcher, api, index.record.external_id)
            if not isinstance(crate, NotModified):
                records.append(crate.record)
        purl = self.purl(name)
        owned = tuple((purl, r) for r in records)
        return PackageFetch(purl, owned, validators_of(index, url), bool(owned))

    def normalize(self, payloads: Payloads, lookup: Lookup) -> PackageRecord | None:
        index = next((p for (kind, _), p in payloads.items() if kind == crates.KIND_INDEX), None)
        if index is None:
            return None
        crate = next((p for (kind, _), p in payloads.items() if kind == crates.KIND_CRATE), None)
        return package_from_crates(index, crate)

    async def changes(self, fetcher: Fetcher, cursor: str | None) -> Changes:
        # No feed: the driver re-checks every crate it holds (see ``name_of``).
        return Changes((), cursor or "", None)

    def name_of(self, purl: str, documents: frozenset[tuple[str, str]]) -> str | None:
        return next((eid for (kind, eid) in documents if kind == crates.KIND_INDEX), None)
