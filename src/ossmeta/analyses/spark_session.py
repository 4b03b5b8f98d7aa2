"""The one way ossmeta starts Spark: local mode unless ``OSSMETA_SPARK_MASTER`` says where a
cluster is, UTC session time (every stored time is UTC, and period boundaries must not move
with the JVM's zone), no web UI, few shuffle partitions for one machine, and quiet: no
``[Stage …]`` progress lines or INFO/WARN logging on stderr, which belongs to ossmeta's
own one-line messages."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ossmeta.errors import UnavailableError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["spark_session"]


def spark_session(app_name: str = "ossmeta") -> SparkSession:
    """A running Spark session (reused if one is active). Raises UnavailableError (exit 4:
    the machine lacks something, the input is fine), one line, when PySpark or a Java
    runtime is missing."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise UnavailableError(
            "--engine spark needs PySpark: install ossmeta with the 'spark' extra"
        ) from None
    master = os.environ.get("OSSMETA_SPARK_MASTER", "local[*]")
    partitions = os.environ.get("OSSMETA_SPARK_PARTITIONS", "8")
    try:
        session = (
            SparkSession.builder.master(master)
            .appName(app_name)
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", partitions)
            .config("spark.driver.memory", os.environ.get("OSSMETA_SPARK_MEMORY", "2g"))
            .config("spark.sql.parquet.inferTimestampNTZ.enabled", "true")
            # Blocks of frames nobody references (superseded checkpoints of the iterations)
            # are freed when the JVM collects them: do that often, not every 30 minutes.
            .config("spark.cleaner.periodicGC.interval", "1min")
            # The status store keeps every finished job, stage and SQL execution (with its
            # plan graph and metrics) up to 1,000 each, even with the UI off: the iterations
            # run hundreds of small jobs, and that history filled the 2 GB heap and left
            # the JVM collecting garbage most of the time. Keep a few.
            .config("spark.ui.retainedJobs", "20")
            .config("spark.ui.retainedStages", "20")
            .config("spark.ui.retainedTasks", "1000")
            .config("spark.sql.ui.retainedExecutions", "5")
            .config("spark.ui.dagGraph.retainedRootRDDs", "20")
            .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
            .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        return session
    except Exception as error:  # the JVM failing to start surfaces as many exception types
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise UnavailableError(f"cannot start Spark ({master}): {first}") from None
