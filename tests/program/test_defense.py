"""The defense: the rubric, assigning reviewers under the conflict-of-interest rule,
scoring in phase defense, the median aggregation and the public facts of a defended pair;
on both backends."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ossmeta.errors import ForbiddenError, InputError, NotFoundError
from ossmeta.service.program import advance_phase
from ossmeta.service.program_access import Member, access_of, add_program_member
from ossmeta.service.program_defense import (
    assign_reviewer,
    defended_pair,
    defense_results,
    reviewer_pairs,
    rubric,
    score_pair,
    set_rubric,
    unassign_reviewer,
)
from ossmeta.service.program_midterm import end_failed_pair, set_questions, submit_form
from ossmeta.store import Store
from tests.program.test_midterm import QUESTIONS, year_in_work

NOW = datetime(2030, 1, 1, tzinfo=UTC)

RUBRIC = """\
[[criterion]]
key = "quality"
label = "Quality"
label_zh = "质量"
weight = 3
max = 10

[[criterion]]
key = "talk"
label = "Presentation"
label_zh = "答辩表现"
weight = 1
max = 5
"""


def test_conflicts_of_interest_are_refused(store: Store, tmp_path: Path) -> None:
    year_in_work(store, tmp_path)
    boss = access_of(store, None, "boss")
    # rita reviews for Acme, whose project widget holds both tasks.
    with pytest.raises(InputError, match="conflict of interest: rita belongs to community Acme"):
        assign_reviewer(store, None, boss, "P1", "rita", NOW)
    # tan is P1's teacher (and a reviewer): refused for P1, fine for P2.
    with pytest.raises(InputError, match="conflict of interest: tan is the pair's teacher"):
        assign_reviewer(store, None, boss, "P1", "tan", NOW)
    assert assign_reviewer(store, None, boss, "P2", "tan", NOW)
    with pytest.raises(InputError, match="mia is not a reviewer"):
        assign_reviewer(store, None, boss, "P2", "mia", NOW)
    with pytest.raises(ForbiddenError):
        assign_reviewer(store, None, access_of(store, None, "ron"), "P1", "ron", NOW)
    # Mia is P2's mentor by her registered identity (login:mia), whatever roles "Mia" holds.
    add_program_member(store, None, Member("Mia", "reviewer", ""), "cli:t", NOW)
    with pytest.raises(InputError, match="conflict of interest: Mia is the pair's mentor"):
        assign_reviewer(store, None, boss, "P2", "Mia", NOW)
    assert assign_reviewer(store, None, boss, "P1", "Mia", NOW)
    assert assign_reviewer(store, None, boss, "P1", "rae", NOW)  # another community's
    assert not assign_reviewer(store, None, boss, "P1", "rae", NOW)  # already


def test_scoring_the_median_rule_and_the_public_facts(store: Store, tmp_path: Path) -> None:
    year_in_work(store, tmp_path)
    boss = access_of(store, None, "boss")
    set_rubric(store, None, boss, RUBRIC, "rubric.toml", NOW)
    assert [c.key for c in rubric(store, None)] == ["quality", "talk"]
    for reviewer in ("ron", "rae", "ray"):
        assign_reviewer(store, None, boss, "P1", reviewer, NOW)
    assign_reviewer(store, None, boss, "P2", "ron", NOW)
    ron, rae, ray, tan = (access_of(store, None, r) for r in ("ron", "rae", "ray", "tan"))
    full = {"quality": 10, "talk": 5}
    with pytest.raises(InputError, match="only in phase defense"):
        score_pair(store, None, ron, "P1", full, NOW)
    advance_phase(store, None, "cli:t", NOW)  # midterm
    advance_phase(store, None, "cli:t", NOW)  # defense
    with pytest.raises(ForbiddenError, match="not assigned"):
        score_pair(store, None, tan, "P1", full, NOW)
    with pytest.raises(ForbiddenError, match="not a reviewer"):
        score_pair(store, None, access_of(store, None, "mia"), "P1", full, NOW)
    with pytest.raises(InputError, match="criterion 'talk': a score from 0 to 5"):
        score_pair(store, None, ron, "P1", {"quality": 10, "talk": 6}, NOW)
    with pytest.raises(InputError, match="criterion 'talk': give a score"):
        score_pair(store, None, ron, "P1", {"quality": 10}, NOW)
    with pytest.raises(NotFoundError):
        defended_pair(store, None, "P1")  # nobody has scored yet

    # (3 * 8/10 + 1 * 4/5) / 4 * 100 = 80; 100; and one outlier at 0.
    assert score_pair(store, None, ron, "P1", {"quality": 8, "talk": 4}, NOW) == 80
    assert score_pair(store, None, rae, "P1", full, NOW) == 100
    assert score_pair(store, None, ray, "P1", {"quality": 0, "talk": 0}, NOW) == 0
    assert score_pair(store, None, ron, "P2", {"quality": 8, "talk": 4}, NOW) == 80
    results = defense_results(store, None)
    assert "median" in results["rule"]
    assert [(p["pair"], p["score"], p["reviewers"], p["rank"]) for p in results["pairs"]] == [
        ("P1", 80.0, 3, 1),
        ("P2", 80.0, 1, 1),  # equal scores share a rank
    ]
    assert "by_reviewer" not in results["pairs"][0]
    admin_view = defense_results(store, None, with_reviewers=True)
    assert admin_view["pairs"][0]["by_reviewer"] == {"rae": 100.0, "ray": 0.0, "ron": 80.0}
    page = defended_pair(store, None, "P1")
    assert (page["task"], page["mentor"], page["community"]) == ("T2", "M2", "Acme")
    assert (page["score"], page["reviewers"]) == (80.0, 3)
    assert [p["pair"] for p in reviewer_pairs(store, None, ron)] == ["P1", "P2"]
    assert reviewer_pairs(store, None, ron)[0]["scores"] == {"quality": 8.0, "talk": 4.0}
    # The rubric stays once scored.
    with pytest.raises(InputError, match="the rubric stays"):
        set_rubric(store, None, boss, RUBRIC, "rubric.toml", NOW)


def test_an_ended_pair_takes_no_part_in_the_defense(store: Store, tmp_path: Path) -> None:
    year_in_work(store, tmp_path)
    boss = access_of(store, None, "boss")
    set_rubric(store, None, boss, RUBRIC, "rubric.toml", NOW)
    advance_phase(store, None, "cli:t", NOW)  # midterm
    submit_form(store, None, access_of(store, None, "mia"), "P2", "mentor", {}, False, NOW)
    assign_reviewer(store, None, boss, "P2", "ron", NOW)
    end_failed_pair(store, None, boss, "P2", "stopped", NOW)
    with pytest.raises(InputError, match="was ended"):
        assign_reviewer(store, None, boss, "P2", "ray", NOW)
    advance_phase(store, None, "cli:t", NOW)  # defense
    with pytest.raises(InputError, match="was ended"):
        score_pair(store, None, access_of(store, None, "ron"), "P2", {"quality": 1, "talk": 1}, NOW)
    assert defense_results(store, None)["pairs"] == []


def seed_milestones(store: Store, where: Path, admins: Sequence[str] = ()) -> dict[str, str]:
    """A year in phase defense with questions, a rubric and pair P1 scored by ron (for the
    route-walking API tests); ``admins`` are program admins who also review both pairs. The
    path values that name them."""
    where.mkdir(parents=True, exist_ok=True)
    year_in_work(store, where)
    operator = access_of(store, None, "boss")
    for login in admins:
        add_program_member(store, None, Member(login, "admin", ""), "cli:t", NOW)
        add_program_member(store, None, Member(login, "reviewer", ""), "cli:t", NOW)
        for pair in ("P1", "P2"):
            assign_reviewer(store, None, operator, pair, login, NOW)
    set_questions(store, None, operator, QUESTIONS, "questions.toml", NOW)
    set_rubric(store, None, operator, RUBRIC, "rubric.toml", NOW)
    assign_reviewer(store, None, operator, "P1", "ron", NOW)
    assign_reviewer(store, None, operator, "P2", "ray", NOW)
    advance_phase(store, None, "cli:t", NOW)  # midterm
    advance_phase(store, None, "cli:t", NOW)  # defense
    score_pair(store, None, access_of(store, None, "ron"), "P1", {"quality": 7, "talk": 3}, NOW)
    score_pair(store, None, access_of(store, None, "ray"), "P2", {"quality": 9, "talk": 1}, NOW)
    return {"year": "current", "pair": "P1"}


def test_an_admin_takes_a_reviewer_off_a_pair_with_their_scores(
    store: Store, tmp_path: Path
) -> None:
    year_in_work(store, tmp_path)
    boss = access_of(store, None, "boss")
    set_rubric(store, None, boss, RUBRIC, "rubric.toml", NOW)
    for reviewer in ("ron", "rae"):
        assign_reviewer(store, None, boss, "P1", reviewer, NOW)
    advance_phase(store, None, "cli:t", NOW)  # midterm
    advance_phase(store, None, "cli:t", NOW)  # defense
    score_pair(store, None, access_of(store, None, "ron"), "P1", {"quality": 0, "talk": 0}, NOW)
    score_pair(store, None, access_of(store, None, "rae"), "P1", {"quality": 10, "talk": 5}, NOW)
    with pytest.raises(ForbiddenError):
        unassign_reviewer(store, None, access_of(store, None, "rae"), "P1", "ron", NOW)
    assert unassign_reviewer(store, None, boss, "P1", "ron", NOW)
    assert not unassign_reviewer(store, None, boss, "P1", "ron", NOW)
    [p1] = defense_results(store, None)["pairs"]
    assert (p1["pair"], p1["score"], p1["reviewers"]) == ("P1", 100.0, 1)  # ron's 0 is gone
    with pytest.raises(ForbiddenError, match="not assigned"):
        score_pair(store, None, access_of(store, None, "ron"), "P1", {"quality": 1, "talk": 1}, NOW)
