"""Signals from the stored metrics of a package's repository (OpenDigger's contract, and the
git health metrics for repositories known only from git).

The metrics are read over a window of months that ends with the newest month the repository
has a value for (not after the scoring date), so the score of a repository whose metrics were
computed long ago is the score of that time, and the detail says which months it read.

Counts (activity, OpenRank, contributors, commits) are the mean per month over the window:
the metric engines store no zeros, as OpenDigger omits them, so a month without a value is a
month with none, once the repository has any value of that metric. A metric with no value at
all is missing: nothing says whether it was zero or never computed. Levels (bus factor,
response times) are the mean of the months that have one; a month without issues has no
response time, not a response time of 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ossmeta.analyses.health.model import Observation
from ossmeta.store.metrics import MetricValue

__all__ = ["METRICS_READ", "repository_observations"]


@dataclass(frozen=True, slots=True)
class _Source:
    signal: str
    metrics: tuple[str, ...]  # the first stored one is used; later ones are git fallbacks
    count: bool  # a per-month count (zero-filled) rather than a level


_SOURCES = (
    _Source("commits_per_month", ("commit_frequency",), True),
    _Source("activity", ("activity",), True),
    _Source("openrank", ("openrank",), True),
    _Source("contributors", ("contributors", "active_authors"), True),
    _Source("bus_factor", ("bus_factor", "git_bus_factor_commits"), False),
    _Source("issue_response_days", ("issue_response_time.avg",), False),
    _Source("change_request_response_days", ("change_request_response_time.avg",), False),
)

#: Every metric these signals may read, for one query.
METRICS_READ = tuple(dict.fromkeys(m for source in _SOURCES for m in source.metrics))


def _months_back(last: str, count: int) -> list[str]:
    year, month = int(last[:4]), int(last[5:7])
    index = year * 12 + month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def _months(count: int) -> str:
    return f"{count} month" if count == 1 else f"{count} months"


def repository_observations(
    repository: str | None, values: Sequence[MetricValue], as_of: datetime, window_months: int
) -> list[Observation]:
    """One observation per community signal and ``commits_per_month``, from the monthly
    ``values`` of ``repository``."""
    if repository is None:
        return [Observation(s.signal, None, "the package names no repository") for s in _SOURCES]
    cutoff = as_of.strftime("%Y-%m")
    series: dict[str, dict[str, float]] = defaultdict(dict)
    for item in values:
        if item.value is not None and item.period <= cutoff:
            series[item.metric][item.period] = item.value
    if not series:
        reason = f"no monthly metrics stored for {repository} (ossmeta metrics compute)"
        return [Observation(s.signal, None, reason) for s in _SOURCES]
    last = max(period for periods in series.values() for period in periods)
    window = _months_back(last, window_months)
    span = f"{window[0]}..{window[-1]}"
    out = []
    for source in _SOURCES:
        metric = next((m for m in source.metrics if series.get(m)), None)
        if metric is None:
            names = " or ".join(source.metrics)
            out.append(Observation(source.signal, None, f"no {names} values for {repository}"))
            continue
        found = [series[metric][month] for month in window if month in series[metric]]
        if source.count:
            value = sum(found) / len(window)
            how = f"{metric}: mean per month over {span} ({_months(len(found))} with a value)"
        elif found:
            value = sum(found) / len(found)
            how = f"{metric}: mean of the {_months(len(found))} with a value in {span}"
        else:
            out.append(Observation(source.signal, None, f"no {metric} value in {span}"))
            continue
        out.append(Observation(source.signal, value, how))
    return out
