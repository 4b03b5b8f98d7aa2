"""What the exhibition hall shows: a card per featured project (its health score, its
activity over the last months, its OpenRank) and the projects ranked by OpenRank and by
activity for one month.

The figures are the stored ones, read through the calls the API answers with: the health
score as ``/api/v1/health`` computes it (``analyses.health.health``, as of the start of the
UTC day) and the metrics as ``/api/v1/repositories/.../metrics`` reads them
(``service.public.repository_metrics``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from functools import cache
from typing import Any

from ossmeta.analyses.health import HealthConfig, HealthScore, default_config, health
from ossmeta.errors import InputError
from ossmeta.service import public
from ossmeta.store import Store
from ossmeta.surfaces.web.hall_config import HallProject
from ossmeta.surfaces.web.repo_page import is_month

__all__ = ["SPARK_MONTHS", "Card", "Hall", "hall"]

#: Months the activity sparkline spans, ending at the project's latest month.
SPARK_MONTHS = 12


@dataclass(frozen=True)
class Card:
    project: HallProject
    repository: str | None  # host/owner/name
    health: HealthScore | None  # None: no package named, or not in the center
    activity: dict[str, float]  # month -> value
    openrank: dict[str, float]

    @property
    def trend(self) -> tuple[tuple[str, float], ...]:
        """Activity over the last ``SPARK_MONTHS`` months with any value, oldest first."""
        return tuple(sorted(self.activity.items())[-SPARK_MONTHS:])

    @property
    def latest_openrank(self) -> tuple[str, float] | None:
        return max(self.openrank.items()) if self.openrank else None

    @property
    def latest_activity(self) -> tuple[str, float] | None:
        return max(self.activity.items()) if self.activity else None


@dataclass(frozen=True)
class Hall:
    cards: tuple[Card, ...]
    months: tuple[str, ...]  # months with activity or OpenRank for any project, newest first
    month: str | None  # the month ranked

    def ranking(self, metric: str) -> tuple[tuple[Card, float], ...]:
        """The cards with a value for ``month``, highest first (name breaks ties)."""
        if self.month is None:
            return ()
        rows = [
            (card, series[self.month])
            for card in self.cards
            for series in (card.activity if metric == "activity" else card.openrank,)
            if self.month in series
        ]
        return tuple(sorted(rows, key=lambda row: (-row[1], row[0].project.name)))

    def chart_data(self) -> dict[str, Any]:
        """A sparkline per card, for the page's data island."""
        return {
            "charts": [
                {
                    "id": f"spark-{index}",
                    "kind": "spark",
                    "labels": [month for month, _ in card.trend],
                    "series": [{"name": "activity", "values": [v for _, v in card.trend]}],
                }
                for index, card in enumerate(self.cards)
                if card.trend
            ]
        }


@cache
def _config() -> HealthConfig:
    return default_config()


def _monthly(store: Store, repository: str) -> tuple[str, dict[str, float], dict[str, float]]:
    key, values = public.repository_metrics(store, repository)
    series: dict[str, dict[str, float]] = {"activity": {}, "openrank": {}}
    for item in values:
        if item.metric in series and item.value is not None and is_month(item.period):
            series[item.metric][item.period] = item.value
    return key, series["activity"], series["openrank"]


def _card(store: Store, project: HallProject, as_of: datetime) -> Card:
    score = None
    repository = project.repository
    if project.package is not None:
        view = public.package_view(store, project.package)
        if view is not None:
            score = health(store, project.package, _config(), as_of=as_of)
            repository = repository or view.record.repository
    if repository is None:
        return Card(project, None, score, {}, {})
    try:
        key, activity, openrank = _monthly(store, repository)
    except InputError:  # not a repository: the card says its metrics are missing
        return Card(project, None, score, {}, {})
    return Card(project, key, score, activity, openrank)


def hall(store: Store, projects: tuple[HallProject, ...], month: str | None) -> Hall:
    """The hall of ``projects``; ``month`` (``YYYY-MM``) picks the ranking's month, else the
    latest with data. A month without data ranks nothing."""
    as_of = datetime.combine(datetime.now(UTC).date(), time(), tzinfo=UTC)
    cards = tuple(_card(store, project, as_of) for project in projects)
    months = tuple(
        sorted({m for card in cards for m in (*card.activity, *card.openrank)}, reverse=True)
    )
    chosen = month if month is not None else (months[0] if months else None)
    return Hall(cards, months, chosen)
