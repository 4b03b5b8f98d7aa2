"""Metrics benchmark: N generated events (default 10 million) → every monthly OpenDigger
metric, on DuckDB and on Spark, side by side in one run.

The events are generated directly as Parquet by a vectorised numpy generator (no JSON):
heavy-tailed repositories and actors (Pareto ranks), GH Archive's type mix with realistic
actions (issues opened/closed/reopened, PRs opened/closed with 70% of closes merged,
comments, reviews, review comments, pushes, stars, forks, ...), issue and PR numbers that
repeat within a repository so lifecycles and response times exist, a share of bot logins,
spread over several months; written with ActivityFiles, as an import would.

Per engine it prints the seconds to register the inputs (incl. the repos/developers views),
to run every SQL metric for the month grain (each metric's seconds too), the global OpenRank
step (all months; SciPy on DuckDB, Spark's solver on Spark), with ``--community`` the
community OpenRank step, the rows produced, and, as the floor from the same run, one scan of
all events grouped by repository and month on the same engine; with ``--all-grains``, also
the SQL metrics for month, quarter and year together.

    .venv/bin/python bench/bench_metrics.py [--events 10000000] [--months 6]
        [--engines duckdb,spark] [--no-openrank] [--community] [--all-grains] [--keep DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import dump
from ossmeta.analyses.metrics import opendigger
from ossmeta.analyses.metrics.compute import ActivityInputs, finish, register_inputs
from ossmeta.analyses.metrics.engine import DuckDBEngine, MetricEngine, SparkEngine
from ossmeta.analyses.metrics.model import PERIODS, RESULT_SCHEMA, Context, Definition, Period
from ossmeta.analyses.metrics.opendigger_openrank import (
    community_openrank_step,
    global_openrank_step,
)
from ossmeta.store.activity_files import DATASETS, ActivityFiles

# GH Archive's mix, roughly (share of all events)
TYPES = {
    "PushEvent": 0.44,
    "CreateEvent": 0.10,
    "IssueCommentEvent": 0.10,
    "WatchEvent": 0.08,
    "PullRequestEvent": 0.08,
    "IssuesEvent": 0.04,
    "PullRequestReviewCommentEvent": 0.04,
    "PullRequestReviewEvent": 0.03,
    "DeleteEvent": 0.03,
    "ForkEvent": 0.02,
    "ReleaseEvent": 0.005,
    "GollumEvent": 0.015,
}
ISSUE_ACTIONS = (["opened", "closed", "reopened"], [0.5, 0.45, 0.05])
PULL_ACTIONS = (["opened", "closed", "reopened"], [0.5, 0.48, 0.02])
IDENTITY_SCHEMA = pa.schema(
    [("identity", pa.string()), ("person", pa.string()), ("display", pa.string()),
     ("is_bot", pa.bool_()), ("rules", pa.string())]
)  # fmt: skip
FACTS_SCHEMA = pa.schema(
    [("repo", pa.string()), ("archived", pa.bool_()), ("default_branch", pa.string())]
)


def heavy_tailed(rng: np.random.Generator, size: int, population: int, shape: float) -> np.ndarray:
    """Ranks 0..population-1 with a Pareto tail: rank 0 is the busiest."""
    ranks = np.floor(rng.pareto(shape, size) * population / 20).astype(np.int64)
    return np.minimum(ranks, population - 1)


def _text(prefix: str, ids: np.ndarray, suffix: str = "") -> pa.Array:
    text = pc.cast(pa.array(ids), pa.string())
    return pc.binary_join_element_wise(prefix, text, suffix, "")


def _masked(values: np.ndarray, keep: np.ndarray, kind: pa.DataType) -> pa.Array:
    return pa.array(values, type=kind, mask=~keep)


def generate_chunk(
    rng: np.random.Generator, first_id: int, size: int, start: datetime, months: int,
    repos: int, actors: int,
) -> pa.Table:  # fmt: skip
    ids = np.arange(first_id, first_id + size, dtype=np.int64)
    names = np.array(list(TYPES))
    kind_index = rng.choice(
        len(names), size, p=np.array(list(TYPES.values())) / sum(TYPES.values())
    )
    kinds = names[kind_index]
    span = int(
        (np.datetime64(_add_months(start, months)) - np.datetime64(start)) / np.timedelta64(1, "s")
    )
    created = np.datetime64(start, "s") + rng.integers(0, span, size).astype("timedelta64[s]")
    created_us = created.astype("datetime64[us]")
    repo = heavy_tailed(rng, size, repos, 1.1) + 1
    actor = heavy_tailed(rng, size, actors, 1.3) + 1

    is_issue = kinds == "IssuesEvent"
    is_pull = kinds == "PullRequestEvent"
    is_comment = kinds == "IssueCommentEvent"
    is_review_comment = kinds == "PullRequestReviewCommentEvent"
    is_review = kinds == "PullRequestReviewEvent"
    on_pull_object = is_pull | is_review_comment | is_review
    has_item = is_issue | is_comment | on_pull_object

    action = np.full(size, "", dtype=object)
    action[is_issue] = rng.choice(ISSUE_ACTIONS[0], int(is_issue.sum()), p=ISSUE_ACTIONS[1])
    action[is_pull] = rng.choice(PULL_ACTIONS[0], int(is_pull.sum()), p=PULL_ACTIONS[1])
    action[is_comment | is_review_comment | is_review] = "created"
    action[kinds == "WatchEvent"] = "started"
    action[kinds == "ReleaseEvent"] = "published"

    # Numbers repeat inside a repository (about one per ten of its events), so an issue is
    # opened, commented on and closed by different events; comments on PRs share the PR's.
    number = rng.integers(1, np.maximum(2, 2000 // np.sqrt(repo)).astype(np.int64) + 1)
    pull_item = on_pull_object | (is_comment & (rng.random(size) < 0.4))
    item_id = repo * 1_000_000 + number + np.where(pull_item, 500_000, 0)
    author = np.where(action == "opened", actor, heavy_tailed(rng, size, actors, 1.3) + 1)
    lag = rng.exponential(5 * 86400, size).astype("timedelta64[s]").astype("timedelta64[us]")
    opened_at = np.where(action == "opened", created_us, created_us - lag)
    merged = is_pull & (action == "closed") & (rng.random(size) < 0.7)
    bot = actor % 50 == 0  # 2% of the actors are apps
    lines = np.floor(rng.pareto(1.2, size) * 20).astype(np.int64)

    month_text = pc.strftime(pa.array(created_us), format="%Y-%m")
    table = {
        "event_key": _text("b:", ids),
        "event_id": _text("", ids),
        "source": pa.array(np.full(size, "gharchive", dtype=object), pa.string()),
        "source_rank": pa.array(np.ones(size, dtype=np.int32)),
        "platform": pa.array(np.full(size, "github.com", dtype=object), pa.string()),
        "type": pa.array(kinds, pa.string()),
        "action": pa.array(action, pa.string()),
        "created_at": pa.array(created_us),
        "month": month_text,
        "repo_id": pa.array(repo),
        "repo_name": pc.binary_join_element_wise(_text("org", repo // 7), _text("repo", repo), "/"),
        "actor_id": pa.array(actor),
        "actor_login": pc.if_else(
            pa.array(bot), _text("app", actor, "[bot]"), _text("user", actor)
        ),
        "issue_id": _masked(item_id, has_item, pa.int64()),
        "issue_number": _masked(number, has_item, pa.int64()),
        "issue_title": pa.array(np.where(has_item, "an issue", None), pa.string()),
        "issue_author_id": _masked(author, has_item, pa.int64()),
        "issue_author_login": pc.if_else(pa.array(has_item), _text("user", author), None),
        "issue_created_at": pa.array(opened_at, mask=~(is_issue | is_pull)),
        "issue_comments": _masked(np.zeros(size, np.int32), is_issue | is_pull, pa.int32()),
        "issue_is_pull": _masked(pull_item, has_item, pa.bool_()),
        "issue_comment_id": _masked(ids, is_comment, pa.int64()),
        "pull_merged": _masked(merged, is_pull, pa.bool_()),
        "pull_merged_at": pa.array(created_us, mask=~merged),
        "pull_additions": _masked(lines, is_pull, pa.int64()),
        "pull_deletions": _masked(lines // 3, is_pull, pa.int64()),
        "pull_review_id": _masked(ids, is_review, pa.int64()),
        "pull_review_comment_id": _masked(ids, is_review_comment, pa.int64()),
        "push_id": _masked(ids, kinds == "PushEvent", pa.int64()),
        "push_size": _masked(np.ones(size, np.int32), kinds == "PushEvent", pa.int32()),
        "trimmed": pa.array(np.zeros(size, dtype=bool)),
    }
    schema = DATASETS["events"].schema
    columns = [table.get(f.name, pa.nulls(size, f.type)) for f in schema]
    return pa.Table.from_arrays(columns, schema=schema)


def _add_months(start: datetime, months: int) -> datetime:
    total = start.month - 1 + months
    return start.replace(year=start.year + total // 12, month=total % 12 + 1)


def generate(root: Path, events: int, months: int, seed: int = 20240611) -> float:
    rng = np.random.default_rng(seed)
    files = ActivityFiles(root, "events")
    start = datetime(2024, 1, 1)
    repos, actors = max(100, events // 50), max(200, events // 20)
    began = time.perf_counter()
    chunk = 1_000_000
    for first in range(0, events, chunk):
        size = min(chunk, events - first)
        files.append(generate_chunk(rng, first, size, start, months, repos, actors))
    return time.perf_counter() - began


def monthly(definitions: list[Definition]) -> list[Definition]:
    return [dataclasses.replace(d, periods=(Period("month"),)) for d in definitions]


def run_engine(
    engine: MetricEngine, root: Path, *, openrank: bool, community: bool, all_grains: bool
) -> dict[str, object]:
    context = Context(since=None, as_of=datetime(2030, 1, 1))
    inputs = ActivityInputs(root, IDENTITY_SCHEMA.empty_table(), FACTS_SCHEMA.empty_table())
    figures: dict[str, object] = {}
    began = time.perf_counter()
    register_inputs(engine, inputs, context)
    figures["register_s"] = time.perf_counter() - began

    began = time.perf_counter()
    floor = engine.query("SELECT repo_id, month, count(*) AS n FROM events GROUP BY repo_id, month")
    figures["floor_s"] = time.perf_counter() - began
    figures["floor_rows"] = floor.num_rows

    per_metric: dict[str, float] = {}
    per_metric_cpu: dict[str, float] = {}
    parts = []
    began, began_cpu = time.perf_counter(), time.process_time()
    for definition in monthly(opendigger.DEFINITIONS):
        started, started_cpu = time.perf_counter(), time.process_time()
        parts.extend(
            engine.query(definition.build(context, period)).cast(RESULT_SCHEMA)
            for period in definition.periods
        )
        name = f"{definition.name} ({definition.subject})"
        per_metric[name] = time.perf_counter() - started
        # CPU of this process, every DuckDB thread included (Spark's JVM is not counted):
        # steadier than wall time on a shared machine.
        per_metric_cpu[name] = time.process_time() - started_cpu
    figures["sql_month_s"] = time.perf_counter() - began
    figures["sql_month_cpu_s"] = time.process_time() - began_cpu
    figures["per_metric_s"] = per_metric
    figures["per_metric_cpu_s"] = per_metric_cpu
    table = finish(pa.concat_tables(parts), None)
    figures["sql_month_rows"] = table.num_rows

    if openrank:
        began = time.perf_counter()
        ranked = finish(global_openrank_step(engine, context).cast(RESULT_SCHEMA), None)
        figures["openrank_s"] = time.perf_counter() - began
        figures["openrank_rows"] = ranked.num_rows
        months = pc.match_substring(ranked["period"], "-")
        figures["openrank_month_rows"] = int(pc.sum(months).as_py() or 0)
    if community:
        began = time.perf_counter()
        communities = finish(community_openrank_step(engine, context), None)
        figures["community_s"] = time.perf_counter() - began
        figures["community_rows"] = communities.num_rows
    if all_grains:
        began = time.perf_counter()
        rows = 0
        for definition in opendigger.DEFINITIONS:
            for period in PERIODS:
                rows += engine.query(definition.build(context, period)).num_rows
        figures["sql_all_grains_s"] = time.perf_counter() - began
        figures["sql_all_grains_raw_rows"] = rows
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--no-openrank", action="store_true", help="skip both OpenRank steps")
    parser.add_argument(
        "--community",
        action="store_true",
        help="also community OpenRank (one graph per repository and month: slow at scale)",
    )
    parser.add_argument("--all-grains", action="store_true")
    parser.add_argument("--keep", type=Path, help="generate into (or reuse) this directory")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]  # long runs, piped
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]

    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-metrics-"))
    try:
        if not ActivityFiles(root, "events").files():
            seconds = generate(root, args.events, args.months)
            print(f"generated {args.events:,} events over {args.months} months in {seconds:.1f} s")
        size = sum(Path(f).stat().st_size for f in ActivityFiles(root, "events").files())
        print(
            f"events: {len(ActivityFiles(root, 'events').files())} Parquet files, {size / 2**20:.0f} MiB"
        )
        results: dict[str, dict[str, object]] = {}
        for name in engines:
            if name == "spark":
                os.environ.setdefault("OSSMETA_SPARK_MEMORY", "6g")
                engine: MetricEngine = SparkEngine()
                engine.session.sparkContext.setLogLevel("ERROR")  # type: ignore[attr-defined]
            else:
                engine = DuckDBEngine()
            try:
                results[name] = run_engine(
                    engine,
                    root,
                    openrank=not args.no_openrank,
                    community=args.community and not args.no_openrank,
                    all_grains=args.all_grains,
                )
            finally:
                engine.close()
            print_engine(name, results[name])
        print_side_by_side(args.events, results)
        dump("metrics", {"events": args.events, "months": args.months, "engines": results})
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


def print_engine(name: str, figures: dict[str, object]) -> None:
    print(f"\n{name}: per metric, month grain (seconds: wall, CPU of this process)")
    cpu = dict(figures["per_metric_cpu_s"])  # type: ignore[call-overload]
    for metric, seconds in dict(figures["per_metric_s"]).items():  # type: ignore[call-overload]
        print(f"  {metric:<42} {seconds:8.2f} {cpu[metric]:8.2f}")


def print_side_by_side(events: int, results: dict[str, dict[str, object]]) -> None:
    names = list(results)
    rows = [
        ("register inputs (s)", "register_s"),
        ("floor: one scan, group by repo+month (s)", "floor_s"),
        ("every SQL metric, month grain (s)", "sql_month_s"),
        ("  CPU of this process (s)", "sql_month_cpu_s"),
        ("  rows produced", "sql_month_rows"),
        ("global OpenRank step, all months (s)", "openrank_s"),
        ("  rows produced (all grains)", "openrank_rows"),
        ("  of them monthly", "openrank_month_rows"),
        ("community OpenRank step, all months (s)", "community_s"),
        ("  rows produced", "community_rows"),
        ("SQL metrics, month+quarter+year (s)", "sql_all_grains_s"),
    ]
    print(f"\n{events:,} events" + "".join(f"{n:>14}" for n in names))
    for label, key in rows:
        if not any(key in results[n] for n in names):
            continue
        cells = []
        for n in names:
            value = results[n].get(key)
            cells.append(f"{value:>14.2f}" if isinstance(value, float) else f"{value!s:>14}")
        print(f"{label:<44}" + "".join(cells))
    for n in names:
        sql, floor = results[n]["sql_month_s"], results[n]["floor_s"]
        print(f"{n}: SQL metrics / floor = {float(sql) / float(floor):.1f}×")  # type: ignore[arg-type]
    if len(names) == 2:
        a, b = names
        ratio = float(results[b]["sql_month_s"]) / float(results[a]["sql_month_s"])  # type: ignore[arg-type]
        print(f"{b} / {a}, SQL metrics month grain: {ratio:.2f}×")
        if "openrank_s" in results[a] and "openrank_s" in results[b]:
            ratio = float(results[b]["openrank_s"]) / float(results[a]["openrank_s"])  # type: ignore[arg-type]
            print(f"{b} / {a}, OpenRank step: {ratio:.2f}×")


if __name__ == "__main__":
    main()
