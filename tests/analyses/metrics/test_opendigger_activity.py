"""Activity (repo and developer) and bus factor on hand-made streams (DuckDB)."""

from __future__ import annotations

import json
from math import ceil, sqrt
from pathlib import Path

import pyarrow as pa
import pytest

from ossmeta.analyses.metrics import opendigger_activity
from ossmeta.analyses.metrics.engine import DuckDBEngine

from .streams import Dev, Repo, Stream, compute, metric, write_events

IC, OI, OP, RC, MP = 0.5252, 2.2235, 4.0679, 0.7427, 2.0339  # indices.ts weights

R, S, T = Repo(1, "acme/widget"), Repo(2, "acme/gadget"), Repo(3, "acme/tool")
A, B = Dev(10, "ann"), Dev(11, "bo")


def r2(x: float) -> float:
    """ROUND(x, 2) as the export writes it (no value here is a tie)."""
    return round(x, 2)


# ------------------------------------------------------------------ activity


def _activity_stream() -> Stream:
    s = Stream()
    # January in acme/widget: ann opens issue #1 and PR #2; bo comments twice on #1, writes a
    # review comment on #2, and closes #1 (closing weighs nothing).
    s.issue("opened", "2024-01-03 10:00", R, A, 1)
    s.pull("opened", "2024-01-04 10:00", R, A, 2)
    s.comment("2024-01-05 10:00", R, B, 1, author=A)
    s.comment("2024-01-06 10:00", R, B, 1, author=A)
    s.review_comment("2024-01-07 10:00", R, B, 2, author=A)
    s.issue("closed", "2024-01-08 10:00", R, B, 1, author=A)
    # February: bo merges ann's PR #2 (credited to ann, its author) and comments once.
    s.pull("closed", "2024-02-01 10:00", R, B, 2, author=A, merged=True)
    s.comment("2024-02-02 10:00", R, B, 1, author=A)
    # Pushes, stars and forks do not count.
    s.push("2024-02-03 10:00", R, B)
    s.star("2024-02-03 10:00", R, B)
    # acme/gadget: ann comments once in January.
    s.comment("2024-01-09 10:00", S, A, 7, author=A)
    return s


