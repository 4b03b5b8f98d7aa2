"""Response time and resolution duration on hand-made streams (DuckDB)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from ossmeta.analyses.metrics import opendigger_durations
from ossmeta.analyses.metrics.engine import DuckDBEngine

from .streams import Dev, Repo, Stream, compute, metric, write_events

R = Repo(1, "acme/widget")
A, B, C = Dev(10, "ann"), Dev(11, "bo"), Dev(12, "cy")
BOT, HELPER = Dev(30, "ci[bot]"), Dev(31, "helper")  # helper: on the bot list


def _stream() -> Stream:
    s = Stream()
    # -- issue response time
    # #1: 23:59 → 00:01 the next day is 1 day (a calendar boundary), though 2 minutes passed.
    s.issue("opened", "2024-01-31 23:59", R, A, 1)
    s.comment("2024-02-01 00:01", R, B, 1, author=A)
    # #2: the author's own comment and bot comments are no response; bo's close on the 14th
    # is: 4 days.
    s.issue("opened", "2024-01-10 10:00", R, A, 2)
    s.comment("2024-01-11 10:00", R, A, 2, author=A)
    s.comment("2024-01-12 10:00", R, BOT, 2, author=A)
    s.comment("2024-01-12 11:00", R, HELPER, 2, author=A)
    s.issue("closed", "2024-01-14 09:00", R, B, 2, author=A)
    # #3: never answered: 15 days.
    s.issue("opened", "2024-01-20 10:00", R, A, 3)
    # #4: answered after 7 days.
    s.issue("opened", "2024-01-05 08:00", R, C, 4)
    s.comment("2024-01-12 07:00", R, A, 4, author=C)
    # #5: answered the same day: 0 days (in February).
    s.issue("opened", "2024-02-03 08:00", R, C, 5)
    s.comment("2024-02-03 20:00", R, B, 5, author=C)
    # #6: opened with comments already (a transferred issue): not measured.
    s.issue("opened", "2024-01-15 08:00", R, C, 6, comments=2)
    s.comment("2024-01-25 08:00", R, B, 6, author=C)
    # #7: answered after 24 days: the 15-day cap is for unanswered items only.
    s.issue("opened", "2024-03-01 10:00", R, A, 7)
    s.comment("2024-03-25 10:00", R, B, 7, author=A)
    # -- change request response time
    # PR #10: bo's review the next day: 1. PR #11: ann's own review comment is no response,
    # her close is: 5. PR #12: only a bot's conversation comment: 15.
    s.pull("opened", "2024-01-08 10:00", R, A, 10)
    s.review("2024-01-09 09:00", R, B, 10, author=A)
    s.pull("closed", "2024-01-10 12:00", R, B, 10, author=A, merged=True)
    s.pull("opened", "2024-01-15 10:00", R, A, 11)
    s.review_comment("2024-01-16 10:00", R, A, 11, author=A)
    s.pull("closed", "2024-01-20 10:00", R, A, 11, merged=False)
    s.pull("opened", "2024-01-25 12:00", R, C, 12)
    s.comment("2024-01-26 12:00", R, BOT, 12, author=C, on_pull=True)
    return s


def _resolution_stream() -> Stream:
    s = Stream()
    s.star("2024-01-01 00:00", R, C)  # the data start in January 2024
    # #1: 1 day (calendar boundary again).
    s.issue("opened", "2024-01-31 23:59", R, A, 1)
    s.issue("closed", "2024-02-01 00:01", R, B, 1, author=A)
    # #2: closed, reopened, closed again: from opening to the last close, 18 days.
    s.issue("opened", "2024-01-02 10:00", R, A, 2)
    s.issue("closed", "2024-01-05 10:00", R, B, 2, author=A)
    s.issue("reopened", "2024-01-06 10:00", R, A, 2)
    s.issue("closed", "2024-01-20 10:00", R, B, 2, author=A)
    # #3: reopened last: not resolved.
    s.issue("opened", "2024-01-10 10:00", R, A, 3)
    s.issue("closed", "2024-01-11 10:00", R, B, 3, author=A)
    s.issue("reopened", "2024-01-12 10:00", R, A, 3)
    # #4: opened in December 2023, before the data: left out.
    s.issue("closed", "2024-01-03 10:00", R, B, 4, author=A, created="2023-12-20 10:00")
    # #5: closed within the hour: 0 days.
    s.issue("opened", "2024-02-10 10:00", R, A, 5)
    s.issue("closed", "2024-02-10 11:00", R, B, 5, author=A)
    # PRs: #10 merged after 2 days, #11 closed unmerged after 5 (both are resolutions).
    s.pull("opened", "2024-01-08 10:00", R, A, 10)
    s.pull("closed", "2024-01-10 10:00", R, B, 10, author=A, merged=True)
    s.pull("opened", "2024-01-15 10:00", R, A, 11)
    s.pull("closed", "2024-01-20 10:00", R, A, 11, merged=False)
    return s


@pytest.fixture(scope="module")
def responses(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    root = write_events(Path(tmp_path_factory.mktemp("responses")), _stream().table())
    chosen = [d for d in opendigger_durations.DEFINITIONS if d.name.endswith("response_time")]
    return compute(DuckDBEngine(), root, bots=("helper",), definitions=chosen)


@pytest.fixture(scope="module")
def resolutions(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    root = write_events(Path(tmp_path_factory.mktemp("resolutions")), _resolution_stream().table())
    chosen = [d for d in opendigger_durations.DEFINITIONS if d.name.endswith("duration")]
    return compute(DuckDBEngine(), root, definitions=chosen)


def parts(table: pa.Table, name: str, period: str) -> dict[str, object]:
    """avg, quantile_0..4 and levels of one period (absent parts left out)."""
    out: dict[str, object] = {}
    for part in ["avg", *(f"quantile_{i}" for i in range(5)), "levels"]:
        series = metric(table, f"{name}.{part}")
        if period in series:
            value = series[period]
            out[part] = json.loads(str(value)) if part == "levels" else value
    return out


def linear(values: list[float], q: float) -> float:
    """numpy's linear interpolation, which ClickHouse's quantile equals up to 8192 values."""
    return round(float(np.percentile(values, q * 100, method="linear")), 2)


def test_issue_response_time(responses: pa.Table) -> None:
    # January items by creation: #2 4 days, #3 15 (unanswered), #4 7, #1 1 (23:59 → 00:01).
    january = [1, 4, 7, 15]
    assert parts(responses, "issue_response_time", "2024-01") == {
        "avg": (1 + 4 + 7 + 15) / 4,  # 6.75
        "quantile_0": 1.0,
        "quantile_1": 1 + 0.75 * (4 - 1),  # position 0.75: 3.25
        "quantile_2": 4 + 0.5 * (7 - 4),  # position 1.5: 5.5
        "quantile_3": 7 + 0.25 * (15 - 7),  # position 2.25: 9.0
        "quantile_4": 15.0,
        "levels": [1, 2, 1, 0],  # ≤3: 1; ≤7: 4, 7; ≤15: 15; >15: none
    }
    assert [linear(january, q) for q in (0, 0.25, 0.5, 0.75, 1)] == [1, 3.25, 5.5, 9, 15]


def test_zero_durations_are_not_exported_but_levels_are(responses: pa.Table) -> None:
    # February: #5 answered the same day, 0 days: avg and quantiles are 0 and so absent.
    assert parts(responses, "issue_response_time", "2024-02") == {"levels": [1, 0, 0, 0]}


def test_unanswered_cap_applies_only_to_unanswered_items(responses: pa.Table) -> None:
    assert parts(responses, "issue_response_time", "2024-03") == {
        "avg": 24.0, "quantile_0": 24.0, "quantile_1": 24.0, "quantile_2": 24.0,
        "quantile_3": 24.0, "quantile_4": 24.0, "levels": [0, 0, 0, 1],
    }  # fmt: skip
    # The quarter: 0, 1, 4, 7, 15, 24.
    assert parts(responses, "issue_response_time", "2024Q1") == {
        "avg": round((0 + 1 + 4 + 7 + 15 + 24) / 6, 2),  # 8.5
        # quantile_0 is 0: absent
        "quantile_1": 1 + 0.25 * (4 - 1),  # position 1.25: 1.75
        "quantile_2": 4 + 0.5 * (7 - 4),  # position 2.5: 5.5
        "quantile_3": 7 + 0.75 * (15 - 7),  # position 3.75: 13.0
        "quantile_4": 24.0,
        "levels": [2, 2, 1, 1],
    }


def test_change_request_response_time(responses: pa.Table) -> None:
    # #10 1 day (review by bo), #11 5 (closed by its author; her review comment is none),
    # #12 15 (only a bot commented).
    assert parts(responses, "change_request_response_time", "2024-01") == {
        "avg": (1 + 5 + 15) / 3,  # 7.0
        "quantile_0": 1.0,
        "quantile_1": 1 + 0.5 * (5 - 1),  # 3.0
        "quantile_2": 5.0,
        "quantile_3": 5 + 0.5 * (15 - 5),  # 10.0
        "quantile_4": 15.0,
        "levels": [1, 1, 1, 0],
    }


def test_issue_resolution_duration(resolutions: pa.Table) -> None:
    # January (by opening): #1 1 day, #2 18 days; #3 was reopened last; #4 opened before
    # the data. February: #5, 0 days.
    assert parts(resolutions, "issue_resolution_duration", "2024-01") == {
        "avg": (1 + 18) / 2,  # 9.5
        "quantile_0": 1.0,
        "quantile_1": 1 + 0.25 * (18 - 1),  # 5.25
        "quantile_2": 1 + 0.5 * (18 - 1),  # 9.5
        "quantile_3": 1 + 0.75 * (18 - 1),  # 13.75
        "quantile_4": 18.0,
        "levels": [1, 0, 0, 1],
    }
    assert parts(resolutions, "issue_resolution_duration", "2024-02") == {"levels": [1, 0, 0, 0]}
    assert parts(resolutions, "issue_resolution_duration", "2024Q1") == {
        "avg": round((0 + 1 + 18) / 3, 2),  # 6.33
        "quantile_1": 0 + 0.5 * (1 - 0),  # 0.5
        "quantile_2": 1.0,
        "quantile_3": 1 + 0.5 * (18 - 1),  # 9.5
        "quantile_4": 18.0,
        "levels": [2, 0, 0, 1],
    }
    assert set(metric(resolutions, "issue_resolution_duration.levels")) == {
        "2024-01", "2024-02", "2024Q1", "2024",
    }  # fmt: skip


def test_change_request_resolution_duration(resolutions: pa.Table) -> None:
    assert parts(resolutions, "change_request_resolution_duration", "2024-01") == {
        "avg": (2 + 5) / 2,  # 3.5
        "quantile_0": 2.0,
        "quantile_1": 2 + 0.25 * 3,  # 2.75
        "quantile_2": 2 + 0.5 * 3,  # 3.5
        "quantile_3": 2 + 0.75 * 3,  # 4.25
        "quantile_4": 5.0,
        "levels": [1, 1, 0, 0],
    }


def _single_definition(tmp_path: Path, stream: Stream, name: str) -> pa.Table:
    root = write_events(tmp_path, stream.table())
    chosen = [d for d in opendigger_durations.DEFINITIONS if d.name == name]
    return compute(DuckDBEngine(), root, definitions=chosen)


def test_days_count_calendar_boundaries_not_elapsed_time(tmp_path: Path) -> None:
    s = Stream()
    # 2 minutes across midnight: 1 day. Almost 24 hours within one day: 0 days.
    s.issue("opened", "2024-04-30 23:59", R, A, 1)
    s.comment("2024-05-01 00:01", R, B, 1, author=A)
    s.issue("opened", "2024-04-10 00:01", R, A, 2)
    s.comment("2024-04-10 23:59", R, B, 2, author=A)
    table = _single_definition(tmp_path, s, "issue_response_time")
    assert parts(table, "issue_response_time", "2024-04") == {
        "avg": (1 + 0) / 2,
        "quantile_1": 0 + 0.25 * (1 - 0),  # quantile_0 is 0: not exported
        "quantile_2": 0.5,
        "quantile_3": 0.75,
        "quantile_4": 1.0,
        "levels": [2, 0, 0, 0],
    }


def test_unanswered_items_count_as_fifteen_days(tmp_path: Path) -> None:
    # Opened on the last day of the data and never answered: 15 days all the same, even
    # though less than a day of data follows.
    s = Stream()
    s.pull("opened", "2024-06-30 20:00", R, A, 1)
    s.comment("2024-06-30 21:00", R, A, 1, author=A, on_pull=True)  # the author's own
    table = _single_definition(tmp_path, s, "change_request_response_time")
    assert parts(table, "change_request_response_time", "2024-06") == {
        "avg": 15.0, "quantile_0": 15.0, "quantile_1": 15.0, "quantile_2": 15.0,
        "quantile_3": 15.0, "quantile_4": 15.0, "levels": [0, 0, 1, 0],
    }  # fmt: skip
