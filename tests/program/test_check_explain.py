"""The checker's three blocking cases and feasibility, the instance validation, and the
explanation of an admin's edit that is not stable."""

from __future__ import annotations

import pytest

from ossmeta.analyses.program import (
    BlockingPair,
    Instance,
    InstanceError,
    Matching,
    Mentor,
    Pair,
    Task,
    blocking_pairs,
    check,
    explain,
    solve_pair_optimal,
    tie_rule,
)


def _instance(task_caps: tuple[int, int] = (1, 1), mentor_cap: int = 2) -> Instance:
    # one mentor M with tasks A and B; M ranks p1 > p2 > p3
    return Instance(
        (Pair("p1", ("A", "B")), Pair("p2", ("A", "B")), Pair("p3", ("B",))),
        (Task("A", "M", task_caps[0]), Task("B", "M", task_caps[1])),
        (Mentor("M", mentor_cap, (("p1",), ("p2",), ("p3",))),),
    )


def test_case_3a_task_and_mentor_with_room() -> None:
    instance = _instance()
    assert blocking_pairs(instance, Matching(instance, {"p2": "A"})) == [
        BlockingPair("p1", "A", "3c"),
        BlockingPair("p1", "B", "3a"),
        BlockingPair("p3", "B", "3a"),
    ]


def test_case_3b_mentor_full_prefers_the_pair_or_already_has_it() -> None:
    instance = _instance(task_caps=(2, 1), mentor_cap=2)
    # M full with p2 (A) and p3 (B); p1 unmatched and ranked above p3: blocks with A (room)
    found = blocking_pairs(instance, Matching(instance, {"p2": "A", "p3": "B"}))
    assert BlockingPair("p1", "A", "3b") in found
    # p2 sits in B though it prefers A, which has room: a move within the same mentor
    moved = blocking_pairs(instance, Matching(instance, {"p1": "A", "p2": "B"}))
    assert moved == [BlockingPair("p2", "A", "3b")]


def test_case_3c_full_task_whose_mentor_prefers_the_pair() -> None:
    instance = _instance(task_caps=(1, 1), mentor_cap=1)
    # (and B: it has room, the mentor is full with p2, whom it ranks below p1)
    assert blocking_pairs(instance, Matching(instance, {"p2": "A"})) == [
        BlockingPair("p1", "A", "3c"),
        BlockingPair("p1", "B", "3b"),
    ]


def test_the_solver_result_is_stable_and_explained() -> None:
    instance = _instance(task_caps=(1, 1), mentor_cap=1)
    matching = solve_pair_optimal(instance)
    assert dict(matching.assignment) == {"p1": "A"}
    assert check(instance, matching).ok
    told = explain(instance, matching)
    assert [(r.task, r.code, r.count) for r in told["p2"].reasons] == [
        ("A", "task_full", 1),
        ("B", "mentor_full", 1),
    ]
    assert told["p2"].message_key == "program.match.unmatched"
    assert told["p2"].open_tasks == ()


def test_an_edit_that_blocks_is_flagged_and_explained_as_not_stable() -> None:
    instance = _instance(task_caps=(1, 1), mentor_cap=1)
    edited = Matching(instance, {"p2": "A"})
    assert not check(instance, edited).ok
    told = explain(instance, edited)
    assert told["p1"].reasons[0].code == "not_stable"


def test_infeasible_matchings_are_refused() -> None:
    instance = _instance(task_caps=(1, 1), mentor_cap=1)
    verdict = check(instance, Matching(instance, {"p1": "A", "p2": "B", "p3": "C"}))
    assert {p.code for p in verdict.problems} == {"unknown_task", "mentor_over_capacity"}
    assert check(instance, Matching(instance, {"p3": "A"})).problems[0].code == "not_acceptable"
    with pytest.raises(InstanceError):
        blocking_pairs(instance, Matching(instance, {"p1": "A", "p2": "A"}))


@pytest.mark.parametrize(
    ("pairs", "tasks", "mentors", "message"),
    [
        ((Pair("p", ("X",)),), (Task("A", "M"),), (Mentor("M", 1, ()),), "unknown task 'X'"),
        ((Pair("p", ("A",)),), (Task("A", "M", 0),), (Mentor("M", 1, (("p",),)),), "capacity 0"),
        ((Pair("p", ("A",)),), (Task("A", "N"),), (Mentor("M", 1, ()),), "unknown mentor 'N'"),
        ((Pair("p", ("A",)),), (Task("A", "M"),), (Mentor("M", 1, ()),), "does not rank pair 'p'"),
        (
            (Pair("p", ("A",)), Pair("q", ("B",))),
            (Task("A", "M"), Task("B", "N")),
            (Mentor("M", 1, (("p", "q"),)), Mentor("N", 1, (("q",),))),
            "ranks pair 'q', which applied to none",
        ),
        ((Pair("p", ("A", "A")),), (Task("A", "M"),), (Mentor("M", 1, (("p",),)),), "twice"),
        ((Pair("p", ()),), (Task("A", "M"),), (Mentor("M", 1, ()),), "applied to no task"),
        (
            (Pair("p", ("A", "B", "C", "D")),),
            tuple(Task(t, "M") for t in "ABCD"),
            (Mentor("M", 1, (("p",),)),),
            "at most 3",
        ),
    ],
)
def test_invalid_instances_say_what_is_wrong(
    pairs: tuple[Pair, ...], tasks: tuple[Task, ...], mentors: tuple[Mentor, ...], message: str
) -> None:
    with pytest.raises(InstanceError, match=message):
        Instance(pairs, tasks, mentors)


def test_the_tie_rule_is_published_with_its_seed() -> None:
    instance = Instance(
        tuple(Pair(f"p{i}", ("A",)) for i in range(6)),
        (Task("A", "M", 1),),
        (Mentor("M", 1, (tuple(f"p{i}" for i in range(6)),)),),
    )
    winners = {next(iter(solve_pair_optimal(instance, seed).assignment)) for seed in range(30)}
    assert len(winners) > 1  # the seed decides a tie, not the input order
    assert "seed 5" in tie_rule(5)


def test_unmatched_pairs_see_the_tasks_that_still_have_room() -> None:
    instance = Instance(
        (Pair("p1", ("A",)), Pair("p2", ("A",)), Pair("p3", ("C",))),
        (Task("A", "M", 1), Task("B", "M", 1), Task("C", "N", 1), Task("D", "N", 1)),
        (Mentor("M", 2, (("p1",), ("p2",))), Mentor("N", 1, (("p3",),))),
    )
    told = explain(instance, solve_pair_optimal(instance))
    # B has room and so has its mentor; D has room but its mentor N is full with p3
    assert told["p2"].open_tasks == ("B",)
    assert told["p2"].reasons == (told["p2"].reasons[0],)
    assert (told["p2"].reasons[0].code, told["p2"].reasons[0].count) == ("task_full", 1)
    assert told["p3"].task == "C" and told["p3"].message_key == "program.match.first_choice"
