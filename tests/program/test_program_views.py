"""The read views the program's API and pages share (SQLite and PostgreSQL): the year with
the caller's roles, the tasks (published only past ``tasks_fixed``) with their repository's
activity or "no data", a pair's applications (its own people only), a mentor's applicants
with proposals and ranks, the published result of an unmatched pair (why, and the tasks
with room), and the evidence's access and window."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ossmeta.errors import ForbiddenError, NotFoundError
from ossmeta.service.program import PhaseError, create_year, read_config
from ossmeta.service.program_access import access_of
from ossmeta.service.program_views import (
    member_access,
    mentor_applicants,
    mentor_ranking,
    pair_applications,
    pair_view,
    pairs_of,
    repository_activity,
    tasks_view,
    year_view,
)
from ossmeta.service.program_views_evidence import pair_evidence
from ossmeta.store import Store
from ossmeta.store.metrics import Metrics
from tests.api.world_program import ACTOR, NOW, YEAR, program_year
from tests.program.test_program_selection import CONFIG

LATER = datetime(2030, 6, 1, tzinfo=UTC)


def test_the_year_and_the_tasks_with_their_activity(store: Store, tmp_path: Path) -> None:
    program_year(store, tmp_path, "launch")
    sam = access_of(store, YEAR, "sam")
    shown = year_view(sam)
    assert (shown["name"], shown["phase"], shown["max_choices"]) == ("2027", "launch", 3)
    assert shown["roles"] == [{"role": "student", "subject": "s1"}] and not shown["is_admin"]
    assert year_view(access_of(store, YEAR, "boss"))["is_admin"]
    with pytest.raises(NotFoundError, match="no program year '2027'"):
        member_access(store, YEAR, "eve")

    nothing = repository_activity(store, "github.com/acme/widget")
    assert nothing is not None and (nothing.last_month, nothing.activity) == (None, None)
    assert repository_activity(store, "") is None
    Metrics(store).replace(
        [
            ("github.com/acme/widget", "activity", f"2029-{month:02d}", float(month), None)
            for month in range(1, 13)
        ]
        + [
            ("github.com/acme/widget", "activity", "2028-12", 99.0, None),
            ("github.com/acme/widget", "maintenance_status", "2029-12", None, '"active"'),
        ],
        engine="duckdb",
        computed_at=NOW,
        since=None,
    )
    tasks = tasks_view(store, sam)
    assert [t["key"] for t in tasks] == ["T1", "T2", "T3"]
    activity = tasks[0]["activity"]
    assert activity["activity"] == 12.0 and activity["last_month"] == "2029-12"
    assert activity["maintenance"] == "active" and activity["openrank"] is None
    months = [m["month"] for m in activity["monthly_activity"]]
    assert len(months) == 12 and months[0] == "2029-01"  # the newest twelve, oldest first
    assert tasks[2]["repository"] is None and tasks[2]["activity"] is None

    config = tmp_path / "early.toml"
    config.write_text(CONFIG, encoding="utf-8")
    create_year(store, "2028", read_config(config), ACTOR, NOW)
    with pytest.raises(PhaseError, match="published after phase tasks_fixed"):
        tasks_view(store, access_of(store, "2028", "anyone"))


def test_applications_are_their_pairs_and_applicants_their_mentors(
    store: Store, tmp_path: Path
) -> None:
    program_year(store, tmp_path, "selection")
    tan, sue, eve = (access_of(store, YEAR, login) for login in ("tan", "sue", "eve"))
    assert [a["task"] for a in pair_applications(store, tan, "P1")] == ["T1", "T2"]
    assert pairs_of(store, tan) == ["P1", "P3"]  # t1 teaches both
    with pytest.raises(ForbiddenError):
        pair_applications(store, sue, "P1")
    assert pair_applications(store, sue, "P9") == []  # a new pair's key: nothing yet
    with pytest.raises(ForbiddenError):
        pair_applications(store, eve, "P9")
    assert pair_view(store, tan, "P1")["result"] is None  # nothing published

    mia = access_of(store, YEAR, "mia")
    applicants = mentor_applicants(store, mia, "M1")
    assert [(a["pair"], a["teacher_name"], a["rank"]) for a in applicants] == [
        ("P1", "Tan", None),
        ("P2", "Tao", None),
    ]
    assert [p["choice"] for p in applicants[1]["proposals"]] == [1]  # P2 chose T1 first
    assert mentor_ranking(store, mia, "M1") == []
    with pytest.raises(ForbiddenError):
        mentor_applicants(store, mia, "M2")


def test_an_unmatched_pair_sees_why_and_the_tasks_with_room(store: Store, tmp_path: Path) -> None:
    program_year(store, tmp_path, "published", [("sid", "student", "s3"), ("mia", "mentor", "M1")])
    sid = access_of(store, YEAR, "sid")
    result = pair_view(store, sid, "P3")["result"]
    assert result["task"] is None
    assert [(r["task"], r["choice"], r["code"], r["count"]) for r in result["reasons"]] == [
        ("T2", 1, "task_full", 1)
    ]
    assert result["open_tasks"] == ["T3"]
    assert [t["task"] for t in result["tasks_with_room"]] == ["T3"]
    with pytest.raises(NotFoundError, match="no published task"):
        pair_evidence(store, tmp_path / "activity", sid, "P3", LATER)
    with pytest.raises(ForbiddenError):  # P1's evidence: neither its people nor its mentor
        pair_evidence(store, tmp_path / "activity", access_of(store, YEAR, "mia"), "P1", LATER)
    with pytest.raises(NotFoundError, match="no pair 'P7'"):
        pair_evidence(store, tmp_path / "activity", sid, "P7", LATER)


def test_a_matched_pairs_evidence_window(store: Store, tmp_path: Path) -> None:
    program_year(store, tmp_path, "published")
    found = pair_evidence(store, tmp_path / "activity", access_of(store, YEAR, "max"), "P1", LATER)
    # announced when published; counted until the last phase's deadline (work)
    assert (found["announced"], found["from"], found["to"]) == (
        "2030-01-01T00:00:00Z",
        "2030-01-01T00:00:00Z",
        "2999-09-01T00:00:00Z",
    )
    assert found["totals"]["pr_opened"] == 0 and found["contributions"] == []
