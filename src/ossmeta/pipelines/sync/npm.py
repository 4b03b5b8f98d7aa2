"""npm for the sync driver: one full packument per package, and the replication changes
feed (``registries.npm.changes_url``) for ``--changed``.

Deleted names on the feed are synced like changed ones: their fetch answers 404, which
marks a stored package ``removed``. With no sequence stored yet the feed's current
``update_seq`` is recorded and nothing else is done.
"""

from __future__ import annotations

from dataclasses import dataclass

from ossmeta.ecosystems import NPM
from ossmeta.errors import SourceError
from ossmeta.model import PackageRecord
from ossmeta.normalizers.names import normalize_name
from ossmeta.normalizers.npm_packages import package_from_npm
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
from ossmeta.sources import npm
from ossmeta.sources.http import Fetcher
from ossmeta.sources.registry_records import NotModified


@dataclass(frozen=True, slots=True)
class NpmRegistry:
    endpoints: Endpoints
    name: str = "npm"
    source: str = npm.SOURCE_ID
    anchor_kind: str = npm.KIND_PACKUMENT

    def purl(self, name: str) -> str:
        checked = normalize_name(NPM, name) if name == name.strip() else None
        built = build_purl(NPM, name, None) if checked and checked.problem is None else None
        if built is None:
            why = checked.problem if checked and checked.problem else "surrounding spaces"
            raise SourceError(f"not an npm package name: {name!r} ({why})")
        return built

    def validator_keys(self, name: str) -> list[str]:
        return [npm.packument_url(self.endpoints.url, name)]

    async def fetch(self, fetcher: Fetcher, name: str, known: Known) -> PackageFetch:
        (url,) = self.validator_keys(name)
        got = await npm.fetch_packument(
            fetcher,
            self.endpoints.url,
            name,
            **previous(known, url, (npm.KIND_PACKUMENT, name)),
        )
        purl = self.purl(name)
        records = () if isinstance(got, NotModified) else ((purl, got.record),)
        # The packument is the package's only document: the writer normalizes it as
        # fetched instead of reading it back from the store.
        return PackageFetch(
            purl, records, validators_of(got, url), bool(records), self_contained=True
        )

    def normalize(self, payloads: Payloads, lookup: Lookup) -> PackageRecord | None:
        packument = next(
            (p for (kind, _), p in payloads.items() if kind == npm.KIND_PACKUMENT), None
        )
        return None if packument is None else package_from_npm(packument)

    async def changes(self, fetcher: Fetcher, cursor: str | None) -> Changes:
        feed = self.endpoints.need("changes_url", self.name)
        if cursor is None:
            seq = await npm.update_seq(fetcher, feed)
            return Changes((), seq, f"no sequence stored yet: starting from {seq}")
        names: dict[str, None] = {}
        last = cursor
        async for page in npm.iter_changes(fetcher, feed, cursor):
            names.update(dict.fromkeys(page.changed + page.deleted))
            last = page.last_seq
        return Changes(tuple(names), last)

    def name_of(self, purl: str, documents: frozenset[tuple[str, str]]) -> str | None:
        return next((eid for (kind, eid) in documents if kind == npm.KIND_PACKUMENT), None)
