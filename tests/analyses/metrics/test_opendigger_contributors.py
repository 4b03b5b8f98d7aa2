"""Contributors, new contributors and inactive contributors on a hand-made stream (DuckDB)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pytest

from ossmeta.analyses.metrics import opendigger_contributors
from ossmeta.analyses.metrics.engine import DuckDBEngine

from .streams import Dev, Repo, Stream, compute, metric, write_events

R = Repo(1, "acme/widget")
A, B, C = Dev(10, "ann"), Dev(11, "bo"), Dev(12, "cy")
M = Dev(19, "maintainer")
RENOVATE, HELPER = Dev(30, "renovate[bot]"), Dev(31, "helper")  # helper: on the bot list


def _stream() -> Stream:
    s = Stream()
    merges = [
        ("2023-11-10 10:00", A),
        ("2024-01-15 10:00", B),
        ("2024-01-20 10:00", A),
        ("2024-01-22 10:00", RENOVATE),
        ("2024-01-23 10:00", HELPER),
        ("2024-02-01 00:00", B),  # the first instant of February
        ("2024-09-01 00:00", A),  # the first instant of September
    ]
    for number, (when, author) in enumerate(merges, start=1):
        s.pull("closed", when, R, M, number, author=author, merged=True)
    s.pull("closed", "2024-01-25 10:00", R, C, 20, merged=False)  # closed unmerged: no one's
    return s


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_events(Path(tmp_path_factory.mktemp("contributors")), _stream().table())


@pytest.fixture(scope="module")
def table(root: Path) -> pa.Table:
    return compute(
        DuckDBEngine(),
        root,
        bots=("helper",),
        definitions=opendigger_contributors.DEFINITIONS,
        as_of=datetime(2030, 1, 1),
    )


def test_contributors_are_distinct_merged_authors_without_bots(table: pa.Table) -> None:
    # January: bo and ann merged (renovate[bot] by its name, helper by the bot list, and cy's
    # unmerged PR do not count). The maintainer who merged is nobody's contributor.
    assert metric(table, "contributors") == {
        "2023-11": 1, "2023Q4": 1, "2023": 1,
        "2024-01": 2, "2024-02": 1, "2024-09": 1, "2024Q1": 2, "2024Q3": 1, "2024": 2,
    }  # fmt: skip
    details = metric(table, "contributors_detail")
    assert json.loads(str(details["2024-01"])) == ["ann", "bo"]
    assert json.loads(str(details["2024Q1"])) == ["ann", "bo"]
    assert json.loads(str(details["2024-02"])) == ["bo"]


def test_new_contributors_count_the_first_merge_over_all_history(table: pa.Table) -> None:
    # ann's first merge is in 2023-11, bo's in 2024-01; ann's 2024 merges make her no newcomer.
    assert metric(table, "new_contributors") == {
        "2023-11": 1, "2023Q4": 1, "2023": 1, "2024-01": 1, "2024Q1": 1, "2024": 1,
    }  # fmt: skip
    details = metric(table, "new_contributors_detail")
    assert json.loads(str(details["2023-11"])) == ["ann"]
    assert json.loads(str(details["2024"])) == ["bo"]


def test_new_contributors_read_history_before_since(root: Path) -> None:
    # With --since 2024-01 the events view starts in 2024, but ann's 2023 merge still makes
    # her no newcomer in 2024; the 2023 periods themselves are not written.
    table = compute(
        DuckDBEngine(), root, bots=("helper",), since="2024-01",
        definitions=opendigger_contributors.DEFINITIONS,
    )  # fmt: skip
    assert metric(table, "new_contributors") == {"2024-01": 1, "2024Q1": 1, "2024": 1}
    assert json.loads(str(metric(table, "new_contributors_detail")["2024-01"])) == ["bo"]


def test_inactive_contributors_at_each_period_end(table: pa.Table) -> None:
    # At the end T of a month: authors with a first merge before T and none in
    # [T - 6 months, T], both ends included.
    #   July, T = 2024-08-01: window from 2024-02-01 00:00 — bo's merge at that very instant
    #     counts, ann's last (2024-01-20) does not: 1 (ann).
    #   August, T = 2024-09-01: window from 2024-03-01 to 2024-09-01 00:00 — ann's merge at T
    #     counts, bo has none: 1 (bo).
    #   September, T = 2024-10-01: ann active (09-01), bo not: 1.
    #   Quarters: 2024Q2 (T = 07-01) has both active; 2024Q3 (T = 2024-10-01): bo only, 1.
    #   The data end in September, so nothing after it; 2024 (T = 2025-01-01) is not over.
    # Earlier months: everyone merged within 6 months: 0, not written.
    assert metric(table, "inactive_contributors") == {
        "2024-07": 1, "2024-08": 1, "2024-09": 1, "2024Q3": 1,
    }  # fmt: skip


def test_inactive_contributors_stop_before_the_current_month(root: Path) -> None:
    # as_of in mid-September 2024: September has not ended, so it has no value, and neither
    # has the third quarter.
    table = compute(
        DuckDBEngine(), root, bots=("helper",), as_of=datetime(2024, 9, 15, 8, 0),
        definitions=opendigger_contributors.DEFINITIONS,
    )  # fmt: skip
    assert metric(table, "inactive_contributors") == {"2024-07": 1, "2024-08": 1}
