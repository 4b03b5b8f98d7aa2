"""Where metric SQL runs: DuckDB in-process by default, Apache Spark for data beyond one machine.

Why SQL in one dialect transpiled with SQLGlot rather than Ibis: the definitions stay plain SQL
that reads side by side with OpenDigger's ClickHouse queries (reference/opendigger.md), SQLGlot
is a small pure-Python dependency, and the few places where the two engines disagree in meaning
are fixed in one visible place (``_spark_fixes``) instead of inside an expression compiler.
Definitions are written in DuckDB's dialect; DuckDB runs them as written.

Both engines see the same named views: ``events``, ``commits``, ``tags`` (Parquet files, or
empty tables with the right schema) and whatever a caller registers from Arrow.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlparse

import pyarrow as pa
import sqlglot
from sqlglot import exp

from ossmeta.analyses.metrics.spark_files import manifest_files
from ossmeta.errors import AnalysisError, UsageError
from ossmeta.store.activity_files import ActivityFiles

__all__ = ["DuckDBEngine", "MetricEngine", "SparkEngine", "local_root", "to_spark_sql"]


class MetricEngine(Protocol):
    name: str

    def activity_files(self, root: str, dataset: str, since: str | None) -> list[str]:
        """The live files of an activity dataset under ``root`` (``since``: YYYY-MM)."""
        ...

    def register_parquet(self, view: str, files: Sequence[str], schema: pa.Schema) -> None: ...

    def register_arrow(self, view: str, table: pa.Table) -> None: ...

    def define_view(self, view: str, sql: str) -> None: ...

    def materialize(self, view: str, sql: str) -> None:
        """Like ``define_view``, but computed once and kept (for a view many queries join)."""
        ...

    def query(self, sql: str) -> pa.Table: ...

    def close(self) -> None: ...


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, threads: int | None = None) -> None:
        import duckdb

        self._connection = duckdb.connect()
        if threads:
            self._connection.execute(f"SET threads = {int(threads)}")
        self._connection.execute("SET TimeZone = 'UTC'")
        self._kept: list[pa.Table] = []

    def activity_files(self, root: str, dataset: str, since: str | None) -> list[str]:
        return ActivityFiles(local_root(root), dataset).files(since=since)

    def register_parquet(self, view: str, files: Sequence[str], schema: pa.Schema) -> None:
        if not files:
            self.register_arrow(view, schema.empty_table())
            return
        listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        self._connection.execute(
            f'CREATE OR REPLACE VIEW "{view}" AS SELECT * FROM read_parquet([{listed}])'
        )

    def register_arrow(self, view: str, table: pa.Table) -> None:
        self._kept.append(table)  # DuckDB scans the Arrow table lazily; keep it alive
        self._connection.register(view, table)

    def define_view(self, view: str, sql: str) -> None:
        self._run(f'CREATE OR REPLACE TEMP VIEW "{view}" AS {sql}')

    def materialize(self, view: str, sql: str) -> None:
        self._run(f'CREATE OR REPLACE TEMP TABLE "{view}" AS {sql}')

    def _run(self, sql: str) -> None:
        try:
            self._connection.execute(sql)
        except Exception as error:
            raise _failed("DuckDB", error) from None

    def query(self, sql: str) -> pa.Table:
        try:
            result: pa.Table = self._connection.sql(sql).to_arrow_table()
        except Exception as error:  # duckdb raises many error types; all are one-line here
            raise _failed("DuckDB", error) from None
        return result

    def close(self) -> None:
        self._connection.close()


class SparkEngine:
    name = "spark"

    def __init__(self, session: Any | None = None) -> None:
        if session is None:
            from ossmeta.analyses.spark_session import spark_session

            session = spark_session()
        self.session = session
        self._cached: list[Any] = []
        self._persisted_before = set(persisted_rdds(session))
        _same_python(session)

    def activity_files(self, root: str, dataset: str, since: str | None) -> list[str]:
        return manifest_files(self.session, root, dataset, since)

    def frame(self, sql: str) -> Any:
        """The query as a DataFrame, not run: for work that stays on the executors."""
        try:
            return self.session.sql(to_spark_sql(sql))
        except Exception as error:
            raise _failed("Spark", error) from None

    def register_frame(self, view: str, frame: Any) -> None:
        frame.createOrReplaceTempView(view)

    def register_parquet(self, view: str, files: Sequence[str], schema: pa.Schema) -> None:
        if not files:
            self.register_arrow(view, schema.empty_table())
            return
        self.session.read.parquet(*files).createOrReplaceTempView(view)

    def register_arrow(self, view: str, table: pa.Table) -> None:
        frame = self.session.createDataFrame(table) if table.num_rows else None
        if frame is None:
            from pyspark.sql.pandas.types import from_arrow_schema

            frame = self.session.createDataFrame([], from_arrow_schema(table.schema))
        frame.createOrReplaceTempView(view)

    def define_view(self, view: str, sql: str) -> None:
        try:
            self.session.sql(to_spark_sql(sql)).createOrReplaceTempView(view)
        except Exception as error:
            raise _failed("Spark", error) from None

    def materialize(self, view: str, sql: str) -> None:
        try:
            frame = self.session.sql(to_spark_sql(sql)).cache()
            frame.count()  # compute it now, once, rather than inside the first query that joins it
        except Exception as error:
            raise _failed("Spark", error) from None
        self._cached.append(frame)
        frame.createOrReplaceTempView(view)

    def query(self, sql: str) -> pa.Table:
        spark_sql = to_spark_sql(sql)
        try:
            result: pa.Table = self.session.sql(spark_sql).toArrow()
        except Exception as error:
            raise _failed("Spark", error) from None
        return result

    def close(self) -> None:
        """The session is shared (tests, the CLI's single run); whoever made it stops it. What
        this engine cached or checkpointed is released: a session that serves many runs
        would otherwise fill its memory with the blocks of finished ones."""
        for frame in self._cached:
            frame.unpersist()
        self._cached.clear()
        release_rdds(self.session, keep=self._persisted_before)


def persisted_rdds(session: Any) -> dict[int, Any]:
    """The session's persisted RDDs (cached frames, local checkpoints) by id."""
    return {int(k): v for k, v in session.sparkContext._jsc.getPersistentRDDs().items()}


def release_rdds(session: Any, keep: set[int] | frozenset[int] = frozenset()) -> None:
    """Unpersist every persisted RDD of the session but those in ``keep``."""
    for rdd_id, rdd in persisted_rdds(session).items():
        if rdd_id not in keep:
            rdd.unpersist(False)


def _same_python(session: Any) -> None:
    """Python code that runs on the executors (the identity rules, community OpenRank) needs
    an interpreter with ossmeta's dependencies. Unless ``PYSPARK_PYTHON`` names one (what a
    cluster configures), use the driver's own: in local mode the workers run beside it."""
    if not os.environ.get("PYSPARK_PYTHON"):
        session.sparkContext.pythonExec = sys.executable


def local_root(root: str) -> Path:
    """A local directory from a path or a ``file://`` URI; other schemes are for Spark."""
    parsed = urlparse(root)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme and len(parsed.scheme) > 1:  # one letter is a Windows drive
        raise UsageError(f"{root}: DuckDB reads local folders; use --engine spark for URIs")
    return Path(root)


def to_spark_sql(sql: str) -> str:
    """DuckDB-dialect SQL as Spark SQL."""
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as error:
        raise AnalysisError(f"metric SQL does not parse: {_first_line(error)}") from None
    return tree.transform(_spark_fixes).sql(dialect="spark")


def _spark_fixes(node: exp.Expression) -> exp.Expression:
    """Where SQLGlot's translation would change the meaning on Spark.

    - ``quantile_cont(x, q)``: Spark's ``percentile(x, q)`` is the same linear interpolation
      (numpy's "linear", ClickHouse's interpolated quantile up to 8192 values).
    - ``WITH x AS MATERIALIZED (...)``: a hint to DuckDB to compute a CTE used many times
      once; Spark has no such syntax (it plans the CTE where it is used), so it is dropped.
    """
    if isinstance(node, exp.CTE) and node.args.get("materialized") is not None:
        node.set("materialized", None)
        return node
    if isinstance(node, (exp.PercentileCont, exp.Quantile)):
        this = node.this
        fraction = node.args.get("quantile") or node.expression
        return exp.Anonymous(this="percentile", expressions=[this, fraction])
    return node


def _failed(engine: str, error: BaseException) -> AnalysisError:
    return AnalysisError(f"{engine} could not run a metric query: {_first_line(error)}")


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
