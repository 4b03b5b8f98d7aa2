"""The solvers' numbered instance: its fast checks accept exactly the valid instances, and
its arrays say what the instance says."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ossmeta.analyses.program import (
    Instance,
    InstanceError,
    Mentor,
    Pair,
    Task,
    solve_mentor_optimal,
    solve_pair_optimal,
)
from ossmeta.analyses.program.indexed import index
from ossmeta.analyses.program.model import _validate
from tests.program.instances import random_instance


@dataclass
class _Raw:
    """The instance's fields without the checks a real Instance runs on creation."""

    pairs: tuple[Pair, ...]
    tasks: tuple[Task, ...]
    mentors: tuple[Mentor, ...]
    max_choices: int = 3


def _swap(items: tuple[object, ...], at: int, new: object) -> tuple[object, ...]:
    return (*items[:at], new, *items[at + 1 :])


def _mutate(raw: _Raw, rng: random.Random, kind: int) -> _Raw:
    """One random change; many make the instance invalid, some keep it valid."""
    p = rng.randrange(len(raw.pairs))
    t = rng.randrange(len(raw.tasks))
    k = rng.randrange(len(raw.mentors))
    pair, task, mentor = raw.pairs[p], raw.tasks[t], raw.mentors[k]
    tiers = list(mentor.ranking)
    other = rng.choice(raw.pairs).id
    if kind == 0:
        return raw
    if kind == 1:  # a pair id given twice
        return replace(raw, pairs=(*raw.pairs, replace(pair, choices=pair.choices)))
    if kind == 2:
        return replace(raw, tasks=(*raw.tasks, task))
    if kind == 3:
        return replace(raw, mentors=(*raw.mentors, replace(mentor, ranking=())))
    if kind == 4:
        new_task = replace(task, capacity=rng.choice([0, -1, 1, 2]))
        return replace(raw, tasks=cast(tuple[Task, ...], _swap(raw.tasks, t, new_task)))
    if kind == 5:
        new_mentor = replace(mentor, capacity=rng.choice([0, 1, 5]))
        return replace(raw, mentors=cast(tuple[Mentor, ...], _swap(raw.mentors, k, new_mentor)))
    if kind == 6:  # a task of an unknown (or another) mentor
        new_task = replace(task, mentor=rng.choice(["nobody", rng.choice(raw.mentors).id]))
        return replace(raw, tasks=cast(tuple[Task, ...], _swap(raw.tasks, t, new_task)))
    if kind == 7:  # a pair's choices changed: empty, longer, repeated, unknown or shuffled
        ids = [x.id for x in raw.tasks]
        choices = rng.choice(
            [
                (),
                (*pair.choices, rng.choice(ids)),
                (*pair.choices, pair.choices[0]),
                (*pair.choices[:-1], "nowhere"),
                tuple(rng.sample(pair.choices, len(pair.choices))),
            ]
        )
        new_pair = replace(pair, choices=choices)
        return replace(raw, pairs=cast(tuple[Pair, ...], _swap(raw.pairs, p, new_pair)))
    # kind 8: a mentor's ranking changed: a pair dropped, added, repeated, an empty tier,
    # or two tiers merged
    where = rng.randrange(len(tiers) + 1)
    change = rng.randrange(5)
    if change == 0 and tiers:
        tiers.pop(min(where, len(tiers) - 1))
    elif change == 1:
        tiers.insert(where, (rng.choice([other, "stranger"]),))
    elif change == 2 and tiers:
        tiers.insert(where, rng.choice(tiers))
    elif change == 3:
        tiers.insert(where, ())
    elif len(tiers) > 1:
        first = tiers.pop(0)
        tiers[0] = (*first, *tiers[0])
    new_mentor = replace(mentor, ranking=tuple(tiers))
    return replace(raw, mentors=cast(tuple[Mentor, ...], _swap(raw.mentors, k, new_mentor)))


@settings(max_examples=1500, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 8), st.booleans())
def test_the_fast_checks_accept_exactly_the_valid_instances(
    seed: int, kind: int, ties: bool
) -> None:
    rng = random.Random(seed)
    valid = random_instance(rng, rng.randint(1, 8), rng.randint(1, 6), rng.randint(1, 3), ties=ties)
    raw = _mutate(_Raw(valid.pairs, valid.tasks, valid.mentors), rng, kind)
    try:
        _validate(cast(Instance, raw))
    except InstanceError:
        readable_ok = False
    else:
        readable_ok = True
    assert (index(cast(Instance, raw)) is not None) == readable_ok
    if not readable_ok:
        with pytest.raises(InstanceError):
            Instance(raw.pairs, raw.tasks, raw.mentors, raw.max_choices)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**32 - 1), st.booleans())
def test_the_arrays_say_what_the_instance_says(seed: int, ties: bool) -> None:
    rng = random.Random(seed)
    instance = random_instance(
        rng, rng.randint(1, 10), rng.randint(1, 6), rng.randint(1, 3), ties=ties
    )
    ix = instance.indexed
    assert ix.strict == all(len(tier) == 1 for m in instance.mentors for tier in m.ranking)
    mentor_ids = [m.id for m in instance.mentors]
    ranked_ids = [ix.pair_ids[i] for i in ix.ranked]
    assert ranked_ids == [p for m in instance.mentors for p in m.order()]
    for i, pair in enumerate(instance.pairs):
        entries = range(ix.start[i], ix.start[i + 1])
        assert [ix.task_ids[ix.entry_task[x]] for x in entries] == list(pair.choices)
        for x in entries:
            assert ix.owner[x] == i
            task = instance.task(ix.task_ids[ix.entry_task[x]])
            k = ix.entry_mentor[x]
            assert mentor_ids[k] == task.mentor
            # the rank is the pair's place in the mentor's part of the end-to-end lists
            assert ix.mentor_start[k] <= ix.entry_rank[x] < ix.mentor_start[k + 1]
            assert ix.ranked[ix.entry_rank[x]] == i
    for j in range(len(ix.task_ids)):
        group = ix.by_task[ix.task_start[j] : ix.task_start[j + 1]]
        assert all(ix.entry_task[x] == j for x in group)
        assert [ix.entry_rank[x] for x in group] == sorted(ix.entry_rank[x] for x in group)
    assert sorted(ix.by_task) == list(range(ix.start[-1]))


def test_instances_without_pairs_or_applicants_solve_to_nothing() -> None:
    for instance in (
        Instance((), (), ()),
        Instance((), (Task("A", "M"),), (Mentor("M", 1, ()),)),
    ):
        assert instance.indexed.start == [0]
        assert dict(solve_pair_optimal(instance).assignment) == {}
        assert dict(solve_mentor_optimal(instance).assignment) == {}
