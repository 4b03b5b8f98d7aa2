"""What the sync driver needs from each registry, and what one package's fetch gives back.

A registry adapter knows its collector (``ossmeta.sources``) and its normalizer
(``ossmeta.normalizers``); the driver (``sync.run``) knows the store, the work list,
concurrency and failures. Adapters never touch the store: what they need of it comes in
as ``Known`` and what they found goes out as a ``PackageFetch``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypedDict

from ossmeta.errors import UsageError
from ossmeta.model import PackageRecord, RawRecord
from ossmeta.sources.http import Fetcher
from ossmeta.sources.registry_records import Fetch, NotModified

Validators = Mapping[str, tuple[str | None, str | None]]
Payloads = Mapping[tuple[str, str], dict[str, Any]]
# Another document of the same source, by (kind, external id): Maven parents and BOMs
# belong to other artifacts but are needed to normalize this one.
Lookup = Callable[[str, str], dict[str, Any] | None]


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Base URLs of one registry: ``url`` is the main one (``--registry-url``); ``extra``
    holds the others a registry has (npm's changes feed, the crates.io web API)."""

    url: str
    extra: Mapping[str, str] = field(default_factory=dict)

    def need(self, key: str, registry: str) -> str:
        value = self.extra.get(key)
        if not value:
            raise UsageError(
                f"no {key.replace('_', ' ')} for {registry}: "
                f"set registries.{registry}.{key} in the config file"
            )
        return value


@dataclass(frozen=True, slots=True)
class Known:
    """What the store already holds for one package, read before its fetch: the stored
    validators of its URLs, which documents it has, and the payload of its anchor
    document (Maven needs the stored version list when the metadata answers 304)."""

    validators: Validators
    documents: frozenset[tuple[str, str]]
    anchors: Payloads


@dataclass(frozen=True, slots=True)
class PackageFetch:
    """One package fetched. ``changed`` is false when every document answered 304 (nothing
    to write but the validators and the outcome). ``problem`` is a partial failure (a Maven
    version whose parent chain loops) kept with the package's outcome: what could be
    fetched is still written. ``self_contained``: ``records`` hold every document the
    package has, and its normalizer reads no other and does not depend on key order, so
    the writer normalizes them as fetched instead of reading the stored copies back."""

    purl: str
    records: tuple[tuple[str, RawRecord], ...]  # (purl of the package owning it, record)
    validators: Validators
    changed: bool
    problem: tuple[str, str] | None = None
    self_contained: bool = False


@dataclass(frozen=True, slots=True)
class Changes:
    """Names to sync after a change-feed cursor, and the cursor to store once they are."""

    names: tuple[str, ...]
    cursor: str
    note: str | None = None


class Registry(Protocol):
    @property
    def name(self) -> str:
        """The registry as the command line says it ("pypi")."""
        ...

    @property
    def source(self) -> str:
        """``raw_records.source`` of its documents."""
        ...

    @property
    def anchor_kind(self) -> str:
        """The record kind without which there is no package (project, index...)."""
        ...

    def purl(self, name: str) -> str:
        """The package's purl (no version); a name the registry cannot have raises."""
        ...

    def validator_keys(self, name: str) -> list[str]:
        """URLs whose stored validators the fetch of ``name`` uses."""
        ...

    async def fetch(self, fetcher: Fetcher, name: str, known: Known) -> PackageFetch: ...

    def normalize(self, payloads: Payloads, lookup: Lookup) -> PackageRecord | None:
        """The package from its current documents; None when its anchor is missing."""
        ...

    async def changes(self, fetcher: Fetcher, cursor: str | None) -> Changes:
        """The names changed after ``cursor`` (None: no cursor stored yet)."""
        ...

    def name_of(self, purl: str, documents: frozenset[tuple[str, str]]) -> str | None:
        """The name to sync ``purl`` under (for ``--changed`` re-checks)."""
        ...


def validators_of(
    result: Fetch | NotModified, url: str
) -> dict[str, tuple[str | None, str | None]]:
    """The validators to store for ``url`` after ``result``."""
    return {url: (result.etag, result.last_modified)}


class Conditional(TypedDict):
    etag: str | None
    last_modified: str | None


def previous(known: Known, url: str, document: tuple[str, str]) -> Conditional:
    """The keyword arguments of a conditional request for ``url``: its stored validators,
    but only while the store holds the document (a 304 for a document it lacks would
    leave nothing to normalize)."""
    if document not in known.documents:
        return {"etag": None, "last_modified": None}
    etag, last_modified = known.validators.get(url, (None, None))
    return {"etag": etag, "last_modified": last_modified}
