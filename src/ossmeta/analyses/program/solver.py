"""SPA-student and SPA-lecturer of Abraham, Irving and Manlove (2007), on index arrays.

Both run on the strict instance's numbered form (:mod:`.indexed`, built once with the
instance): every application is an entry with its pair, task, mentor and the pair's rank in
that mentor's list; each task's entries are grouped in mentor order. The loops read those
flat lists and a few per-task and per-mentor counters, and allocate nothing per step.
Deletions are never done on the lists themselves:

* pair-proposing (SPA-student): "delete every successor of the worst pair" becomes a rank
  threshold per task and per mentor that only decreases; an entry of a pair's list is dead
  when its rank is past the threshold of its task or its mentor, and is skipped when the
  pair reaches it. The worst assigned pair of a task (of a mentor) is found by a pointer
  that walks the task's (mentor's) list backwards and never forwards: once a task or
  mentor is full, everything assigned later ranks above its threshold, hence above the
  pointer. Every list entry is passed a bounded number of times: O(L) in all.
* mentor-proposing (SPA-lecturer): mentors never reject, so a pair that moved away from a
  task to a better one is dead for that task for good; each task keeps a pointer into its
  applicants (in mentor order) that only moves forwards. A mentor picks its next pair as
  the best head among its open tasks, so each provisional assignment costs the mentor's
  task count plus the pair's list length: O(L · (tasks per mentor + list length)), which
  is linear for the program's short lists (≤ 3 tasks per pair).
"""

from __future__ import annotations

from ossmeta.analyses.program.indexed import Indexed
from ossmeta.analyses.program.model import Instance, Matching, break_ties

__all__ = ["solve_mentor_optimal", "solve_pair_optimal"]

_NONE = -1


def _result(ix: Indexed, instance: Instance, held: list[int], seed: int, side: str) -> Matching:
    """``held[i]`` is the entry pair ``i`` holds (``_NONE`` or past its list when free)."""
    pair_ids, task_ids, entry_task, start = ix.pair_ids, ix.task_ids, ix.entry_task, ix.start
    assignment = {
        pair_ids[i]: task_ids[entry_task[x]]
        for i, x in enumerate(held)
        if start[i] <= x < start[i + 1]
    }
    return Matching(instance, assignment, seed, side)


def solve_pair_optimal(instance: Instance, seed: int = 0) -> Matching:
    """The pair-optimal stable matching (SPA-student): every matched pair gets the best task
    it gets in any stable matching. Ties in the mentors' lists are broken with ``seed``."""
    strict = break_ties(instance, seed)
    ix = strict.indexed
    start, owner, ranked, by_task = ix.start, ix.owner, ix.ranked, ix.by_task
    entry_task, entry_mentor, entry_rank = ix.entry_task, ix.entry_mentor, ix.entry_rank
    task_cap, mentor_cap = ix.task_cap, ix.mentor_cap
    n, m, q = len(ix.pair_ids), len(task_cap), len(mentor_cap)
    # An entry ranked at or past its task's (mentor's) limit is deleted; limits only drop.
    task_limit = [len(ranked)] * m
    mentor_limit = [len(ranked)] * q
    task_count = [0] * m
    mentor_count = [0] * q
    # Backwards pointers to the worst held entry of a task (place in by_task) and to the
    # worst pair of a mentor (its rank, a place in ranked).
    task_worst = [place - 1 for place in ix.task_start[1:]]
    mentor_worst = [place - 1 for place in ix.mentor_start[1:]]
    held = [_NONE] * n
    cursor = start[:-1]  # the next entry each pair proposes to
    free = list(range(n - 1, -1, -1))  # a stack; popping gives pair 0 first
    while free:
        i = free.pop()
        x, end = cursor[i], start[i + 1]
        while x < end:
            r = entry_rank[x]
            if r < task_limit[entry_task[x]] and r < mentor_limit[entry_mentor[x]]:
                break
            x += 1
        else:
            cursor[i] = end
            continue  # every entry deleted: unmatched
        # A pair rejected from x is past x's new limit, so it never proposes there again.
        cursor[i] = x + 1
        j, k = entry_task[x], entry_mentor[x]
        held[i] = x
        task_count[j] += 1
        mentor_count[k] += 1
        if task_count[j] > task_cap[j]:
            place = task_worst[j]
            while held[owner[e := by_task[place]]] != e:
                place -= 1
            task_worst[j] = place
            held[owner[e]] = _NONE
            task_count[j] -= 1
            mentor_count[k] -= 1
            free.append(owner[e])
        elif mentor_count[k] > mentor_cap[k]:
            place = mentor_worst[k]
            while (e := held[ranked[place]]) == _NONE or entry_mentor[e] != k:
                place -= 1
            mentor_worst[k] = place
            held[ranked[place]] = _NONE
            task_count[entry_task[e]] -= 1
            mentor_count[k] -= 1
            free.append(ranked[place])
        if task_count[j] == task_cap[j]:
            place = task_worst[j]
            while held[owner[e := by_task[place]]] != e:
                place -= 1
            task_worst[j] = place
            task_limit[j] = min(task_limit[j], entry_rank[e])
        if mentor_count[k] == mentor_cap[k]:
            place = mentor_worst[k]
            while (e := held[ranked[place]]) == _NONE or entry_mentor[e] != k:
                place -= 1
            mentor_worst[k] = place
            mentor_limit[k] = min(mentor_limit[k], place)
    return _result(ix, strict, held, seed, "pairs")


