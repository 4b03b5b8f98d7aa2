"""The two-way selection (双选会) as an SPA-S instance: pairs rank tasks, mentors rank pairs.

Terms follow Abraham, Irving and Manlove (2007), "Two algorithms for the Student-Project
Allocation problem": a *pair* (teacher + student) is their student, a *task* their project,
a *mentor* their lecturer. A mentor ranks, in ONE list, exactly the pairs that applied to
any of the mentor's tasks; the list a task sees is that list restricted to its applicants.

Mentors may give ties (a tier of equally ranked pairs). The matching needs strict lists, so
ties are broken by the published rule in :func:`break_ties`, whose seed every result carries.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from ossmeta.analyses.program.indexed import Indexed, index
from ossmeta.errors import InputError

__all__ = [
    "DEFAULT_MAX_CHOICES",
    "Instance",
    "InstanceError",
    "Matching",
    "Mentor",
    "Pair",
    "Task",
    "break_ties",
    "tie_rule",
]

# OSPP and GSoC both cap applications at three.
DEFAULT_MAX_CHOICES = 3


class InstanceError(InputError):
    """The applications, tasks or rankings do not form a valid instance (exit 2)."""


@dataclass(frozen=True)
class Pair:
    """A teacher+student pair and the tasks it applied to, best first."""

    id: str
    choices: tuple[str, ...]
    student: str = ""
    teacher: str = ""


@dataclass(frozen=True)
class Task:
    id: str
    mentor: str
    capacity: int = 1


@dataclass(frozen=True)
class Mentor:
    """``ranking`` is best first; each element is a tier of pairs the mentor ranks equal
    (a strict list has tiers of one pair)."""

    id: str
    capacity: int
    ranking: tuple[tuple[str, ...], ...]

    @property
    def strict(self) -> bool:
        return max(map(len, self.ranking), default=1) == 1

    def order(self) -> tuple[str, ...]:
        """The pairs in ranked order (tiers flattened as given)."""
        return tuple(pair for tier in self.ranking for pair in tier)


@dataclass(frozen=True)
class Instance:
    pairs: tuple[Pair, ...]
    tasks: tuple[Task, ...]
    mentors: tuple[Mentor, ...]
    max_choices: int = DEFAULT_MAX_CHOICES
    _indexed: Indexed = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        indexed = index(self)
        if indexed is None:
            _validate(self)  # names what is wrong
            raise AssertionError("the instance failed the indexed checks only")
        object.__setattr__(self, "_indexed", indexed)  # frozen: set once, here

    @property
    def strict(self) -> bool:
        return self._indexed.strict

    @property
    def indexed(self) -> Indexed:
        """The instance numbered for the solvers (see :mod:`.indexed`)."""
        return self._indexed

    def task(self, task_id: str) -> Task:
        return self.tasks[self._indexed.task_no[task_id]]

    def mentor(self, mentor_id: str) -> Mentor:
        return self.mentors[self._indexed.mentor_no[mentor_id]]


@dataclass(frozen=True)
class Matching:
    """The result: ``assignment`` maps each matched pair to its task (unmatched pairs are
    absent). ``instance`` is the strict instance that was solved (ties already broken), so a
    checker and the explanation read the very lists the solver used; ``seed`` is the
    tie-break seed that turned the submitted rankings into those lists."""

    instance: Instance
    assignment: Mapping[str, str]
    seed: int = 0
    optimal_for: str = ""


def tie_rule(seed: int) -> str:
    """The published tie-break rule, in words, with its seed."""
    return (
        f"Within each group of pairs a mentor ranked equal, the pairs are sorted by pair id and "
        f"then shuffled by Python's random.Random seeded with the text '{seed}:<mentor id>' "
        f"(random.shuffle); seed {seed}."
    )


def break_ties(instance: Instance, seed: int) -> Instance:
    """The strict instance: every tie broken by :func:`tie_rule`. Each mentor's shuffle is
    seeded on its own, so adding a mentor does not change how another mentor's ties break."""
    if instance.strict:
        return instance
    mentors = []
    for mentor in instance.mentors:
        rng = random.Random(f"{seed}:{mentor.id}")
        order: list[tuple[str, ...]] = []
        for tier in mentor.ranking:
            group = sorted(tier)
            rng.shuffle(group)
            order.extend((pair,) for pair in group)
        mentors.append(Mentor(mentor.id, mentor.capacity, tuple(order)))
    return Instance(instance.pairs, instance.tasks, tuple(mentors), instance.max_choices)


def _duplicates(ids: Collection[str]) -> list[str]:
    if len(set(ids)) == len(ids):
        return []  # the common case, at C speed
    seen: set[str] = set()
    twice: list[str] = []
    for item in ids:
        if item in seen:
            twice.append(item)
        seen.add(item)
    return twice


def _validate(instance: Instance) -> None:
    for kind, ids in (
        ("pair", [pair.id for pair in instance.pairs]),
        ("task", [task.id for task in instance.tasks]),
        ("mentor", [mentor.id for mentor in instance.mentors]),
    ):
        if twice := _duplicates(ids):
            raise InstanceError(f"{kind} {twice[0]!r} is given twice")
    tasks = {task.id: task for task in instance.tasks}
    mentors = {mentor.id: mentor for mentor in instance.mentors}
    for task in instance.tasks:
        if task.capacity < 1:
            raise InstanceError(f"task {task.id!r} has capacity {task.capacity}; it must be ≥ 1")
        if task.mentor not in mentors:
            raise InstanceError(f"task {task.id!r} names unknown mentor {task.mentor!r}")
    applicants: dict[str, set[str]] = {mentor.id: set() for mentor in instance.mentors}
    for pair in instance.pairs:
        if not pair.choices:
            raise InstanceError(f"pair {pair.id!r} applied to no task")
        if len(pair.choices) > instance.max_choices:
            raise InstanceError(
                f"pair {pair.id!r} ranks {len(pair.choices)} tasks; at most "
                f"{instance.max_choices} are allowed"
            )
        if twice := _duplicates(pair.choices):
            raise InstanceError(f"pair {pair.id!r} ranks task {twice[0]!r} twice")
        for choice in pair.choices:
            found = tasks.get(choice)
            if found is None:
                raise InstanceError(f"pair {pair.id!r} ranks unknown task {choice!r}")
            applicants[found.mentor].add(pair.id)
    for mentor in instance.mentors:
        if mentor.capacity < 1:
            raise InstanceError(
                f"mentor {mentor.id!r} has capacity {mentor.capacity}; it must be ≥ 1"
            )
        ranked = mentor.order()
        if twice := _duplicates(ranked):
            raise InstanceError(f"mentor {mentor.id!r} ranks pair {twice[0]!r} twice")
        if not all(mentor.ranking):
            raise InstanceError(f"mentor {mentor.id!r} has an empty rank group")
        # SPA-S needs the list to be exactly the applicants (the `matching` library crashes
        # on anything else, and a missing applicant would silently lose an application).
        ranked_set = set(ranked)
        extra = sorted(ranked_set - applicants[mentor.id])
        if extra:
            raise InstanceError(
                f"mentor {mentor.id!r} ranks pair {extra[0]!r}, which applied to none of "
                f"the mentor's tasks"
            )
        missing = sorted(applicants[mentor.id] - ranked_set)
        if missing:
            raise InstanceError(
                f"mentor {mentor.id!r} does not rank pair {missing[0]!r}, which applied to "
                f"one of the mentor's tasks"
            )
