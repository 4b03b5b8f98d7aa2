"""What compute does once for every engine: the --since window, rounding, zero suppression."""

from __future__ import annotations

import pyarrow as pa

from ossmeta.analyses.metrics.compute import finish
from ossmeta.analyses.metrics.model import RESULT_SCHEMA


def _table(rows: list[tuple[str, str, str, float | None, str | None]]) -> pa.Table:
    columns = list(zip(*rows, strict=True))
    return pa.table([pa.array(c) for c in columns], schema=RESULT_SCHEMA)


def test_values_round_half_away_from_zero_to_two_decimals() -> None:
    # 0.125 is exact in binary, so it is a true tie: ClickHouse's ROUND(x, 2) gives 0.13 and
    # -0.13 (half away from zero) where banker's rounding would give 0.12.
    rows = [
        ("r/o/n", "m", p, v, None)
        for p, v in [("2024-01", 0.125), ("2024-02", -0.125), ("2024-03", 12.3449)]
    ]
    table = finish(_table(rows), None)
    assert table["value"].to_pylist() == [0.13, -0.13, 12.34]


def test_zero_values_are_dropped_but_list_valued_parts_stay() -> None:
    rows = [
        ("r/o/n", "stars", "2024-01", 0.0, None),
        ("r/o/n", "stars", "2024-02", 0.004, None),  # rounds to 0.00, so it is a zero
        ("r/o/n", "stars", "2024-03", 2.0, None),
        ("r/o/n", "issue_response_time.levels", "2024-01", None, "[0, 1, 0, 0]"),
    ]
    table = finish(_table(rows), None)
    assert list(zip(table["metric"].to_pylist(), table["period"].to_pylist(), strict=True)) == [
        ("issue_response_time.levels", "2024-01"),
        ("stars", "2024-03"),
    ]


def test_since_keeps_later_months_and_the_quarters_and_years_that_end_after_it() -> None:
    periods = [
        "2023-12",
        "2024-01",
        "2024-02",
        "2024-03",
        "2023Q4",
        "2024Q1",
        "2024Q2",
        "2023",
        "2024",
    ]
    table = finish(_table([("r/o/n", "m", p, 1.0, None) for p in periods]), "2024-02")
    assert sorted(table["period"].to_pylist()) == ["2024", "2024-02", "2024-03", "2024Q1", "2024Q2"]
