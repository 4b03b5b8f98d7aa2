"""An instance numbered for the solvers: flat integer arrays built by whole-array passes.

Every application (a pair's choice of a task) is an *entry*, numbered in the pairs' order:
pair ``i`` owns entries ``start[i]`` to ``start[i + 1] - 1``, best first. The mentors' lists
are laid end to end, so a pair's *rank* is its position in that concatenation: ranks given
by one mentor compare like the mentor's own positions, and a rank also names the place in
``ranked`` where the mentor lists the pair.

The arrays are built by whole-column passes (``map`` over a dict for the ids, then numpy),
which run in C; a Python loop per entry would cost more than the matching itself. The
solvers get plain lists: they read one element at a time, which lists do fastest.

The same passes check the instance: :func:`index` returns ``None`` as soon as anything is
off, and the caller then runs the readable validation, which names the culprit.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ossmeta.analyses.program.model import Instance

__all__ = ["Indexed", "index"]


@dataclass(frozen=True)
class Indexed:
    strict: bool  # no mentor ranks two pairs equal
    pair_ids: list[str]
    task_ids: list[str]
    task_no: dict[str, int]  # task id -> task number
    mentor_no: dict[str, int]  # mentor id -> mentor number
    task_mentor: list[int]  # task -> mentor number
    task_cap: list[int]
    mentor_cap: list[int]
    start: list[int]  # pair -> its first entry; start[n] is the number of entries
    owner: list[int]  # entry -> pair
    entry_task: list[int]  # entry -> task
    entry_mentor: list[int]  # entry -> the task's mentor
    entry_rank: list[int]  # entry -> the pair's rank with that mentor
    ranked: list[int]  # the mentors' lists end to end, as pair numbers
    mentor_start: list[int]  # mentor -> its first rank; mentor_start[q] == len(ranked)
    by_task: list[int]  # the entries grouped by task, each group in its mentor's order
    task_start: list[int]  # task -> its group's first place in by_task


def index(instance: Instance) -> Indexed | None:
    """The numbered instance, or ``None`` when the instance is invalid in any way."""
    pairs, tasks, mentors = instance.pairs, instance.tasks, instance.mentors
    n, m, q = len(pairs), len(tasks), len(mentors)
    pair_ids = [pair.id for pair in pairs]
    task_ids = [task.id for task in tasks]
    pair_no = dict(zip(pair_ids, range(n), strict=True))
    task_no = dict(zip(task_ids, range(m), strict=True))
    mentor_no = {mentor.id: k for k, mentor in enumerate(mentors)}
    if len(pair_no) < n or len(task_no) < m or len(mentor_no) < q:
        return None  # an id given twice
    task_cap = [task.capacity for task in tasks]
    mentor_cap = [mentor.capacity for mentor in mentors]
    if min(task_cap, default=1) < 1 or min(mentor_cap, default=1) < 1:
        return None
    rankings = [mentor.ranking for mentor in mentors]
    if not all(map(all, rankings)):
        return None  # an empty rank group
    choices = [pair.choices for pair in pairs]
    lengths = np.fromiter(map(len, choices), np.int64, n)
    if n and (lengths.min() < 1 or lengths.max() > instance.max_choices):
        return None
    mentor_sizes = np.fromiter((sum(map(len, ranking)) for ranking in rankings), np.int64, q)
    total, listed = int(lengths.sum()), int(mentor_sizes.sum())
    try:
        task_mentor = list(map(mentor_no.__getitem__, [task.mentor for task in tasks]))
        entry_task = np.fromiter(
            map(task_no.__getitem__, chain.from_iterable(choices)), np.int64, total
        )
        ranked = np.fromiter(
            map(pair_no.__getitem__, chain.from_iterable(chain.from_iterable(rankings))),
            np.int64,
            listed,
        )
    except KeyError:
        return None  # an unknown mentor, task or pair
    owner = np.repeat(np.arange(n, dtype=np.int64), lengths)
    entry_mentor = np.asarray(task_mentor, dtype=np.int64)[entry_task]
    # (mentor, pair) as one number, for the mentors' lists and for the entries
    listed_key = np.repeat(np.arange(q, dtype=np.int64) * n, mentor_sizes) + ranked
    entry_key = entry_mentor * n + owner
    by_key = np.argsort(listed_key)
    sorted_key = listed_key[by_key]
    if listed and bool((sorted_key[1:] == sorted_key[:-1]).any()):
        return None  # a mentor ranks a pair twice
    # Each entry's place in the sorted mentors' lists: sort the entries' numbers too and
    # count the distinct ones; in a valid instance both sides hold the same numbers.
    by_entry_key = np.argsort(entry_key)
    entry_keys = entry_key[by_entry_key]
    distinct = np.empty(total, dtype=np.int64)
    distinct[:1] = 0
    np.cumsum(entry_keys[1:] != entry_keys[:-1], out=distinct[1:])
    if (int(distinct[-1]) + 1 if total else 0) != listed:
        return None  # a mentor ranks a pair that applied to none of its tasks, or misses one
    if bool((sorted_key[distinct] != entry_keys).any()):
        return None  # a mentor does not rank one of its applicants
    found = np.empty(total, dtype=np.int64)
    found[by_entry_key] = distinct
    entry_rank = by_key[found]
    # The entries grouped by task, each group in its mentor's order. Ranks are below
    # ``listed``, so one number orders by task, then rank; equal numbers are a pair
    # that ranks a task twice.
    task_then_rank = entry_task * (listed + 1) + entry_rank
    by_task = np.argsort(task_then_rank)
    in_order = task_then_rank[by_task]
    if total and bool((in_order[1:] == in_order[:-1]).any()):
        return None  # a pair ranks a task twice
    per_task = np.bincount(entry_task, minlength=m)
    return Indexed(
        strict=sum(map(len, rankings)) == listed,
        pair_ids=pair_ids,
        task_ids=task_ids,
        task_no=task_no,
        mentor_no=mentor_no,
        task_mentor=task_mentor,
        task_cap=task_cap,
        mentor_cap=mentor_cap,
        start=[0, *lengths.cumsum().tolist()],
        owner=owner.tolist(),
        entry_task=entry_task.tolist(),
        entry_mentor=entry_mentor.tolist(),
        entry_rank=entry_rank.tolist(),
        ranked=ranked.tolist(),
        mentor_start=[0, *mentor_sizes.cumsum().tolist()],
        by_task=by_task.tolist(),
        task_start=[0, *per_task.cumsum().tolist()],
    )
