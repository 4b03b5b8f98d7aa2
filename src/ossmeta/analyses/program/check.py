"""The independent checker: feasibility and the SPA-S blocking-pair definition, brute force.

It shares nothing with the solver but the dataclasses: it reads the definition of
Abraham, Irving and Manlove (2007) case by case, over the ids, so a bug in the solver's
index arithmetic cannot hide here. It audits every matching the solver returns and every
edit an admin makes.

A blocking pair (s, p), with l the mentor of p, is: p is on s's list; s is unmatched or
prefers p to its task; and one of
  3a  p has room and l has room;
  3b  p has room, l is full, and s is already one of l's pairs or l prefers s to its worst;
  3c  p is full and l prefers s to the worst pair in p.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from ossmeta.analyses.program.model import Instance, InstanceError, Matching, break_ties

__all__ = ["BlockingPair", "Problem", "Verdict", "blocking_pairs", "check", "problems"]


@dataclass(frozen=True)
class BlockingPair:
    pair: str
    task: str
    case: str  # "3a", "3b" or "3c"


@dataclass(frozen=True)
class Problem:
    """A matching that is not even feasible: ``code`` is one of ``unknown_pair``,
    ``unknown_task``, ``not_acceptable``, ``task_over_capacity``, ``mentor_over_capacity``."""

    code: str
    subject: str


def _strict(instance: Instance, matching: Matching) -> Instance:
    return break_ties(instance, matching.seed)


def problems(instance: Instance, assignment: Mapping[str, str]) -> list[Problem]:
    """Feasibility: known ids, only acceptable tasks, capacities respected."""
    found: list[Problem] = []
    pairs = {pair.id: pair for pair in instance.pairs}
    tasks = {task.id: task for task in instance.tasks}
    for pair_id, task_id in assignment.items():
        if pair_id not in pairs:
            found.append(Problem("unknown_pair", pair_id))
        elif task_id not in tasks:
            found.append(Problem("unknown_task", task_id))
        elif task_id not in pairs[pair_id].choices:
            found.append(Problem("not_acceptable", f"{pair_id}->{task_id}"))
    held = Counter(assignment.values())
    found.extend(
        Problem("task_over_capacity", task.id)
        for task in instance.tasks
        if held[task.id] > task.capacity
    )
    mentor_held = Counter(tasks[t].mentor for t in assignment.values() if t in tasks)
    found.extend(
        Problem("mentor_over_capacity", mentor.id)
        for mentor in instance.mentors
        if mentor_held[mentor.id] > mentor.capacity
    )
    return found


def blocking_pairs(instance: Instance, matching: Matching) -> list[BlockingPair]:
    """Every blocking pair of ``matching`` in ``instance`` (ties broken with the matching's
    seed, by the published rule). Empty means stable. An infeasible matching (see
    :func:`problems`) is refused: stability means nothing for it."""
    if infeasible := problems(instance, matching.assignment):
        raise InstanceError(
            f"the matching is not feasible: {infeasible[0].code} {infeasible[0].subject}"
        )
    strict = _strict(instance, matching)
    tasks = {task.id: task for task in strict.tasks}
    mentors = {mentor.id: mentor for mentor in strict.mentors}
    rank = {m.id: {p: r for r, p in enumerate(m.order())} for m in strict.mentors}
    assignment = matching.assignment
    of_task: dict[str, list[str]] = {task.id: [] for task in strict.tasks}
    of_mentor: dict[str, list[str]] = {mentor.id: [] for mentor in strict.mentors}
    for pair_id, task_id in assignment.items():
        of_task[task_id].append(pair_id)
        of_mentor[tasks[task_id].mentor].append(pair_id)
    found: list[BlockingPair] = []
    for pair in strict.pairs:
        current = assignment.get(pair.id)
        for task_id in pair.choices:
            if task_id == current:
                break  # condition 2: only tasks the pair prefers to its own
            task = tasks[task_id]
            mentor = mentors[task.mentor]
            ranks = rank[mentor.id]
            in_task, in_mentor = of_task[task_id], of_mentor[mentor.id]
            task_room = len(in_task) < task.capacity
            mentor_room = len(in_mentor) < mentor.capacity
            mine = ranks[pair.id]
            if task_room and mentor_room:
                found.append(BlockingPair(pair.id, task_id, "3a"))
            elif task_room:
                worst = max(ranks[p] for p in in_mentor)
                if pair.id in in_mentor or mine < worst:
                    found.append(BlockingPair(pair.id, task_id, "3b"))
            else:
                worst = max(ranks[p] for p in in_task)
                if mine < worst:
                    found.append(BlockingPair(pair.id, task_id, "3c"))
    return found


@dataclass(frozen=True)
class Verdict:
    problems: tuple[Problem, ...]
    blocking: tuple[BlockingPair, ...]

    @property
    def ok(self) -> bool:
        return not self.problems and not self.blocking


def check(instance: Instance, matching: Matching) -> Verdict:
    """Feasibility first; the blocking pairs only of a feasible matching."""
    infeasible = tuple(problems(instance, matching.assignment))
    if infeasible:
        return Verdict(infeasible, ())
    return Verdict((), tuple(blocking_pairs(instance, matching)))
