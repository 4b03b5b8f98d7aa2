"""Spark started by ossmeta prints no ``[Stage …]`` console progress on stderr, so a metrics
run's stderr holds ossmeta's own lines."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.xdist_group("spark")


def test_console_progress_is_off(spark: Any) -> None:
    # The test fixture sets the log level itself, so only the progress setting is checked.
    assert spark.conf.get("spark.ui.showConsoleProgress", None) == "false"
