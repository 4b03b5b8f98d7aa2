"""The git-health metrics give the same table on Spark as on DuckDB, from the same Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ossmeta.analyses.metrics.engine import DuckDBEngine, SparkEngine
from tests.analyses.metrics.test_git_health import compute, everything, series, write_inputs

pytestmark = pytest.mark.xdist_group("spark")


def test_spark_and_duckdb_compute_the_same_git_health_table(tmp_path: Path, spark: Any) -> None:
    inputs = write_inputs(tmp_path, everything())
    duckdb = DuckDBEngine(threads=1)
    try:
        expected = compute(duckdb, inputs, since="2023-06")
    finally:
        duckdb.close()
    actual = compute(SparkEngine(spark), inputs, since="2023-06")

    # the table is not trivially equal: every kind of result is in it
    assert expected.num_rows > 100
    assert series(expected, "github.com/acme/tool", "release_interval_days")["2024Q1"] == 40
    assert series(expected, "github.com/b/year-out", "maintenance_status")["2024-06"] == "inactive"
    assert actual.schema == expected.schema
    assert actual.to_pylist() == expected.to_pylist()
