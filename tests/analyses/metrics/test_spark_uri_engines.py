"""``metrics compute --engine spark`` from input URI to output URI: the activity data read
through Spark from a ``file://`` URI (only the files the manifest lists, extra manifest keys
tolerated), identities built on Spark, the metric tables written as Parquet by the executors;
the rows equal what DuckDB stores from the same data."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ossmeta.analyses.metrics.run import run_metrics
from ossmeta.errors import AnalysisError, UsageError
from ossmeta.store import Store
from ossmeta.store.identities import IdentityOverrides

from . import test_opendigger_counts, test_opendigger_openrank
from .streams import write_events

pytestmark = pytest.mark.xdist_group("spark")

AS_OF = datetime(2024, 7, 1, tzinfo=UTC)


def _seed(root: Path) -> None:
    streams = [test_opendigger_openrank._stream(), test_opendigger_counts._stream()]
    tables = [stream.table() for stream in streams]
    for index, table in enumerate(tables):  # distinct event keys across the streams
        keys = [f"s{index}:{key}" for key in table["event_key"].to_pylist()]
        tables[index] = table.set_column(0, "event_key", pa.array(keys, pa.string()))
    write_events(root, pa.concat_tables(tables))
    events = root / "events"
    # A superseded file a writer has not deleted yet: not in the manifest, never read.
    month = next(events.glob("month=*"))
    pq.write_table(pq.read_table(next(month.glob("*.parquet"))), month / "stale.parquet")
    manifest = json.loads((events / "manifest.json").read_text())
    manifest["generation"] = 7  # a key this reader does not know
    (events / "manifest.json").write_text(json.dumps(manifest))


def _sorted(table: pa.Table) -> pa.Table:
    order = [(c, "ascending") for c in ("subject", "metric", "period")]
    return table.select(["subject", "metric", "period", "value", "detail"]).sort_by(order)


def test_spark_reads_and_writes_uris_and_agrees_with_duckdb(
    one_store: Store, tmp_path: Path, spark: Any
) -> None:
    store = one_store
    root = tmp_path / "activity"
    _seed(root)
    # a curated bot: both identity tables apply it
    IdentityOverrides(store).add("bot", "login:bo", reason="test", author="t")
    _, stored = run_metrics(store, root, engine="duckdb", since=None, as_of=AS_OF)
    assert stored is not None and stored.num_rows > 50
    out = tmp_path / "out"
    report, kept = run_metrics(
        store,
        root.as_uri(),
        engine="spark",
        since=None,
        as_of=AS_OF,
        output_uri=out.as_uri(),
    )
    assert kept is None
    written = pa.concat_tables(
        [pq.read_table(out / name) for name in ("repo_metrics", "developer_metrics")]
    )
    assert _sorted(written).equals(_sorted(stored))
    assert report.rows == stored.num_rows and report.repos > 0 and report.developers > 0
    assert all(
        s.count("/") >= 2 for s in pq.read_table(out / "repo_metrics")["subject"].to_pylist()
    )


def test_a_missing_manifest_is_an_empty_dataset_and_a_broken_one_is_named(
    tmp_path: Path, spark: Any
) -> None:
    from ossmeta.analyses.metrics.engine import SparkEngine

    engine = SparkEngine(spark)
    assert engine.activity_files((tmp_path / "none").as_uri(), "events", None) == []
    (tmp_path / "events").mkdir()
    (tmp_path / "events" / "manifest.json").write_text("{not json")
    with pytest.raises(AnalysisError, match=r"events/manifest.json: the activity manifest"):
        engine.activity_files(str(tmp_path), "events", None)


def test_output_uri_needs_spark_and_duckdb_needs_a_folder(store: Store, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--output-uri needs --engine spark"):
        run_metrics(store, tmp_path, engine="duckdb", since=None, as_of=AS_OF, output_uri="x")
    with pytest.raises(UsageError, match="use --engine spark for URIs"):
        run_metrics(store, "s3a://bucket/activity", engine="duckdb", since=None, as_of=AS_OF)
