"""Two-way selection benchmark: our SPA-S solver against the `matching` library (1.4.3).

The instance (the research note's generator, seeded): 200 mentors with 3 tasks each (600
tasks), task capacity uniform 1–3, mentor capacity uniform in [largest task capacity, sum
of its task capacities] (so mentors are the bottleneck); 2,000 pairs, each ranking
``--choices`` random tasks (default 3, the program's cap); each mentor ranks every pair that
applied to any of its tasks, in random order.

Prints, for the identical instance in the same run:
- ours: building the validated instance, the pair-optimal solve, the mentor-optimal solve,
  and the independent checker;
- the library, in a child process with a time cap (``--cap`` seconds), called as its users
  call it: building the game (``create_from_dictionaries``) and ``solve("student")``, each
  timed on its own; then whether the two matchings are identical, and the ratio of the
  totals (build + pair-optimal solve), in wall time and in CPU time;
- ours alone on ``--large`` pairs (default 100,000; tasks and mentors scaled alike), with
  the peak memory that building and solving allocate.

Both sides count the fastest of their runs (``--repeat`` for ours, ``--lib-repeat`` for the
library): on a shared machine the fastest run is the one least disturbed by other work, and
giving only one side that benefit would flatter it. CPU time is printed beside wall time
for the same reason.

    .venv/bin/python bench/bench_matching.py [--pairs 2000] [--choices 3] [--seed 7]
        [--cap 600] [--skip-anchor] [--large 100000] [--repeat 20] [--lib-repeat 3]

The research note's figures for the library at this size are per list length: 1.1 s to
build and 0.03 s to solve with 3 choices per pair, and 198 s to build and 86 s to solve with
complete lists (``--choices 600``, every pair ranking every task).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from ossmeta.analyses.program import (
    Instance,
    Mentor,
    Pair,
    Task,
    check,
    solve_mentor_optimal,
    solve_pair_optimal,
)

TASKS_PER_MENTOR = 3
T = TypeVar("T")


def generate(pairs: int, mentors: int, choices: int, seed: int) -> dict[str, object]:
    """The instance as plain lists (what both solvers are built from)."""
    rng = random.Random(seed)
    tasks: list[tuple[str, str, int]] = []
    mentor_caps: dict[str, int] = {}
    for k in range(mentors):
        caps = [rng.randint(1, 3) for _ in range(TASKS_PER_MENTOR)]
        mentor_caps[f"m{k}"] = rng.randint(max(caps), sum(caps))
        tasks += [(f"t{k}_{j}", f"m{k}", cap) for j, cap in enumerate(caps)]
    task_ids = [task[0] for task in tasks]
    mentor_of = {task[0]: task[1] for task in tasks}
    prefs = {f"p{i}": rng.sample(task_ids, min(choices, len(task_ids))) for i in range(pairs)}
    applicants: dict[str, set[str]] = {m: set() for m in mentor_caps}
    for pair, chosen in prefs.items():
        for task in chosen:
            applicants[mentor_of[task]].add(pair)
    rankings = {}
    for mentor, group in applicants.items():
        order = sorted(group, key=lambda p: int(p[1:]))
        rng.shuffle(order)
        rankings[mentor] = order
    return {"tasks": tasks, "mentor_caps": mentor_caps, "prefs": prefs, "rankings": rankings}


def build(data: dict[str, object], choices: int) -> Instance:
    tasks = tuple(Task(*task) for task in data["tasks"])  # type: ignore[attr-defined]
    pairs = tuple(Pair(p, tuple(c)) for p, c in data["prefs"].items())  # type: ignore[attr-defined]
    mentors = tuple(
        Mentor(m, cap, tuple(zip(data["rankings"][m], strict=True)))  # type: ignore[index]
        for m, cap in data["mentor_caps"].items()  # type: ignore[attr-defined]
    )
    return Instance(pairs, tasks, mentors, max_choices=max(choices, 3))


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float

    def __add__(self, other: Timing) -> Timing:
        return Timing(self.wall + other.wall, self.cpu + other.cpu)


def timed(fn: Callable[..., T], *args: object, repeat: int = 1) -> tuple[T, Timing]:
    """The result and the fastest wall and CPU seconds of ``repeat`` calls (each taken on
    its own: on a shared machine wall time also counts the waits for a core)."""
    wall = cpu = math.inf
    for _ in range(repeat):
        start, cpu_start = time.perf_counter(), time.process_time()
        result = fn(*args)
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - cpu_start)
    return result, Timing(wall, cpu)


@dataclass(frozen=True)
class Ours:
    build: Timing
    pairs: Timing
    mentors: Timing
    check: Timing
    assignment: dict[str, str]


def ours(pairs: int, mentors: int, choices: int, seed: int, *, repeat: int) -> Ours:
    data = generate(pairs, mentors, choices, seed)
    instance, t_build = timed(build, data, choices, repeat=repeat)
    best, t_pairs = timed(solve_pair_optimal, instance, repeat=repeat)
    worst, t_mentors = timed(solve_mentor_optimal, instance, repeat=repeat)
    assert set(best.assignment) == set(worst.assignment)
    verdict, t_check = timed(check, instance, best)
    assert verdict.ok, verdict
    return Ours(t_build, t_pairs, t_mentors, t_check, dict(best.assignment))


def peak_memory(pairs: int, mentors: int, choices: int, seed: int) -> int:
    """Bytes allocated at the peak of building the instance and solving it (pair-optimal),
    on top of the generated input; a separate run, as tracing slows everything down."""
    data = generate(pairs, mentors, choices, seed)
    tracemalloc.start()
    try:
        solve_pair_optimal(build(data, choices))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def anchor_child(pairs: int, mentors: int, choices: int, seed: int, repeat: int, out: Path) -> None:
    """Runs in a child process: the library on the same instance, ``repeat`` times (a fresh
    game each time: solving changes the game), the fastest build and solve counted."""
    from matching.games import StudentAllocation

    data = generate(pairs, mentors, choices, seed)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20 * pairs + 1000))  # its deep copy
    tasks = data["tasks"]
    best = {"build": math.inf, "solve": math.inf, "build_cpu": math.inf, "solve_cpu": math.inf}
    assignments = []
    for _ in range(repeat):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start, cpu = time.perf_counter(), time.process_time()
            game = StudentAllocation.create_from_dictionaries(
                data["prefs"],
                data["rankings"],
                {t: m for t, m, _ in tasks},  # type: ignore[attr-defined]
                {t: c for t, _, c in tasks},  # type: ignore[attr-defined]
                data["mentor_caps"],
                clean=False,
            )
            built, built_cpu = time.perf_counter(), time.process_time()
            result = game.solve(optimal="student")
            done, done_cpu = time.perf_counter(), time.process_time()
        for key, value in (
            ("build", built - start),
            ("solve", done - built),
            ("build_cpu", built_cpu - cpu),
            ("solve_cpu", done_cpu - built_cpu),
        ):
            best[key] = min(best[key], value)
        assignments.append({s.name: p.name for p, ss in result.items() for s in ss})
    assert all(a == assignments[0] for a in assignments), "the library is not deterministic"
    out.write_text(json.dumps({**best, "assignment": assignments[0]}))


def anchor(
    pairs: int, mentors: int, choices: int, seed: int, cap: float, repeat: int
) -> dict[str, object] | None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "anchor.json"
        argv = [sys.executable, __file__, "--anchor-child", str(out), "--pairs", str(pairs)]
        argv += ["--mentors", str(mentors), "--choices", str(choices), "--seed", str(seed)]
        argv += ["--lib-repeat", str(repeat)]
        try:
            subprocess.run(argv, check=True, timeout=cap)
        except subprocess.TimeoutExpired:
            return None
        result: dict[str, object] = json.loads(out.read_text())
        return result


def _seconds(t: Timing, digits: int = 3) -> str:
    return f"{t.wall:.{digits}f} s (CPU {t.cpu:.{digits}f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--mentors", type=int, default=200)
    parser.add_argument("--choices", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cap", type=float, default=600.0, help="seconds allowed the library")
    parser.add_argument("--skip-anchor", action="store_true")
    parser.add_argument("--repeat", type=int, default=20, help="runs of ours; the fastest counts")
    parser.add_argument("--lib-repeat", type=int, default=3, help="runs of the library")
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--anchor-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.anchor_child:
        anchor_child(
            args.pairs, args.mentors, args.choices, args.seed, args.lib_repeat, args.anchor_child
        )
        return
    size = f"{args.pairs} pairs x {args.mentors * TASKS_PER_MENTOR} tasks x {args.mentors} mentors"
    print(f"matching: {size}, {args.choices} choices per pair, seed {args.seed}")
    # wall time includes waiting for a core: the load says how much of that to expect
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    mine = ours(args.pairs, args.mentors, args.choices, args.seed, repeat=args.repeat)
    total = mine.build + mine.pairs
    print(
        f"  ours (fastest of {args.repeat}): instance {_seconds(mine.build)}, pair-optimal "
        f"{_seconds(mine.pairs)}, total {_seconds(total)}; mentor-optimal "
        f"{_seconds(mine.mentors)}, checker {_seconds(mine.check)}; "
        f"{len(mine.assignment)} pairs matched"
    )
    if not args.skip_anchor:
        lib = anchor(args.pairs, args.mentors, args.choices, args.seed, args.cap, args.lib_repeat)
        if lib is None:
            print(f"  matching 1.4.3: did not finish within the {args.cap:.0f} s cap")
        else:
            their_build = Timing(float(lib["build"]), float(lib["build_cpu"]))  # type: ignore[arg-type]
            their_solve = Timing(float(lib["solve"]), float(lib["solve_cpu"]))  # type: ignore[arg-type]
            their = their_build + their_solve
            same = lib["assignment"] == mine.assignment
            print(
                f"  matching 1.4.3 (fastest of {args.lib_repeat}): build {_seconds(their_build, 2)}, "
                f"solve('student') {_seconds(their_solve, 2)}, total {_seconds(their, 2)}; "
                f"identical matching: {'yes' if same else 'NO'}"
            )
            print(
                f"  ratio (build + solve): {their.wall / total.wall:.0f}x wall, "
                f"{their.cpu / total.cpu:.0f}x CPU (target >= 100x)"
            )
            if not same:
                sys.exit("the two matchings differ")
    if args.large:
        scale = max(1, args.large // 10)
        big = ours(args.large, scale, args.choices, args.seed, repeat=1)
        peak = peak_memory(args.large, scale, args.choices, args.seed)
        print(
            f"  ours, {args.large} pairs x {scale * TASKS_PER_MENTOR} tasks x {scale} mentors: "
            f"instance {_seconds(big.build, 2)}, pair-optimal {_seconds(big.pairs, 2)}, "
            f"total {_seconds(big.build + big.pairs, 2)}; mentor-optimal "
            f"{_seconds(big.mentors, 2)}, checker {_seconds(big.check, 2)}; "
            f"{len(big.assignment)} matched; peak memory of instance + solve "
            f"{peak / 2**20:.0f} MiB (process peak RSS "
            f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB)"
        )


if __name__ == "__main__":
    main()
