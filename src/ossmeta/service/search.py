"""One search over the public knowledge: packages (by name or purl), advisories (by id or
any alias) and repositories, as the web's home page asks it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ossmeta.service import public
from ossmeta.store.engine import Store
from ossmeta.store.search import PackageHit, search_packages, search_repositories

__all__ = ["MAX_HITS", "PackageHit", "SearchResults", "search"]

#: Hits per kind: a search box answers with a short list, not a catalogue.
MAX_HITS = 50


@dataclass(frozen=True)
class SearchResults:
    query: str
    packages: tuple[PackageHit, ...]
    advisories: tuple[dict[str, Any], ...]  # ``advisories show`` documents
    repositories: tuple[str, ...]
    #: The canonical purl when the query was one (it may still be absent from ``packages``).
    purl: str | None = None


def search(store: Store, text: str, limit: int = MAX_HITS) -> SearchResults:
    """``InvalidPurl`` (an input error) when the query starts like a purl but is not one."""
    query = text.strip()
    if not query:
        return SearchResults(query, (), (), ())
    purl = public.package_key(query) if query.lower().startswith("pkg:") else None
    found = search_packages(store, purl or query, limit)
    advisory = None if purl else public.advisory_document(store, query)
    if advisory is None and purl is None and query.upper() != query:
        # Ids are stored as their databases write them (CVE-..., GHSA-...); people type
        # them in any case.
        advisory = public.advisory_document(store, query.upper())
    repos = () if purl else tuple(search_repositories(store, query, limit))
    return SearchResults(query, tuple(found), (advisory,) if advisory else (), repos, purl=purl)
