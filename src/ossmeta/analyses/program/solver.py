"""SPA-student and SPA-lecturer of Abraham, Irving and Manlove (2007), on index arrays.

Both run on a compiled form of the strict instance: pairs, tasks and mentors numbered, each
pair's list as task numbers, and ``rank[i][x]`` = the position of pair ``i`` in the list of
the mentor of its ``x``-th task. Deletions are never done on the lists themselves:

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

from dataclasses import dataclass

from ossmeta.analyses.program.model import Instance, Matching, break_ties

__all__ = ["solve_mentor_optimal", "solve_pair_optimal"]

_NONE = -1


@dataclass(frozen=True)
class _Compiled:
    pair_ids: list[str]
    task_ids: list[str]
    prefs: list[list[int]]  # pair -> its tasks, best first
    ranks: list[list[int]]  # pair -> rank (in that task's mentor's list) per entry of prefs
    task_mentor: list[int]
    task_cap: list[int]
    mentor_cap: list[int]
    mentor_list: list[list[int]]  # mentor -> pairs, best first
    task_list: list[list[int]]  # task -> applicants, in its mentor's order
    task_rank: list[list[int]]  # task -> the mentor's rank of each of those applicants
    mentor_tasks: list[list[int]]


def _compile(instance: Instance) -> _Compiled:
    pair_ids = [pair.id for pair in instance.pairs]
    pair_no = {pid: i for i, pid in enumerate(pair_ids)}
    task_ids = [task.id for task in instance.tasks]
    task_no = {tid: j for j, tid in enumerate(task_ids)}
    mentor_no = {mentor.id: k for k, mentor in enumerate(instance.mentors)}
    task_mentor = [mentor_no[task.mentor] for task in instance.tasks]
    mentor_tasks: list[list[int]] = [[] for _ in instance.mentors]
    for j, k in enumerate(task_mentor):
        mentor_tasks[k].append(j)
    prefs = [[task_no[t] for t in pair.choices] for pair in instance.pairs]
    mentor_list = [
        [pair_no[p] for tier in mentor.ranking for p in tier] for mentor in instance.mentors
    ]
    # rank of pair i with mentor k: one dict per mentor (a pair meets few mentors)
    mentor_rank = [{i: r for r, i in enumerate(order)} for order in mentor_list]
    ranks = [[mentor_rank[task_mentor[j]][i] for j in pref] for i, pref in enumerate(prefs)]
    # each task's applicants in its mentor's order: gathered from the pairs' lists, sorted
    gathered: list[list[tuple[int, int]]] = [[] for _ in task_ids]
    for i, pref in enumerate(prefs):
        for j, r in zip(pref, ranks[i], strict=True):
            gathered[j].append((r, i))
    task_list: list[list[int]] = []
    task_rank: list[list[int]] = []
    for applicants in gathered:
        applicants.sort()
        task_rank.append([r for r, _ in applicants])
        task_list.append([i for _, i in applicants])
    return _Compiled(
        pair_ids,
        task_ids,
        prefs,
        ranks,
        task_mentor,
        [task.capacity for task in instance.tasks],
        [mentor.capacity for mentor in instance.mentors],
        mentor_list,
        task_list,
        task_rank,
        mentor_tasks,
    )


def _result(
    c: _Compiled, instance: Instance, assigned: list[int], seed: int, side: str
) -> Matching:
    assignment = {c.pair_ids[i]: c.task_ids[j] for i, j in enumerate(assigned) if j != _NONE}
    return Matching(instance, assignment, seed, side)


def solve_pair_optimal(instance: Instance, seed: int = 0) -> Matching:
    """The pair-optimal stable matching (SPA-student): every matched pair gets the best task
    it gets in any stable matching. Ties in the mentors' lists are broken with ``seed``."""
    strict = break_ties(instance, seed)
    c = _compile(strict)
    n, m, q = len(c.pair_ids), len(c.task_ids), len(c.mentor_cap)
    prefs, ranks, task_mentor = c.prefs, c.ranks, c.task_mentor
    task_cap, mentor_cap = c.task_cap, c.mentor_cap
    big = n + 1
    task_limit = [big] * m  # entries ranked past this are deleted from the task
    mentor_limit = [big] * q
    task_count = [0] * m
    mentor_count = [0] * q
    # backwards pointers (positions in task_list / mentor_list) for the worst assigned pair
    task_worst = [len(lst) - 1 for lst in c.task_list]
    mentor_worst = [len(lst) - 1 for lst in c.mentor_list]
    task_list, mentor_list = c.task_list, c.mentor_list
    assigned = [_NONE] * n
    cursor = [0] * n  # next entry of each pair's list to propose to
    free = list(range(n - 1, -1, -1))  # a stack; popping gives pair 0 first

    def worst_of_task(j: int) -> int:
        lst, pos = task_list[j], task_worst[j]
        while assigned[lst[pos]] != j:
            pos -= 1
        task_worst[j] = pos
        return lst[pos]

    def worst_of_mentor(k: int) -> int:
        lst, pos = mentor_list[k], mentor_worst[k]
        while (t := assigned[lst[pos]]) == _NONE or task_mentor[t] != k:
            pos -= 1
        mentor_worst[k] = pos
        return lst[pos]

    while free:
        i = free.pop()
        pref, rank, x = prefs[i], ranks[i], cursor[i]
        while x < len(pref):
            j = pref[x]
            r = rank[x]
            if r < task_limit[j] and r < mentor_limit[task_mentor[j]]:
                break
            x += 1
        cursor[i] = x
        if x == len(pref):
            continue  # every entry deleted: unmatched
        k = task_mentor[j]
        assigned[i] = j
        task_count[j] += 1
        mentor_count[k] += 1
        if task_count[j] > task_cap[j]:
            loser = worst_of_task(j)
            assigned[loser] = _NONE
            task_count[j] -= 1
            mentor_count[k] -= 1
            free.append(loser)
        elif mentor_count[k] > mentor_cap[k]:
            loser = worst_of_mentor(k)
            t = assigned[loser]
            assigned[loser] = _NONE
            task_count[t] -= 1
            mentor_count[k] -= 1
            free.append(loser)
        if task_count[j] == task_cap[j]:
            worst_of_task(j)
            task_limit[j] = min(task_limit[j], c.task_rank[j][task_worst[j]])
        if mentor_count[k] == mentor_cap[k]:
            worst_of_mentor(k)  # a position in the mentor's list is the mentor's rank
            mentor_limit[k] = min(mentor_limit[k], mentor_worst[k])
    return _result(c, strict, assigned, seed, "pairs")


