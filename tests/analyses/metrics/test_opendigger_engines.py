"""DuckDB and Spark give identical OpenDigger metric tables (after compute's rounding) from
the same events: every hand-made stream of the other tests, edge cases where the engines'
SQL differs in meaning (ties, NULLs, renames, calendar days), and a seeded generated stream
over several months and repositories. OpenRank included (SciPy solver on DuckDB, Spark's on
Spark). One compute per engine, shared by the assertions."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from ossmeta.analyses.metrics.engine import DuckDBEngine, SparkEngine

from . import (
    test_opendigger_activity,
    test_opendigger_contributors,
    test_opendigger_counts,
    test_opendigger_durations,
    test_opendigger_openrank,
)
from .streams import Dev, Repo, Stream, compute, generated, write_events

pytestmark = pytest.mark.xdist_group("spark")

BOTS = ("helper",)


def _edge_cases() -> Stream:
    """Where DuckDB and Spark would disagree without engine.py's and opendigger_sql's care."""
    s = Stream()
    r, old = Repo(700, "edge/new-name"), Repo(700, "edge/old-name")
    a, b = Dev(7001, "eve"), Dev(7002, "fay")
    renamed = Dev(7001, "eve-renamed")
    # A rename at the very instant of an event under the old name: the greater name wins.
    s.push("2024-03-05 10:00:00", old, a)
    s.star("2024-03-05 10:00:00", r, b)
    # A login changing at one instant (as actor and as author).
    s.issue("opened", "2024-03-06 10:00:00", r, a, 1)
    s.comment("2024-03-06 10:00:00", r, renamed, 1, author=a)
    # Opened and closed in the same second; closed and reopened in the same second.
    s.pull("opened", "2024-03-07 09:00:00", r, b, 2)
    s.pull("closed", "2024-03-07 09:00:00", r, a, 2, author=b, merged=True)
    s.issue("opened", "2024-03-08 09:00:00", r, b, 3)
    s.issue("closed", "2024-03-09 23:59:59", r, a, 3, author=b)
    s.issue("reopened", "2024-03-09 23:59:59", r, b, 3)
    # A trimmed merge: merged unknown, merge time known; a trimmed issue without its author.
    s.pull("opened", "2024-03-10 10:00:00", r, a, 4)
    s.pull("closed", "2024-03-11 00:00:01", r, b, 4, author=a, merged=None)
    s.rows[-1]["pull_merged_at"] = s.rows[-1]["created_at"]
    s.issue("opened", "2024-03-12 23:59:00", r, a, 5)
    s.comment("2024-03-13 00:00:30", r, b, 5, author=a)
    s.rows[-1] |= {"issue_author_id": None, "issue_author_login": None, "trimmed": True}
    # A sub-second time and a NULL login.
    s.comment("2024-03-14 12:00:00.250000", r, b, 3, author=b)
    s.rows[-1]["actor_login"] = None
    return s


def _dataset() -> pa.Table:
    streams = [
        test_opendigger_counts._stream(),
        test_opendigger_activity._activity_stream(),
        test_opendigger_activity._bus_stream(),
        test_opendigger_contributors._stream(),
        test_opendigger_durations._stream(),
        test_opendigger_durations._resolution_stream(),
        test_opendigger_openrank._stream(),
        _edge_cases(),
        generated(seed=20240611, events=3000),
    ]
    tables = []
    for index, stream in enumerate(streams):
        table = stream.table()
        keys = pc.binary_join_element_wise(f"s{index}", table["event_key"], ":")
        tables.append(table.set_column(0, "event_key", keys))
    return pa.concat_tables(tables)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_events(Path(tmp_path_factory.mktemp("engines")), _dataset())


@pytest.fixture(scope="module")
def duckdb_table(root: Path) -> pa.Table:
    return compute(DuckDBEngine(), root, bots=BOTS, openrank=True)


@pytest.fixture(scope="module")
def spark_table(root: Path, shared_spark: Any) -> pa.Table:
    engine = SparkEngine(shared_spark)
    try:
        return compute(engine, root, bots=BOTS, openrank=True)
    finally:
        engine.close()


def test_both_engines_give_the_same_table(duckdb_table: pa.Table, spark_table: pa.Table) -> None:
    if not duckdb_table.equals(spark_table):
        differ = _rows(duckdb_table) ^ _rows(spark_table)
        pytest.fail(f"{len(differ)} rows differ, e.g. {sorted(differ, key=str)[:20]}")


def test_the_compared_table_has_every_metric(duckdb_table: pa.Table) -> None:
    metrics = Counter(m.split(".")[0] for m in duckdb_table["metric"].to_pylist())
    expected = {
        "activity", "attention", "bus_factor", "bus_factor_detail",
        "change_request_resolution_duration", "change_request_response_time",
        "change_requests", "change_requests_accepted", "change_requests_reviews",
        "code_change_lines_add", "code_change_lines_remove", "code_change_lines_sum",
        "community_openrank", "contributors", "contributors_detail",
        "inactive_contributors", "issue_comments", "issue_resolution_duration",
        "issue_response_time", "issues_and_change_request_active", "issues_closed",
        "issues_new", "new_contributors", "new_contributors_detail", "openrank",
        "participants", "stars", "technical_fork",
    }  # fmt: skip
    assert set(metrics) == expected
    assert all(count >= 10 for count in metrics.values()), metrics
    subjects = set(duckdb_table["subject"].to_pylist())
    assert "github.com/edge/new-name" in subjects and "github.com/edge/old-name" not in subjects
    assert "github.com/gen1/renamed" in subjects


def _rows(table: pa.Table) -> set[tuple[Any, ...]]:
    return {tuple(row.values()) for row in table.to_pylist()}
