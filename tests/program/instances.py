"""Random SPA-S instances for the property tests, and the `matching` library as an oracle."""

from __future__ import annotations

import itertools
import random
import sys
import warnings

from hypothesis import strategies as st

from ossmeta.analyses.program import Instance, Matching, Mentor, Pair, Task, blocking_pairs


def random_instance(
    rng: random.Random,
    pairs: int,
    tasks: int,
    mentors: int,
    *,
    max_choices: int = 3,
    ties: bool = False,
    tight: bool = False,
) -> Instance:
    """Any valid instance: capacities 1–3 with no assumption between task and mentor
    capacities; each mentor ranks exactly its applicants in random order (with random
    ties when ``ties``). ``tight`` (unit task capacities, mentor capacity 1–2) gives
    instances with several stable matchings far more often."""
    top = 1 if tight else 3
    task_objs = tuple(
        Task(f"t{j}", f"m{rng.randrange(mentors)}", rng.randint(1, top)) for j in range(tasks)
    )
    pair_objs = tuple(
        Pair(
            f"p{i}",
            tuple(rng.sample([t.id for t in task_objs], rng.randint(1, min(max_choices, tasks)))),
        )
        for i in range(pairs)
    )
    mentor_of = {t.id: t.mentor for t in task_objs}
    mentor_objs = []
    for k in range(mentors):
        applicants = [p.id for p in pair_objs if any(mentor_of[c] == f"m{k}" for c in p.choices)]
        rng.shuffle(applicants)
        tiers: list[tuple[str, ...]] = []
        for pair in applicants:
            if ties and tiers and rng.random() < 0.4:
                tiers[-1] = (*tiers[-1], pair)
            else:
                tiers.append((pair,))
        mentor_objs.append(Mentor(f"m{k}", rng.randint(1, 2 if tight else 4), tuple(tiers)))
    return Instance(pair_objs, task_objs, tuple(mentor_objs), max_choices)


@st.composite
def instances(draw: st.DrawFn, max_pairs: int = 8, ties: bool = False) -> Instance:
    seed = draw(st.integers(0, 2**32 - 1))
    pairs = draw(st.integers(1, max_pairs))
    tasks = draw(st.integers(1, 6))
    mentors = draw(st.integers(1, 3))
    return random_instance(random.Random(seed), pairs, tasks, mentors, ties=ties)


def library_solve(instance: Instance, optimal: str) -> dict[str, str]:
    """The `matching` library's result on the same (strict) instance.

    Its input conventions (research note §3.3): a supervisor with no applicants has no
    list and is left out with its tasks (nobody can be matched to them); each supervisor's
    list is exactly its applicants, which our Instance already guarantees — the library's
    own `clean` is not relied on (its unguarded `free_students.remove` crash)."""
    from matching.games import StudentAllocation

    # It deep-copies its linked player objects, recursing once per player it reaches.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20 * len(instance.pairs) + 1000))
    supervisor_prefs = {m.id: list(m.order()) for m in instance.mentors if m.order()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it warns on capacities outside max c_p ≤ d_k ≤ Σ c_p
        game = StudentAllocation.create_from_dictionaries(
            {p.id: list(p.choices) for p in instance.pairs},
            supervisor_prefs,
            {t.id: t.mentor for t in instance.tasks if t.mentor in supervisor_prefs},
            {t.id: t.capacity for t in instance.tasks if t.mentor in supervisor_prefs},
            {m.id: m.capacity for m in instance.mentors if m.id in supervisor_prefs},
            clean=False,
        )
        result = game.solve(optimal=optimal)
    return {s.name: p.name for p, students in result.items() for s in students}


def all_stable(instance: Instance) -> list[dict[str, str]]:
    """Every stable matching, by enumerating every feasible assignment (small instances)."""
    caps = {t.id: t.capacity for t in instance.tasks}
    mentor_of = {t.id: t.mentor for t in instance.tasks}
    mentor_caps = {m.id: m.capacity for m in instance.mentors}
    stable: list[dict[str, str]] = []
    options = [(None, *pair.choices) for pair in instance.pairs]
    for combo in itertools.product(*options):
        held: dict[str, int] = {}
        mentor_held: dict[str, int] = {}
        feasible = True
        for task in combo:
            if task is None:
                continue
            held[task] = held.get(task, 0) + 1
            mentor_held[mentor_of[task]] = mentor_held.get(mentor_of[task], 0) + 1
            if (
                held[task] > caps[task]
                or mentor_held[mentor_of[task]] > mentor_caps[mentor_of[task]]
            ):
                feasible = False
                break
        if not feasible:
            continue
        assignment = {p.id: t for p, t in zip(instance.pairs, combo, strict=True) if t is not None}
        if not blocking_pairs(instance, Matching(instance, assignment)):
            stable.append(assignment)
    return stable


def cyclic_instance(rng: random.Random, size: int) -> Instance:
    """Instances with several stable matchings: pair i ranks tasks i, i+1, i+2 (mod size),
    and each task's mentor ranks its applicants in the reverse rotation, so the pairs' and
    the mentors' best matchings differ; then a few mentors' lists are shuffled at random,
    which keeps some of the rotations and breaks others."""
    pairs = tuple(Pair(f"p{i}", tuple(f"t{(i + d) % size}" for d in range(3))) for i in range(size))
    tasks = tuple(Task(f"t{j}", f"m{j}", 1) for j in range(size))
    mentors = []
    for j in range(size):
        applicants = [f"p{(j - d) % size}" for d in (2, 1, 0)]
        if rng.random() < 0.3:
            rng.shuffle(applicants)
        mentors.append(Mentor(f"m{j}", 1, tuple((p,) for p in applicants)))
    return Instance(pairs, tasks, tuple(mentors))


@st.composite
def contested(draw: st.DrawFn) -> Instance:
    """Small instances for brute force: tight random ones, or cyclic ones."""
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    if draw(st.booleans()):
        return cyclic_instance(rng, draw(st.integers(3, 6)))
    return random_instance(
        rng, draw(st.integers(1, 6)), draw(st.integers(1, 5)), draw(st.integers(1, 5)), tight=True
    )
