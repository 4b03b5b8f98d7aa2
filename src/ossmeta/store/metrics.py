"""The metrics tables: computed values per repository or developer, metric and period.

A subject key names its kind by its shape: a repository is ``host/owner/name`` and a
developer ``host/login`` (logins cannot contain a slash), so one result table from the
metrics engine splits into the two tables without another column.

Writing replaces what a computation covers: every period from ``since`` on (quarters and
years that end after ``since`` starts included), or everything. Rows of earlier periods stay,
so ``metrics compute --since`` recomputes recent months without touching history.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, or_, select

from ossmeta.store.bulk import bulk_insert
from ossmeta.store.chunking import chunks
from ossmeta.store.engine import Store
from ossmeta.store.schema import developer_metrics, repo_metrics

__all__ = [
    "MetricValue",
    "Metrics",
    "is_repo_key",
    "read_metrics",
    "read_repo_metrics",
    "replace_metrics",
    "subjects",
]


@dataclass(frozen=True, slots=True)
class MetricValue:
    subject: str
    metric: str
    period: str
    value: float | None
    detail: Any  # parsed JSON of ``detail`` (a list, a word, an object) or None


def is_repo_key(subject: str) -> bool:
    return subject.count("/") >= 2


def _table(subject: str) -> tuple[Table, str]:
    if is_repo_key(subject):
        return repo_metrics, "repo"
    return developer_metrics, "developer"


def _covered(table: Table, since: str | None) -> Any:
    """The SQL condition for periods a computation from ``since`` recomputes."""
    if since is None:
        return None
    year, month = since[:4], int(since[5:7])
    quarter = f"{year}Q{(month - 1) // 3 + 1}"
    period = table.c.period
    return or_(
        (period.like("%-%")) & (period >= since),
        (period.like("%Q%")) & (period >= quarter),
        (~period.like("%-%")) & (~period.like("%Q%")) & (period >= year),
    )


def replace_metrics(
    connection: Connection,
    rows: Iterable[tuple[str, str, str, float | None, str | None]],
    *,
    engine: str,
    computed_at: datetime,
    since: str | None,
) -> int:
    """Replace the covered periods with ``rows`` (subject, metric, period, value, detail);
    returns rows written."""
    for table in (repo_metrics, developer_metrics):
        condition = _covered(table, since)
        statement = delete(table) if condition is None else delete(table).where(condition)
        connection.execute(statement)
    batches: dict[str, list[dict[str, Any]]] = {"repo": [], "developer": []}
    for subject, metric, period, value, detail in rows:
        _, column = _table(subject)
        batches[column].append(
            {
                column: subject,
                "metric": metric,
                "period": period,
                "value": value,
                "detail": detail,
                "engine": engine,
                "computed_at": computed_at,
            }
        )
    for column, batch in batches.items():
        if batch:
            bulk_insert(connection, repo_metrics if column == "repo" else developer_metrics, batch)
    return sum(len(batch) for batch in batches.values())


def read_metrics(
    connection: Connection, subject: str, metrics: Sequence[str] | None = None
) -> list[MetricValue]:
    table, column = _table(subject)
    query = select(table.c[column], table.c.metric, table.c.period, table.c.value, table.c.detail)
    query = query.where(table.c[column] == subject)
    if metrics:
        query = query.where(table.c.metric.in_(list(metrics)))
    query = query.order_by(table.c.metric, table.c.period)
    return [
        MetricValue(
            str(row[0]),
            str(row[1]),
            str(row[2]),
            None if row[3] is None else float(row[3]),
            None if row[4] is None else json.loads(row[4]),
        )
        for row in connection.execute(query)
    ]


def read_repo_metrics(
    connection: Connection, repos: Iterable[str], metrics: Sequence[str]
) -> dict[str, list[MetricValue]]:
    """``read_metrics`` of many repositories at once, by repository (every one asked for
    is a key; an empty list when it has none): one query per few hundred repositories."""
    wanted = sorted(set(repos))
    out: dict[str, list[MetricValue]] = {repo: [] for repo in wanted}
    table = repo_metrics
    for part in chunks(wanted):
        query = (
            select(table.c.repo, table.c.metric, table.c.period, table.c.value, table.c.detail)
            .where(table.c.repo.in_(part), table.c.metric.in_(list(metrics)))
            .order_by(table.c.repo, table.c.metric, table.c.period)
        )
        for row in connection.execute(query):
            out[str(row[0])].append(
                MetricValue(
                    str(row[0]),
                    str(row[1]),
                    str(row[2]),
                    None if row[3] is None else float(row[3]),
                    None if row[4] is None else json.loads(row[4]),
                )
            )
    return out


def subjects(connection: Connection, kind: str = "repo") -> list[str]:
    table, column = (repo_metrics, "repo") if kind == "repo" else (developer_metrics, "developer")
    query = select(table.c[column]).distinct().order_by(table.c[column])
    return [str(row[0]) for row in connection.execute(query)]


class Metrics:
    """Computed metrics of repositories and developers; each call its own transaction."""

    def __init__(self, store: Store) -> None:
        self._engine = store.engine

    def replace(
        self,
        rows: Iterable[tuple[str, str, str, float | None, str | None]],
        *,
        engine: str,
        computed_at: datetime,
        since: str | None,
    ) -> int:
        """The covered periods replaced by ``rows`` in one transaction (see
        ``replace_metrics``); returns rows written."""
        with self._engine.begin() as connection:
            return replace_metrics(
                connection, rows, engine=engine, computed_at=computed_at, since=since
            )

    def read(self, subject: str, metrics: Sequence[str] | None = None) -> list[MetricValue]:
        with self._engine.connect() as connection:
            return read_metrics(connection, subject, metrics)

    def monthly(self, subject: str, metrics: Sequence[str]) -> list[MetricValue]:
        """The monthly values (periods ``YYYY-MM``) of ``metrics`` for ``subject``, by metric
        and period; quarters and years are left out."""
        with self._engine.connect() as connection:
            return [
                value
                for value in read_metrics(connection, subject, metrics)
                if len(value.period) == 7 and value.period[4] == "-"
            ]

    def every_subject(self) -> Iterator[tuple[str, list[MetricValue]]]:
        """Each repository, then each developer, with its metrics, over one connection."""
        with self._engine.connect() as connection:
            for kind in ("repo", "developer"):
                for subject in subjects(connection, kind):
                    yield subject, read_metrics(connection, subject)
