"""What a metric definition is, what it returns, and the periods it is computed for.

A definition is a function from a ``Context`` to one SQL query in DuckDB's dialect (see
``engine``). Every query returns the same five columns, so the results of all definitions
concatenate into one metrics table:

    subject  string   repo key ``github.com/owner/name`` or developer key ``github.com/login``
    metric   string   OpenDigger's name; a part of a composite metric after a dot
                      (``issue_response_time.avg``, ``issue_response_time.levels``)
    period   string   ``2024-01`` | ``2024Q1`` | ``2024``
    value    double   the number (NULL when the metric is a list or a word, see ``detail``)
    detail   string   JSON for list- or word-valued parts (levels, details, a status), else NULL

Rounding (two decimals) and zero suppression (OpenDigger drops values equal to 0) are applied
once, after the query, by ``compute``; queries return raw values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

import pyarrow as pa

__all__ = [
    "PERIODS",
    "RESULT_SCHEMA",
    "Context",
    "Definition",
    "Period",
]

RESULT_SCHEMA: Final = pa.schema(
    [
        pa.field("subject", pa.string()),
        pa.field("metric", pa.string()),
        pa.field("period", pa.string()),
        pa.field("value", pa.float64()),
        pa.field("detail", pa.string()),
    ]
)


@dataclass(frozen=True)
class Period:
    """A calendar grain, as OpenDigger's ``groupTimeRange``: month, quarter or year (UTC)."""

    name: Literal["month", "quarter", "year"]

    def label(self, column: str) -> str:
        """SQL giving the period key of a timestamp column: ``2024-01``, ``2024Q1``, ``2024``."""
        if self.name == "month":
            return f"strftime({column}, '%Y-%m')"
        if self.name == "quarter":
            return f"(strftime({column}, '%Y') || 'Q' || CAST(quarter({column}) AS VARCHAR))"
        return f"strftime({column}, '%Y')"

    def start(self, column: str) -> str:
        """SQL giving the first instant of the period containing a timestamp column."""
        return f"date_trunc('{self.name}', {column})"

    def end(self, column: str) -> str:
        """SQL giving the first instant after the period containing a timestamp column."""
        months = {"month": 1, "quarter": 3, "year": 12}[self.name]
        return f"(date_trunc('{self.name}', {column}) + INTERVAL {months} MONTH)"


PERIODS: Final[tuple[Period, ...]] = (Period("month"), Period("quarter"), Period("year"))


@dataclass(frozen=True)
class Context:
    """What every definition may depend on besides the data.

    ``since`` (``YYYY-MM``) limits which periods are written; definitions that need earlier
    history (new contributors' first time, inactive contributors' window) read the
    ``events_all`` view, the rest read ``events`` (from the start of ``since``'s year).
    ``as_of`` is the instant "now" for time-since metrics and maintenance status.
    """

    since: str | None
    as_of: datetime


@dataclass(frozen=True)
class Definition:
    """One metric query. ``periods`` are the grains it is computed for."""

    name: str
    subject: Literal["repo", "developer"]
    build: Callable[[Context, Period], str]
    periods: tuple[Period, ...] = PERIODS
