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
        self._keys: set[tuple[str, str]] = set()
        self._affected: dict[tuple[str, str], list[StoredAffected]] = {}
        self._groups: dict[str, tuple[str, ...]] = {}
        self._records: dict[str, StoredAdvisory] = {}
        self._published: dict[str, datetime | None] = {}
        self._asked_records: set[str] = set()
        self._asked_published: set[str] = set()
        self._count = lookup.count()
        self.add(keys)

    def add(self, keys: Iterable[tuple[str, str]]) -> None:
        """Read what the store holds for the packages of ``keys`` not read yet, together."""
        wanted = set(keys) - self._keys
        if not wanted:
            return
        self._keys |= wanted
        self._affected.update(self._lookup.affected_for(wanted))
        ids = {row.advisory_id for k in wanted for row in self._affected.get(k, ())}
        ids -= self._groups.keys()
        if not ids:
            return
        self._groups.update(self._lookup.groups_for(ids))
        members = ids | {m for i in ids for m in self._groups[i]}
        fresh = members - self._asked_records
        self._records.update(self._lookup.advisories(fresh))
        self._asked_records |= fresh
        fresh = members - self._asked_published
        self._published.update(self._lookup.published(fresh))
        self._asked_published |= fresh

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