def solve_mentor_optimal(instance: Instance, seed: int = 0) -> Matching:
    """The mentor-optimal stable matching (SPA-lecturer): the same pairs are matched as in
    the pair-optimal one, each mentor with the best set of pairs it has in any stable
    matching. Ties in the mentors' lists are broken with ``seed``."""
    strict = break_ties(instance, seed)
    ix = strict.indexed
    start, owner, by_task = ix.start, ix.owner, ix.by_task
    entry_task, entry_mentor, entry_rank = ix.entry_task, ix.entry_mentor, ix.entry_rank
    task_cap, mentor_cap = ix.task_cap, ix.mentor_cap
    m, q = len(task_cap), len(mentor_cap)
    mentor_tasks: list[list[int]] = [[] for _ in range(q)]
    for j, k in enumerate(ix.task_mentor):
        mentor_tasks[k].append(j)
    task_count = [0] * m
    mentor_count = [0] * q
    # The entry each pair holds, or the end of its list when free: an entry at or past it
    # is one the pair no longer wants. Only decreases.
    held = start[1:]
    head = ix.task_start[:-1]  # per task: the first entry not yet known to be dead for it
    task_end = ix.task_start[1:]

    def first_live(j: int) -> int:
        """The best entry of task j whose pair would still take it, or _NONE."""
        place, end = head[j], task_end[j]
        while place < end and held[owner[by_task[place]]] <= by_task[place]:
            place += 1
        head[j] = place
        return by_task[place] if place < end else _NONE

    work = list(range(q - 1, -1, -1))
    queued = [True] * q
    while work:
        k = work.pop()
        queued[k] = False
        while mentor_count[k] < mentor_cap[k]:
            best = _NONE
            for j in mentor_tasks[k]:
                if task_count[j] < task_cap[j]:
                    e = first_live(j)
                    if e != _NONE and (best == _NONE or entry_rank[e] < entry_rank[best]):
                        best = e
            if best == _NONE:
                break
            i = owner[best]
            x = start[i]
            while not (
                entry_mentor[x] == k and task_count[entry_task[x]] < task_cap[entry_task[x]]
            ):
                x += 1  # a live open task of k exists before held[i]: found above
            j = entry_task[x]
            old = held[i]
            if old < start[i + 1]:
                task_count[entry_task[old]] -= 1
                mentor_count[entry_mentor[old]] -= 1
                if not queued[entry_mentor[old]]:
                    queued[entry_mentor[old]] = True
                    work.append(entry_mentor[old])
            held[i] = x
            task_count[j] += 1
            mentor_count[k] += 1
    return _result(ix, strict, held, seed, "mentors")