@pytest.fixture(scope="module")
def activity(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    root = write_events(Path(tmp_path_factory.mktemp("activity")), _activity_stream().table())
    definitions = [d for d in opendigger_activity.DEFINITIONS if d.name == "activity"]
    return compute(DuckDBEngine(), root, definitions=definitions)


ANN_JAN = sqrt(OI * 1 + OP * 1)  # 2.5083
BO_JAN = sqrt(IC * 2 + RC * 1)  # 1.3391
ANN_FEB = sqrt(MP * 1)  # 1.4261: the merge counts for the PR's author, not for bo
BO_FEB = sqrt(IC * 1)  # 0.7247


def test_repo_activity_sums_developers_square_roots(activity: pa.Table) -> None:
    repo = metric(activity, "activity", R.key)
    assert repo["2024-01"] == r2(ANN_JAN + BO_JAN) == 3.85
    assert repo["2024-02"] == r2(ANN_FEB + BO_FEB) == 2.15


def test_quarter_is_the_sum_of_monthly_square_roots(activity: pa.Table) -> None:
    repo = metric(activity, "activity", R.key)
    assert repo["2024Q1"] == r2(ANN_JAN + BO_JAN + ANN_FEB + BO_FEB) == 6.0
    assert repo["2024"] == 6.0
    # not the square roots of the quarter's counts:
    assert r2(sqrt(OI + OP + MP) + sqrt(IC * 3 + RC)) == 4.41 != repo["2024Q1"]


def test_merged_pull_request_is_credited_to_its_author(activity: pa.Table) -> None:
    ann = metric(activity, "activity", A.key)
    bo = metric(activity, "activity", B.key)
    assert bo["2024-02"] == r2(BO_FEB) == 0.72  # bo merged, but gets no merge credit
    # ann's activity sums her repositories: widget in January, plus one gadget comment.
    assert ann == {
        "2024-01": r2(ANN_JAN + sqrt(IC)),  # 3.23
        "2024-02": r2(ANN_FEB),  # 1.43
        "2024Q1": r2(ANN_JAN + sqrt(IC) + ANN_FEB),  # 4.66
        "2024": r2(ANN_JAN + sqrt(IC) + ANN_FEB),
    }
    assert bo == {"2024-01": 1.34, "2024-02": 0.72, "2024Q1": r2(BO_JAN + BO_FEB), "2024": 2.06}
    assert metric(activity, "activity", S.key) == {"2024-01": 0.72, "2024Q1": 0.72, "2024": 0.72}


# ------------------------------------------------------------------ bus factor

P, Q, RR, SS, TT = (
    Dev(20 + i, login) for i, login in enumerate(["pia", "quin", "rex", "sol", "tam"])
)
BOT, LISTED = Dev(30, "ci[bot]"), Dev(31, "helper")
U, V = Dev(40, "uma"), Dev(41, "val")


def _bus_stream() -> Stream:
    s = Stream()
    n = iter(range(1, 100))
    # January in acme/tool: ceil(activity) per developer is
    #   pia  3 PRs opened    ceil(sqrt(4.0679 × 3) = 3.49) = 4
    #   quin 1 PR opened     ceil(sqrt(4.0679) = 2.02)      = 3
    #   rex  1 issue opened  ceil(sqrt(2.2235) = 1.49)      = 2
    #   sol  1 comment       ceil(sqrt(0.5252) = 0.72)      = 1
    #   tam  1 comment                                      = 1
    # and two bots with 5 PRs each (ceil(sqrt(4.0679 × 5) = 4.51) = 5), left out.
    for _ in range(3):
        s.pull("opened", "2024-01-05 10:00", T, P, next(n))
    s.pull("opened", "2024-01-06 10:00", T, Q, next(n))
    s.issue("opened", "2024-01-07 10:00", T, RR, 50)
    s.comment("2024-01-08 10:00", T, SS, 50, author=RR)
    s.comment("2024-01-09 10:00", T, TT, 50, author=RR)
    for bot in (BOT, LISTED):
        for _ in range(5):
            s.pull("opened", "2024-01-10 10:00", T, bot, next(n))
    # February: sol comments 8 times: ceil(sqrt(0.5252 × 8) = 2.05) = 3.
    for _ in range(8):
        s.comment("2024-02-03 10:00", T, SS, 50, author=RR)
    # March: uma only closes an issue (activity 0); val opens #51 (seen twice) and closes it.
    s.issue("closed", "2024-03-01 10:00", T, U, 50, author=RR)
    s.issue("opened", "2024-03-02 10:00", T, V, 51, comments=None)
    s.issue("closed", "2024-03-02 11:00", T, V, 51)
    s.issue("opened", "2024-03-02 11:30", T, V, 51)  # seen again: still one opened issue
    return s


@pytest.fixture(scope="module")
def bus(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    root = write_events(Path(tmp_path_factory.mktemp("bus")), _bus_stream().table())
    definitions = [d for d in opendigger_activity.DEFINITIONS if d.name == "bus_factor"]
    return compute(DuckDBEngine(), root, bots=("helper",), definitions=definitions)


def test_bus_factor_uses_the_weighted_median_contribution(bus: pa.Table) -> None:
    contributions = [ceil(sqrt(OP * 3)), ceil(sqrt(OP)), ceil(sqrt(OI)), ceil(sqrt(IC)), 1]
    assert contributions == [4, 3, 2, 1, 1]
    # quantileExactWeighted(0.5): total weight 11, threshold ceil(11 × 0.5) = 6; ascending,
    # the cumulative weight is 2 after the 1s, 4 after the 2, 7 after the 3: the median is 3.
    # pia (4) and quin (3) are at or above it.
    assert metric(bus, "bus_factor")["2024-01"] == 2
    assert json.loads(str(metric(bus, "bus_factor_detail")["2024-01"])) == [["pia", 4], ["quin", 3]]


def test_bus_factor_leaves_bots_out(bus: pa.Table) -> None:
    # With ci[bot] and helper (the bot list) counted, the weights would be 1,1,2,3,4,5,5
    # (total 21, threshold 11, reached at 4): pia and both bots, 3, not 2.
    detail = str(metric(bus, "bus_factor_detail")["2024-01"])
    assert "ci[bot]" not in detail and "helper" not in detail
    assert metric(bus, "bus_factor")["2024-01"] == 2


def test_bus_factor_counts_the_whole_period_not_monthly_sums(bus: pa.Table) -> None:
    # February alone: sol with 3. The quarter: sol's 9 comments give ceil(sqrt(0.5252 × 9)
    # = 2.17) = 3 (monthly ceilings would give 1 + 3 = 4). Weights uma 0, tam 1, rex 2,
    # val 2, quin 3, sol 3, pia 4: total 15, threshold ceil(7.5) = 8, cumulative 0, 1, 5, 11
    # → the median is 3.
    assert ceil(sqrt(IC * 9)) == 3
    assert metric(bus, "bus_factor")["2024-02"] == 1
    assert json.loads(str(metric(bus, "bus_factor_detail")["2024-02"])) == [["sol", 3]]
    assert metric(bus, "bus_factor")["2024Q1"] == 3
    assert json.loads(str(metric(bus, "bus_factor_detail")["2024Q1"])) == [
        ["pia", 4], ["quin", 3], ["sol", 3],
    ]  # fmt: skip


def test_bus_factor_of_developers_without_activity(bus: pa.Table) -> None:
    # March: uma only closes an issue: contribution 0, still a developer of the period. val
    # opens #51 (seen twice, one distinct issue): ceil(sqrt(2.2235) = 1.49) = 2. Total 2,
    # threshold ceil(1) = 1, reached at 2 → val only.
    assert metric(bus, "bus_factor")["2024-03"] == 1
    assert json.loads(str(metric(bus, "bus_factor_detail")["2024-03"])) == [["val", 2]]


def test_bus_factor_when_nobody_has_activity(tmp_path: Path) -> None:
    # Only issue closes: every contribution is 0, the total weight 0, the threshold
    # ceil(0 × 0.5) = 0, reached at the first value (0): ClickHouse then keeps everyone.
    s = Stream()
    s.issue("closed", "2024-05-01 10:00", T, U, 60, author=RR)
    s.issue("closed", "2024-05-02 10:00", T, V, 61, author=RR)
    root = write_events(tmp_path, s.table())
    definitions = [d for d in opendigger_activity.DEFINITIONS if d.name == "bus_factor"]
    table = compute(DuckDBEngine(), root, definitions=definitions)
    assert metric(table, "bus_factor") == {"2024-05": 2, "2024Q2": 2, "2024": 2}
    assert json.loads(str(metric(table, "bus_factor_detail")["2024-05"])) == [
        ["uma", 0],
        ["val", 0],
    ]


def test_activity_keeps_bots(tmp_path: Path) -> None:
    # OpenDigger filters no bots from activity: ci[bot]'s two comments count,
    # sqrt(0.5252 × 2) = 1.0249, next to ann's issue, sqrt(2.2235) = 1.4911.
    s = Stream()
    s.issue("opened", "2024-07-01 10:00", R, A, 9)
    s.comment("2024-07-01 11:00", R, BOT, 9, author=A)
    s.comment("2024-07-01 12:00", R, BOT, 9, author=A)
    root = write_events(tmp_path, s.table())
    definitions = [d for d in opendigger_activity.DEFINITIONS if d.name == "activity"]
    table = compute(DuckDBEngine(), root, bots=("ci[bot]",), definitions=definitions)
    assert metric(table, "activity", R.key)["2024-07"] == r2(sqrt(OI) + sqrt(IC * 2)) == 2.52
    assert metric(table, "activity", BOT.key)["2024-07"] == r2(sqrt(IC * 2)) == 1.02
