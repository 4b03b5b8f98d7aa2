"""What the center knows about many components' packages, read set-based: the effective
(curated) packages, their repositories' metrics, how many stored packages depend on each,
and the advisories their health scores need, each in a few queries per few hundred
packages, however many components ask. A component view (``inventories_components``)
reads from here and never from the store itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time
from typing import Any

from ossmeta.analyses.health import HealthConfig, default_config, score
from ossmeta.analyses.health.prefetch import PrefetchedAdvisories, package_key
from ossmeta.analyses.health.repository import METRICS_READ
from ossmeta.analyses.health.signals import inputs_of
from ossmeta.errors import NotFoundError
from ossmeta.model import PackageRecord
from ossmeta.store import Store
from ossmeta.store.curations import effective_packages
from ossmeta.store.lookup import AdvisoryLookup
from ossmeta.store.metrics import MetricValue, read_repo_metrics
from ossmeta.store.packages import count_by_ecosystem, count_dependents_of
from ossmeta.store.tenancy import global_transaction

__all__ = ["REPO_METRICS", "Center"]

#: The repository metrics a component shows (the latest month of each).
REPO_METRICS = ("maintenance_status", "activity", "openrank", "community_openrank")


class Center:
    """Packages, metrics and health inputs, loaded in bulk by ``load`` and kept for the
    request; ``health`` scores from memory."""

    def __init__(self, store: Store, *, config: HealthConfig | None = None) -> None:
        self.store = store
        self.config = config or default_config()
        # Scored as of the start of the day, as the public health endpoint scores.
        self.as_of = datetime.combine(datetime.now(UTC).date(), time(), tzinfo=UTC)
        self.packages: dict[str, PackageRecord | None] = {}
        self.metrics: dict[str, list[MetricValue]] = {}
        self.dependents: dict[str, int] = {}
        self.ecosystems: dict[str, int] = {}
        self._advisories: PrefetchedAdvisories | None = None
        self._stale = False  # packages were loaded since the advisories were read
        self._scores: dict[tuple[str, str], dict[str, Any]] = {}

    def load(self, purls: Iterable[str]) -> None:
        """Read what the center holds for the package purls not read yet."""
        wanted = {p for p in purls if p not in self.packages}
        if not wanted:
            return
        with global_transaction(self.store) as tx:
            found = effective_packages(tx, wanted)
            repos = {r.repository for r in found.values() if r.repository}
            repos -= self.metrics.keys()
            metrics = tuple(dict.fromkeys((*REPO_METRICS, *METRICS_READ)))
            self.metrics.update(read_repo_metrics(tx, repos, metrics))
            self.dependents.update(count_dependents_of(tx, found))
            ecosystems = {r.ecosystem for r in found.values()} - self.ecosystems.keys()
            self.ecosystems.update(count_by_ecosystem(tx, ecosystems))
        for purl in wanted:
            self.packages[purl] = found.get(purl)
        self._stale = True

    def load_repositories(self, repos: Iterable[str]) -> None:
        """Read the metrics of repositories no loaded package named (a tenant's private
        package's repository, or one its private curation gives)."""
        wanted = set(repos) - self.metrics.keys()
        if not wanted:
            return
        with global_transaction(self.store) as tx:
            self.metrics.update(read_repo_metrics(tx, wanted, REPO_METRICS))
        for repo in wanted:
            self.metrics.setdefault(repo, [])

    def package(self, purl: str | None) -> PackageRecord | None:
        return None if purl is None else self.packages.get(purl)

    def repo_metrics(self, repo: str) -> list[MetricValue]:
        return self.metrics.get(repo, [])

    def prefetch_health(self) -> None:
        """Read the advisories of every loaded package not read yet, together, for the
        health scores."""
        keys = {package_key(r) for r in self.packages.values() if r is not None}
        if self._advisories is None:
            self._advisories = PrefetchedAdvisories(AdvisoryLookup(self.store), keys)
        else:
            self._advisories.add(keys)

    def health(self, record: PackageRecord, version: str) -> dict[str, Any]:
        """The health score of ``record`` at ``version`` (the component's version, never
        another one): the overall score, each part's, and what was missing."""
        key = (record.purl, version)
        if key not in self._scores:
            self._scores[key] = self._health(record, version)
        return self._scores[key]

    def _health(self, record: PackageRecord, version: str) -> dict[str, Any]:
        if self._advisories is None or self._stale:
            self.prefetch_health()
            self._stale = False
        assert self._advisories is not None
        others = self.ecosystems.get(record.ecosystem, 0) > 1
        try:
            inputs = inputs_of(
                record,
                version,
                self.config,
                advisories=self._advisories,
                held=self._advisories.count(),
                metrics=self.repo_metrics(record.repository) if record.repository else [],
                dependents=self.dependents.get(record.purl, 0) if others else None,
                as_of=self.as_of,
            )
        except NotFoundError:
            return {
                "value": None,
                "reason": f"the center holds no version {version} of {record.purl}",
            }
        scored = score(inputs, self.config)
        if scored.score is None:
            return {"value": None, "reason": "no part of the score has an input"}
        return {
            "value": round(scored.score, 4),
            "reason": None,
            "version": scored.version,
            "coverage": round(scored.coverage, 4),
            "parts": {p.name: None if p.score is None else round(p.score, 4) for p in scored.parts},
            "missing": list(scored.missing),
        }
