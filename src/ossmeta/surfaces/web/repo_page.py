"""What the repository page shows: the repository's stored metrics, read through the same
service call as the API's metrics endpoint and ``ossmeta metrics show``
(``service.public.repository_metrics``), arranged per chart over months.

Nothing is computed here: a chart shows stored monthly values as they are, a month without a
row is a month OpenDigger (and ``metrics compute``) left out because its value was 0 or
nothing happened, and a chart whose metrics have no row at all is said to be missing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ossmeta.service import public
from ossmeta.store import Store
from ossmeta.store.metrics import MetricValue

__all__ = ["CHARTS", "GIT_FACTS", "Chart", "RepoPage", "is_month", "repository_page"]


def is_month(period: str) -> bool:
    return len(period) == 7 and period[4] == "-"


@dataclass(frozen=True)
class Chart:
    """One chart and its table: the stored metrics it draws, each a line over months."""

    key: str  # the element id's stem and the words' key
    metrics: tuple[str, ...]


#: The OpenDigger charts, in the order the page shows them.
CHARTS = (
    Chart("activity", ("activity",)),
    Chart("openrank", ("openrank",)),
    Chart("participants", ("participants", "contributors")),
    Chart("new_contributors", ("new_contributors",)),
    Chart("issue_times", ("issue_response_time.avg", "issue_resolution_duration.avg")),
    Chart(
        "change_request_times",
        ("change_request_response_time.avg", "change_request_resolution_duration.avg"),
    ),
    Chart("bus_factor", ("bus_factor",)),
)
#: Git health as its latest monthly value (the metrics ``metrics compute`` derives from a
#: clone; ``git_bus_factor_commits`` and ``release_cadence`` are stored per period too).
GIT_FACTS = (
    "days_since_last_commit",
    "days_since_last_release",
    "commit_frequency",
    "active_authors",
    "git_bus_factor_commits",
    "release_cadence",
)


@dataclass(frozen=True)
class ChartData:
    chart: Chart
    months: tuple[str, ...]  # every month any of its metrics has a value for, in order
    series: tuple[tuple[str, tuple[float | None, ...]], ...]  # (metric, value per month)

    @property
    def missing(self) -> bool:
        return not self.months

    @property
    def absent(self) -> tuple[str, ...]:
        """The chart's metrics without any stored month (said beside the chart)."""
        drawn = {metric for metric, _ in self.series}
        return tuple(m for m in self.chart.metrics if m not in drawn)


@dataclass(frozen=True)
class RepoPage:
    key: str  # host/owner/name
    charts: tuple[ChartData, ...]
    git: tuple[tuple[str, str, float | None], ...]  # (metric, its latest month, value)
    status: tuple[str, str] | None  # (month, maintenance status word), the latest stored
    last_month: str | None  # the latest month with any value

    @property
    def has_metrics(self) -> bool:
        return self.last_month is not None

    def chart_data(self) -> dict[str, Any]:
        """Each chart's months and lines, for the page's data island."""
        return {
            "charts": [
                {
                    "id": f"{shown.chart.key}-chart",
                    "kind": "line",
                    "labels": list(shown.months),
                    "series": [{"name": m, "values": list(v)} for m, v in shown.series],
                }
                for shown in self.charts
                if not shown.missing
            ]
        }


def _monthly(values: list[MetricValue]) -> dict[str, dict[str, MetricValue]]:
    by_metric: dict[str, dict[str, MetricValue]] = {}
    for item in values:
        if is_month(item.period):
            by_metric.setdefault(item.metric, {})[item.period] = item
    return by_metric


def _chart(chart: Chart, monthly: dict[str, dict[str, MetricValue]]) -> ChartData:
    held = [m for m in chart.metrics if m in monthly]
    months = sorted({period for m in held for period in monthly[m]})
    series = tuple(
        (m, tuple(monthly[m][p].value if p in monthly[m] else None for p in months)) for m in held
    )
    return ChartData(chart, tuple(months), series)


def repository_page(store: Store, repo: str) -> RepoPage:
    """The page of ``repo`` (``host/owner/name`` or a repository URL); ``UsageError`` when
    it names no repository. A repository without stored metrics is a page saying so."""
    key, values = public.repository_metrics(store, repo)
    monthly = _monthly(values)
    git = tuple(
        (metric, last, monthly[metric][last].value)
        for metric in GIT_FACTS
        if metric in monthly
        for last in (max(monthly[metric]),)
    )
    statuses = monthly.get("maintenance_status", {})
    status = None
    if statuses:
        month = max(statuses)
        status = (month, str(statuses[month].detail))
    months = [p for series in monthly.values() for p in series]
    return RepoPage(
        key=key,
        charts=tuple(_chart(chart, monthly) for chart in CHARTS),
        git=git,
        status=status,
        last_month=max(months) if months else None,
    )