def solve_mentor_optimal(instance: Instance, seed: int = 0) -> Matching:
    """The mentor-optimal stable matching (SPA-lecturer): the same pairs are matched as in
    the pair-optimal one, each mentor with the best set of pairs it has in any stable
    matching. Ties in the mentors' lists are broken with ``seed``."""
    strict = break_ties(instance, seed)
    c = _compile(strict)
    n, m, q = len(c.pair_ids), len(c.task_ids), len(c.mentor_cap)
    prefs, task_mentor, task_list = c.prefs, c.task_mentor, c.task_list
    task_cap, mentor_cap = c.task_cap, c.mentor_cap
    mentor_rank = [{i: r for r, i in enumerate(order)} for order in c.mentor_list]
    task_count = [0] * m
    mentor_count = [0] * q
    assigned = [_NONE] * n
    # position in its own list of the pair's task; len(list) when free. Only decreases.
    held = [len(pref) for pref in prefs]
    position = [{j: x for x, j in enumerate(pref)} for pref in prefs]
    head = [0] * m  # per task: first applicant not yet known to be dead for it

    def first_live(j: int) -> int:
        """The best applicant of task j still willing to take it, or _NONE."""
        lst, h = task_list[j], head[j]
        while h < len(lst) and held[lst[h]] <= position[lst[h]][j]:
            h += 1
        head[j] = h
        return lst[h] if h < len(lst) else _NONE

    work = list(range(q - 1, -1, -1))
    queued = [True] * q
    while work:
        k = work.pop()
        queued[k] = False
        rank = mentor_rank[k]
        while mentor_count[k] < mentor_cap[k]:
            best, best_rank = _NONE, len(rank)
            for j in c.mentor_tasks[k]:
                if task_count[j] < task_cap[j]:
                    i = first_live(j)
                    if i != _NONE and rank[i] < best_rank:
                        best, best_rank = i, rank[i]
            if best == _NONE:
                break
            i = best
            pref, x = prefs[i], 0
            while not (task_mentor[pref[x]] == k and task_count[pref[x]] < task_cap[pref[x]]):
                x += 1  # a live open task of k exists before held[i]: found above
            j = pref[x]
            old = assigned[i]
            if old != _NONE:
                task_count[old] -= 1
                mentor_count[task_mentor[old]] -= 1
                if not queued[task_mentor[old]]:
                    queued[task_mentor[old]] = True
                    work.append(task_mentor[old])
            assigned[i] = j
            held[i] = x
            task_count[j] += 1
            mentor_count[k] += 1
    return _result(c, strict, assigned, seed, "mentors")
