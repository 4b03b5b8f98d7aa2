"""Why each pair got what it got: data (codes and counts) and a message key per reason.

For every task a pair ranked above its result, stability leaves exactly two possibilities:
the task was full with pairs its mentor ranked higher (``task_full``), or the task had room
but its mentor was full with pairs ranked higher (``mentor_full``). A third code,
``not_stable``, appears only for a matching that has a blocking pair (an admin's override):
the pair could have had that task. Unmatched pairs also see the tasks that still have room
(task and mentor both under capacity) and that they did not apply to.

The pages translate ``message_key`` (with ``count`` and ``task``) in Chinese and English:
"your first choice was taken by 2 pairs its mentor ranked higher" /
"你的第一志愿已被导师排序更靠前的 2 个组合占满".
"""

from __future__ import annotations

from dataclasses import dataclass

from ossmeta.analyses.program.model import Instance, Matching, break_ties

__all__ = ["Explanation", "Reason", "explain"]

MESSAGE_KEYS = {
    "task_full": "program.match.reason.task_full",
    "mentor_full": "program.match.reason.mentor_full",
    "not_stable": "program.match.reason.not_stable",
}


@dataclass(frozen=True)
class Reason:
    """Why ``task`` (the pair's ``choice``-th choice, 1-based) went to others: ``count`` is how
    many pairs the mentor ranked higher hold the full task (or the full mentor)."""

    task: str
    choice: int
    code: str
    count: int
    message_key: str


@dataclass(frozen=True)
class Explanation:
    pair: str
    task: str | None  # the result; None when unmatched
    choice: int | None  # its place in the pair's list, 1-based
    reasons: tuple[Reason, ...]
    open_tasks: tuple[str, ...]  # only for unmatched pairs
    message_key: str


def explain(instance: Instance, matching: Matching) -> dict[str, Explanation]:
    """One explanation per pair of the instance, keyed by pair id (deterministic)."""
    strict = break_ties(instance, matching.seed)
    tasks = {task.id: task for task in strict.tasks}
    mentors = {mentor.id: mentor for mentor in strict.mentors}
    rank = {m.id: {p: r for r, p in enumerate(m.order())} for m in strict.mentors}
    of_task: dict[str, list[str]] = {t: [] for t in tasks}
    of_mentor: dict[str, list[str]] = {m: [] for m in mentors}
    for pair_id, task_id in matching.assignment.items():
        of_task[task_id].append(pair_id)
        of_mentor[tasks[task_id].mentor].append(pair_id)
    with_room = [
        t.id
        for t in strict.tasks
        if len(of_task[t.id]) < t.capacity and len(of_mentor[t.mentor]) < mentors[t.mentor].capacity
    ]
    result: dict[str, Explanation] = {}
    for pair in strict.pairs:
        got = matching.assignment.get(pair.id)
        reasons: list[Reason] = []
        for place, task_id in enumerate(pair.choices, start=1):
            if task_id == got:
                break
            task = tasks[task_id]
            ranks = rank[task.mentor]
            mine = ranks[pair.id]
            if len(of_task[task_id]) >= task.capacity:
                code = "task_full"
                higher = sum(1 for p in of_task[task_id] if ranks[p] < mine)
                if higher < len(of_task[task_id]):
                    code, higher = "not_stable", 0  # the mentor prefers this pair to one held
            elif len(of_mentor[task.mentor]) >= mentors[task.mentor].capacity:
                code = "mentor_full"
                held = of_mentor[task.mentor]
                higher = sum(1 for p in held if ranks[p] < mine)
                if pair.id in held or higher < len(held):
                    code, higher = "not_stable", 0
            else:
                code, higher = "not_stable", 0
            reasons.append(Reason(task_id, place, code, higher, MESSAGE_KEYS[code]))
        if got is None:
            room = tuple(t for t in with_room if t not in pair.choices)
            key = "program.match.unmatched"
            result[pair.id] = Explanation(pair.id, None, None, tuple(reasons), room, key)
        else:
            place = pair.choices.index(got) + 1
            key = "program.match.first_choice" if place == 1 else "program.match.lower_choice"
            result[pair.id] = Explanation(pair.id, got, place, tuple(reasons), (), key)
    return result
