"""The OpenRank step: the graph inputs in SQL (hand-computed), and how the solver's output
becomes metric rows (DuckDB, SciPy solver)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from ossmeta.analyses.metrics.compute import ActivityInputs, register_inputs
from ossmeta.analyses.metrics.engine import DuckDBEngine
from ossmeta.analyses.metrics.model import Context
from ossmeta.analyses.metrics.opendigger_openrank import COMMUNITY_ITEMS, GLOBAL_EDGES
from ossmeta.analyses.openrank import community_openrank, global_openrank

from .streams import FACTS_SCHEMA, Dev, Repo, Stream, compute, identities, metric, write_events

R, S = Repo(1, "acme/widget"), Repo(2, "acme/gadget")
A, B, C, D = Dev(10, "ann"), Dev(11, "bo"), Dev(12, "cy"), Dev(13, "di")
G = Dev(16, "gus")
DEPENDABOT, HELPER = Dev(30, "dependabot[bot]"), Dev(31, "helper")  # helper: on the bot list

# globalOpenrank.ts weights
OPEN_ISSUE, COMMENT, CLOSE_ISSUE, REVIEW_COMMENT, OPEN_PULL, PUSH = (
    22.235, 5.252, 9.712, 7.427, 40.679, 14.695,
)  # fmt: skip
CLOSE_PULL = 14.695  # communityOpenrank.ts: a closed PR weighs what a push does globally


def _stream() -> Stream:
    s = Stream()
    # January, acme/widget
    s.issue("opened", "2024-01-03 10:00", R, A, 1)
    s.comment("2024-01-04 10:00", R, A, 1, author=A)
    s.comment("2024-01-05 10:00", R, A, 1, author=A)
    s.comment("2024-01-05 11:00", R, A, 1, author=A, action="deleted")  # a deleted comment
    s.push("2024-01-06 10:00", R, A)
    s.push("2024-01-07 10:00", R, A)
    s.issue("closed", "2024-01-08 10:00", R, B, 1, author=A)
    s.pull("opened", "2024-01-09 10:00", R, B, 2)
    s.review_comment("2024-01-10 10:00", R, B, 2, author=B)
    s.push("2024-01-11 10:00", R, C)  # cy only pushes: no valid event, no edge
    s.issue("opened", "2024-01-12 10:00", R, D, 3, title="[SNYK] Upgrade lodash")
    s.comment("2024-01-13 10:00", R, D, 3, author=D, title="[SNYK] Upgrade lodash")
    s.pull("opened", "2024-01-14 10:00", R, DEPENDABOT, 4)
    s.pull("opened", "2024-01-15 10:00", R, HELPER, 5)
    s.pull("closed", "2024-01-16 10:00", R, G, 2, author=B, merged=True)  # no merge credit
    # February: ann comments once.
    s.comment("2024-02-02 10:00", R, A, 1, author=A)
    # acme/gadget: only a bot, so no global OpenRank and no community OpenRank.
    s.pull("opened", "2024-01-20 10:00", S, DEPENDABOT, 1)
    return s


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> DuckDBEngine:
    root = write_events(Path(tmp_path_factory.mktemp("openrank")), _stream().table())
    duck = DuckDBEngine()
    inputs = ActivityInputs(root, identities(("helper",)), FACTS_SCHEMA.empty_table())
    register_inputs(duck, inputs, Context(None, datetime(2030, 1, 1)))
    return duck


@pytest.fixture(scope="module")
def table(engine: DuckDBEngine, tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    root = write_events(Path(tmp_path_factory.mktemp("openrank-step")), _stream().table())
    return compute(DuckDBEngine(), root, bots=("helper",), definitions=[], openrank=True)


def test_global_edges_follow_the_reference_weights_and_filters(engine: DuckDBEngine) -> None:
    edges = engine.query(GLOBAL_EDGES).to_pylist()
    assert edges == [
        {
            "month": "2024-01", "repo_id": 1, "repo_name": "acme/widget", "actor_id": 10,
            "actor_login": "ann",
            # an issue opened, 3 comments (any action, the deleted one too), 2 pushes
            "activity": round(OPEN_ISSUE + 3 * COMMENT + 2 * PUSH, 3),  # 81.381
        },
        {
            "month": "2024-01", "repo_id": 1, "repo_name": "acme/widget", "actor_id": 11,
            "actor_login": "bo",
            "activity": round(CLOSE_ISSUE + OPEN_PULL + REVIEW_COMMENT, 3),  # 57.818
        },
        {
            "month": "2024-02", "repo_id": 1, "repo_name": "acme/widget", "actor_id": 10,
            "actor_login": "ann", "activity": COMMENT,
        },
    ]  # fmt: skip
    # Left out: cy (pushes only), di (events on a '[snyk]%' issue), dependabot[bot] and helper
    # (bots), gus (his merge is a valid event but weighs 0, and no credit goes to him).


def test_community_items_follow_the_reference_weights(engine: DuckDBEngine) -> None:
    engine.register_arrow("openrank_global", global_openrank(engine.query(GLOBAL_EDGES)))
    items = engine.query(COMMUNITY_ITEMS).to_pylist()
    rows = {(r["month"], r["actor_login"], r["item_kind"], r["item_number"]): r for r in items}
    january = {k[1:]: (v["activity"], v["merged"]) for k, v in rows.items() if k[0] == "2024-01"}
    assert january == {
        # ann on issue #1: opened + 2 comments (the deleted one is left out); pushes are no item
        ("ann", "issue", 1): (round(OPEN_ISSUE + 2 * COMMENT, 3), False),  # 32.739
        ("bo", "issue", 1): (CLOSE_ISSUE, False),
        ("bo", "pr", 2): (round(OPEN_PULL + REVIEW_COMMENT, 3), False),  # 48.106
        ("gus", "pr", 2): (CLOSE_PULL, True),  # the merge says merged
        # no snyk filter and no bot filter in the community graph (as upstream)
        ("di", "issue", 3): (round(OPEN_ISSUE + COMMENT, 3), False),  # 27.487
        ("dependabot[bot]", "pr", 4): (OPEN_PULL, False),
        ("helper", "pr", 5): (OPEN_PULL, False),
    }
    assert {k[1:] for k in rows if k[0] == "2024-02"} == {("ann", "issue", 1)}
    # acme/gadget has no global OpenRank, so it has no community graph either.
    assert {r["repo_id"] for r in items} == {1}


def test_openrank_periods_sum_the_months(table: pa.Table, engine: DuckDBEngine) -> None:
    ranked = global_openrank(engine.query(GLOBAL_EDGES)).to_pylist()
    value = {(r["kind"], r["name"], r["month"]): r["openrank"] for r in ranked}
    repo = metric(table, "openrank", R.key)
    jan, feb = value[("repo", "acme/widget", "2024-01")], value[("repo", "acme/widget", "2024-02")]
    assert repo == {
        "2024-01": round(jan, 2), "2024-02": round(feb, 2),
        "2024Q1": round(jan + feb, 2), "2024": round(jan + feb, 2),
    }  # fmt: skip
    ann = metric(table, "openrank", A.key)
    ann_jan, ann_feb = value[("user", "ann", "2024-01")], value[("user", "ann", "2024-02")]
    assert ann["2024Q1"] == round(ann_jan + ann_feb, 2)
    assert metric(table, "openrank", B.key) == {
        period: round(value[("user", "bo", "2024-01")], 2)
        for period in ("2024-01", "2024Q1", "2024")
    }
    # Only ann, bo and acme/widget have OpenRank.
    subjects = set(pc.filter(table["subject"], pc.equal(table["metric"], "openrank")).to_pylist())
    assert subjects == {R.key, A.key, B.key}


def test_community_openrank_detail_lists_developers_without_bots(
    table: pa.Table, engine: DuckDBEngine
) -> None:
    engine.register_arrow("openrank_global", global_openrank(engine.query(GLOBAL_EDGES)))
    ranked = community_openrank(engine.query(COMMUNITY_ITEMS)).to_pylist()
    users = {
        (r["month"], r["name"]): round(r["openrank"], 3) for r in ranked if r["kind"] == "user"
    }
    detail = metric(table, "community_openrank", R.key)
    assert set(detail) == {"2024-01", "2024-02"}  # monthly only
    january = json.loads(str(detail["2024-01"]))
    assert january == {login: users[("2024-01", login)] for login in ("ann", "bo", "di", "gus")}
    assert json.loads(str(detail["2024-02"])) == {"ann": users[("2024-02", "ann")]}
    rows = [r for r in table.to_pylist() if r["metric"] == "community_openrank"]
    assert all(r["value"] is None for r in rows)
