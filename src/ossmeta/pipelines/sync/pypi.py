"""PyPI for the sync driver: the project document, the PEP 691 simple page, and the
release document of every version not yet held.

Release documents are fetched once per version: a published release's metadata does not
change, and what does (yanking) is on the simple page, which is re-checked every time.
``--changed`` follows PyPI's serial: the changelog since the stored serial names the
projects to re-check; with no serial stored yet the current one is recorded and nothing
else is done, as a changes feed starts "now".
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from ossmeta.ecosystems import PYPI
from ossmeta.model import PackageRecord, RawRecord
from ossmeta.normalizers.pypi_packages import package_from_pypi
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
from ossmeta.sources import pypi
from ossmeta.sources.http import Fetcher
from ossmeta.sources.registry_records import NotModified

PROJECT = "pypi-project"
SIMPLE = "pypi-simple"
RELEASE = "pypi-release"


@dataclass(frozen=True, slots=True)
class PypiRegistry:
    base_url: str
    name: str = "pypi"
    source: str = pypi.SOURCE_ID
    anchor_kind: str = PROJECT

    def purl(self, name: str) -> str:
        key = pypi.project_name(name)
        built = build_purl(PYPI, key, None)
        assert built is not None  # a valid project name always makes a purl
        return built

    def validator_keys(self, name: str) -> list[str]:
        return [pypi.project_url(self.base_url, name), pypi.simple_url(self.base_url, name)]

    async def fetch(self, fetcher: Fetcher, name: str, known: Known) -> PackageFetch:
        key = pypi.project_name(name)
        project_url, simple_url = self.validator_keys(key)
        project, simple = await asyncio.gather(
            pypi.fetch_project(
                fetcher, self.base_url, key, **previous(known, project_url, (PROJECT, key))
            ),
            pypi.fetch_simple(
                fetcher, self.base_url, key, **previous(known, simple_url, (SIMPLE, key))
            ),
        )
        validators = validators_of(project, project_url) | validators_of(simple, simple_url)
        records: list[RawRecord] = []
        versions: dict[str, None] = {}  # ordered, each once: projects can list thousands
        if not isinstance(project, NotModified):
            records.append(project.record)
            releases = project.record.payload.get("releases")
            versions.update(dict.fromkeys(releases if isinstance(releases, dict) else ()))
        if not isinstance(simple, NotModified):
            records.append(simple.record)
            listed = simple.record.payload.get("versions")
            if isinstance(listed, list):
                versions.update(dict.fromkeys(v for v in listed if isinstance(v, str)))
        missing = [v for v in versions if (RELEASE, f"{key}@{v}") not in known.documents]
        fetched = await asyncio.gather(
            *(pypi.fetch_release(fetcher, self.base_url, key, v) for v in missing)
        )
        records += [r.record for r in fetched if not isinstance(r, NotModified)]
        purl = self.purl(key)
        owned = tuple((purl, r) for r in records)
        return PackageFetch(purl, owned, validators, bool(owned))

    def normalize(self, payloads: Payloads, lookup: Lookup) -> PackageRecord | None:
        project = next((p for (kind, _), p in payloads.items() if kind == PROJECT), None)
        if project is None:
            return None
        simple = next((p for (kind, _), p in payloads.items() if kind == SIMPLE), None)
        releases: dict[str, dict[str, Any]] = {
            external_id.partition("@")[2]: p
            for (kind, external_id), p in payloads.items()
            if kind == RELEASE
        }
        return package_from_pypi(project, simple, releases or None)

    async def changes(self, fetcher: Fetcher, cursor: str | None) -> Changes:
        if cursor is None:
            serial = await pypi.last_serial(fetcher, self.base_url)
            note = f"no serial stored yet: starting from serial {serial}"
            return Changes((), str(serial), note)
        names: dict[str, None] = {}  # first-seen order, each once
        serial = int(cursor)
        while True:  # PyPI caps one changelog answer; ask again until the serial stops
            batch, highest = await pypi.changed_since(fetcher, self.base_url, serial)
            names.update(dict.fromkeys(batch))
            if highest == serial:
                return Changes(tuple(names), str(serial))
            serial = highest

    def name_of(self, purl: str, documents: frozenset[tuple[str, str]]) -> str | None:
        return next((eid for (kind, eid) in documents if kind == PROJECT), None)
