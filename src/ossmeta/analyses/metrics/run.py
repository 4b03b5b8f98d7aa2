"""``metrics compute`` end to end: gather the inputs the store holds, compute on the chosen
engine, replace the covered periods in the metrics tables.

Where the results go:

- by default, into the SQL store. The finished metric table (one row per subject, metric
  and period: its size follows the repositories and developers, not the events) is brought
  to the driver once and written; on Spark that is the only table that reaches the driver.
- with an output URI (Spark only), nowhere near the driver: the executors round and filter
  the rows (``finish_rows``, the same code as the store flow) and write Parquet to
  ``<uri>/repo_metrics`` and ``<uri>/developer_metrics`` (replacing what is there); the
  SQL store is not written, since loading it would collect the table after all.

On Spark the identity table is built on Spark from the activity data and the store's
curations (``spark_identities``); on DuckDB locally (``identities.identity_table``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa

from ossmeta.analyses.identities import identity_table
from ossmeta.analyses.metrics.compute import (
    ActivityInputs,
    compute_metrics,
    finish_rows,
    metric_frame,
)
from ossmeta.analyses.metrics.engine import DuckDBEngine, MetricEngine, SparkEngine, local_root
from ossmeta.analyses.metrics.model import RESULT_SCHEMA, Context
from ossmeta.analyses.metrics.spark_files import join_uri
from ossmeta.errors import AnalysisError, UsageError
from ossmeta.store import Store
from ossmeta.store.activity_snapshot import activity_snapshot
from ossmeta.store.codehost_state import CodehostState
from ossmeta.store.identities import IdentityOverrides
from ossmeta.store.metrics import Metrics, is_repo_key

__all__ = ["ComputeReport", "open_engine", "run_metrics", "write_metric_frames"]

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


def _inputs(store: Store, root: str, engine: MetricEngine) -> ActivityInputs:
    if isinstance(engine, SparkEngine):
        overrides = IdentityOverrides(store).find()
        return ActivityInputs(root, None, facts_table(store), overrides)
    local = local_root(root)
    return ActivityInputs(local, identity_table(store, local), facts_table(store))


def write_metric_frames(frame: Any, uri: str, since: str | None) -> tuple[int, int, int]:
    """Finish the rows on the executors and write the two metric tables as Parquet under
    ``uri``; returns (repositories, developers, rows), counted by Spark."""
    from pyspark.sql import functions as F

    spark = frame.sparkSession
    finished = spark.createDataFrame(
        frame.rdd.mapPartitions(partial(_finish_partition, since)), _RESULT_DDL
    ).persist()
    is_repo = F.size(F.split("subject", "/")) >= 3  # store.metrics.is_repo_key
    try:
        for name, chosen in (("repo_metrics", is_repo), ("developer_metrics", ~is_repo)):
            finished.where(chosen).write.mode("overwrite").parquet(join_uri(uri, name))
        counts = finished.agg(
            F.count(F.lit(1)).alias("rows"),
            F.count_distinct(F.when(is_repo, F.col("subject"))).alias("repos"),
            F.count_distinct(F.when(~is_repo, F.col("subject"))).alias("developers"),
        ).first()
    except Exception as error:  # Spark's write errors (a bad scheme, no permission) vary
        text = str(error).strip()
        first = text.splitlines()[0] if text else type(error).__name__
        raise AnalysisError(f"{uri}: cannot write the metric tables: {first}") from None
    finally:
        finished.unpersist()
    if counts is None:
        return 0, 0, 0
    return int(counts["repos"]), int(counts["developers"]), int(counts["rows"])


_RESULT_DDL = "subject string, metric string, period string, value double, detail string"


def _finish_partition(since: str | None, rows: Iterator[Any]) -> Iterator[tuple[Any, ...]]:
    """``finish_rows`` over one partition (on an executor)."""
    batch = [tuple(row) for row in rows]
    if not batch:
        return
    table = pa.Table.from_pylist(
        [dict(zip(RESULT_SCHEMA.names, row, strict=True)) for row in batch], schema=RESULT_SCHEMA
    )
    finished = finish_rows(table, since)
    yield from zip(
        *(finished.column(name).to_pylist() for name in RESULT_SCHEMA.names), strict=True
    )


def run_metrics(
    store: Store,
    root: str | Path,
    *,
    engine: str,
    since: str | None,
    as_of: datetime,
    output_uri: str | None = None,
) -> tuple[ComputeReport, pa.Table | None]:
    """Compute and store (or, with ``output_uri``, write Parquet: see the module docstring);
    returns the report and the stored table (None when written to ``output_uri``)."""
    since = check_month(since)
    if output_uri is not None and engine != "spark":
        raise UsageError("--output-uri needs --engine spark (DuckDB writes to the store)")
    started = time.perf_counter()
    runner = open_engine(engine)
    try:
        if isinstance(runner, SparkEngine):
            # Spark reads the listed files by URI, wherever they are: no local pin; the
            # writers' grace period keeps superseded files for readers elsewhere.
            inputs = _inputs(store, str(root), runner)
            if output_uri is not None:
                frame = metric_frame(runner, inputs, Context(since, as_of))
                counts = write_metric_frames(frame, output_uri, since)
                seconds = time.perf_counter() - started
                return ComputeReport(engine, *counts, seconds), None
            table = compute_metrics(runner, inputs, Context(since, as_of))
        else:
            # A pin taken first holds every later generation's files too, so the identities
            # read from the current files cannot lose them to a concurrent compaction either.
            with activity_snapshot(local_root(str(root))):
                inputs = _inputs(store, str(root), runner)
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
