"""Advisories read once for many health scores: the affected entries of a set of packages,
their alias groups, records and publication times, each in one pass over the store, then
served from memory to every score (``open_advisories``, ``time_to_fix``) that asks.

What was not read up front (an id outside the packages named) is read when asked and kept,
so an answer is never short of what the store holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from ossmeta.ecosystems import base_ecosystem, name_key
from ossmeta.model import PackageRecord
from ossmeta.store.lookup import AdvisoryLookup, StoredAdvisory, StoredAffected

__all__ = ["PrefetchedAdvisories", "package_key"]


def package_key(record: PackageRecord) -> tuple[str, str]:
    """The (base ecosystem, name key) the advisories of ``record`` are stored under."""
    return base_ecosystem(record.ecosystem), name_key(record.ecosystem, record.name)


class PrefetchedAdvisories:
    """An ``AdvisoryReader`` over what the store held for ``keys`` when it was made."""

    def __init__(self, lookup: AdvisoryLookup, keys: Iterable[tuple[str, str]]) -> None:
        self._lookup = lookup
        wanted = set(keys)
        self._keys = wanted
        self._affected = dict(lookup.affected_for(wanted)) if wanted else {}
        ids = {row.advisory_id for rows in self._affected.values() for row in rows}
        self._groups = lookup.groups_for(ids) if ids else {}
        members = ids | {m for group in self._groups.values() for m in group}
        self._records = lookup.advisories(members) if members else {}
        self._published = lookup.published(members) if members else {}
        self._asked_records = set(members)
        self._asked_published = set(members)
        self._count = lookup.count()

    def count(self) -> int:
        return self._count

    def affected_for(
        self, keys: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], list[StoredAffected]]:
        asked = set(keys)
        missing = asked - self._keys
        if missing:
            self._affected.update(self._lookup.affected_for(missing))
            self._keys |= missing
        found: dict[tuple[str, str], list[StoredAffected]] = defaultdict(list)
        found.update((k, self._affected[k]) for k in asked if k in self._affected)
        return found

    def groups_for(self, ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
        asked = set(ids)
        missing = asked - self._groups.keys()
        if missing:
            self._groups.update(self._lookup.groups_for(missing))
        return {i: self._groups[i] for i in sorted(asked)}

    def advisories(self, ids: Iterable[str]) -> dict[str, StoredAdvisory]:
        asked = set(ids)
        missing = asked - self._asked_records
        if missing:
            self._records.update(self._lookup.advisories(missing))
            self._asked_records |= missing
        return {i: self._records[i] for i in asked if i in self._records}

    def published(self, ids: Iterable[str]) -> dict[str, datetime | None]:
        asked = set(ids)
        missing = asked - self._asked_published
        if missing:
            self._published.update(self._lookup.published(missing))
            self._asked_published |= missing
        return {i: self._published[i] for i in asked if i in self._published}
