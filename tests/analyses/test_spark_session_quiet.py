"""Spark started by ossmeta prints no ``[Stage …]`` console progress on stderr, so a metrics
run's stderr holds ossmeta's own lines, and remembers only a few finished jobs."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.xdist_group("spark")


def test_console_progress_is_off(spark: Any) -> None:
    # The test fixture sets the log level itself, so only the progress setting is checked.
    assert spark.conf.get("spark.ui.showConsoleProgress", None) == "false"


def test_finished_jobs_are_not_kept_without_bound(spark: Any) -> None:
    # The status store keeps finished jobs, stages and SQL executions (plans and metrics
    # included) even with the UI off; iterations run hundreds of jobs, so a long history
    # filled the heap. Run more jobs than the bound and count what is remembered.
    retained = int(spark.conf.get("spark.ui.retainedJobs"))
    executions = int(spark.conf.get("spark.sql.ui.retainedExecutions"))
    for value in range(retained + 15):
        assert spark.range(3).selectExpr(f"id + {value} AS v").count() == 3
    tracker = spark.sparkContext.statusTracker()
    remembered = tracker.getJobIdsForGroup(None)
    assert 0 < len(remembered) <= retained
    assert executions <= 10
