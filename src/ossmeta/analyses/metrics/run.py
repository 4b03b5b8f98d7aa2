"""``metrics compute`` end to end: gather the inputs the store holds, compute on the chosen
engine, replace the covered periods in the metrics tables."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from ossmeta.analyses.identities import identity_table
from ossmeta.analyses.metrics.compute import ActivityInputs, compute_metrics
from ossmeta.analyses.metrics.engine import DuckDBEngine, MetricEngine, SparkEngine
from ossmeta.analyses.metrics.model import Context
from ossmeta.errors import UsageError
from ossmeta.store import Store
from ossmeta.store.activity_snapshot import activity_snapshot
from ossmeta.store.codehost_state import CodehostState
from ossmeta.store.metrics import Metrics, is_repo_key

__all__ = ["ComputeReport", "open_engine", "run_metrics"]

ENGINES = ("duckdb", "spark")


@dataclass(frozen=True)
class ComputeReport:
    engine: str
    repos: int
    developers: int
    rows: int
    seconds: float


def open_engine(name: str) -> MetricEngine:
    if name == "duckdb":
        return DuckDBEngine()
    if name == "spark":
        return SparkEngine()
    raise UsageError(f"unknown engine {name!r}: choose one of {', '.join(ENGINES)}")


def check_month(since: str | None) -> str | None:
    if since is None:
        return None
    try:
        parsed = datetime.strptime(since, "%Y-%m")
    except ValueError:
        raise UsageError(f"--since must be a month written YYYY-MM, not {since!r}") from None
    return parsed.strftime("%Y-%m")


def facts_table(store: Store) -> pa.Table:
    facts = CodehostState(store).facts()
    return pa.table(
        {
            "repo": pa.array(list(facts), pa.string()),
            "archived": pa.array([f.archived for f in facts.values()], pa.bool_()),
            "default_branch": pa.array([f.default_branch for f in facts.values()], pa.string()),
        }
    )


def run_metrics(
    store: Store,
    root: Path,
    *,
    engine: str,
    since: str | None,
    as_of: datetime,
) -> tuple[ComputeReport, pa.Table]:
    since = check_month(since)
    started = time.perf_counter()
    runner = open_engine(engine)
    # A pin taken first holds every later generation's files too, so the identities read
    # from the current files cannot lose them to a concurrent compaction either.
    try:
        with activity_snapshot(root):
            inputs = ActivityInputs(root, identity_table(store, root), facts_table(store))
            table = compute_metrics(runner, inputs, Context(since, as_of))
    finally:
        runner.close()
    subjects = table["subject"].to_pylist()
    rows = zip(
        subjects,
        table["metric"].to_pylist(),
        table["period"].to_pylist(),
        table["value"].to_pylist(),
        table["detail"].to_pylist(),
        strict=True,
    )
    written = Metrics(store).replace(rows, engine=engine, computed_at=as_of, since=since)
    distinct = set(subjects)
    repos = sum(1 for s in distinct if is_repo_key(s))
    report = ComputeReport(
        engine, repos, len(distinct) - repos, written, time.perf_counter() - started
    )
    return report, table
