"""Git benchmark: commits/s reading a generated repository, next to the floor of one raw
``git log --numstat`` process and next to Perceval's git backend, in the same run.

    .venv/bin/python bench/bench_git.py [--commits N] [--files F] [--jobs J] [--runs R]
        [--keep DIR] [--no-perceval]

What is measured, on one repository the script builds first with ``git fast-import``
(N commits, default 10,000, editing a pool of F files, default 300: small line edits,
new and deleted files, renames, a few binary files, a --no-ff merge of a short topic
branch about every 40 commits, annotated and lightweight tags, ~80 authors in several
time zones):

- floor: ``git log --numstat`` over all branches and tags, output read fully through a
  pipe (one process; git's diffing is the cost);
- floor -M -z: the same with the options ossmeta pins (renames, NUL-terminated output),
  to show what the options themselves cost;
- ``read commits``: ``ossmeta.sources.git_log`` listing and reading every commit into
  records (J git processes, default one per core), and the same with one process;
- ``git import``: the whole ``ossmeta.pipelines.git_import.import_git`` into Parquet and
  a fresh SQLite store (refs, rev-list, read, Arrow tables, write, compaction, state);
- Perceval: ``perceval.backends.core.git.Git(uri, gitpath).fetch()`` over a bare clone
  made beforehand (so its clone is not timed; its update is a no-op fetch), counting the
  commits it yields. Perceval runs ``git log --raw --numstat -M -C -c`` (copies, and
  combined diffs of merges), so it has more diff work than the floor.

The measurements take turns (round robin, R rounds, default 3), so that a change of the
machine's load hits each alike. Printed: the best wall time (the least disturbed run) and
its CPU time (this process plus the git processes it waited for), and the median wall
time; ratios are to the first floor's. On a shared machine the CPU ratio shows the work
done when the wall ratios are blurred by others' load. The target: ``read commits`` at most 1.2x the floor, below
it when several cores help.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ossmeta.pipelines.git_import import import_git
from ossmeta.sources.git_log import list_commits, read_commits
from ossmeta.sources.git_repo import git_dir, read_refs
from ossmeta.store import Store, open_store

VOCABULARY = (
    "alpha beta gamma delta epsilon value result index count total buffer stream parse "
    "write read close open error return if else for while match case class def import"
)
WORDS = tuple(VOCABULARY.split())
ZONES = ("+0000", "+0100", "+0200", "-0500", "-0800", "+0530", "+0800", "+0900", "-0300")


def _line(rng: random.Random) -> str:
    indent = "    " * rng.randint(0, 3)
    return indent + " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 9)))


def generate(target: Path, commits: int, files: int, seed: int = 11) -> None:
    """A repository of ``commits`` commits (merges included) built with git fast-import."""
    rng = random.Random(seed)
    subprocess.run(["git", "init", "--quiet", "--bare", str(target)], check=True)
    authors = [(f"Developer {n}", f"dev{n}@example.org", ZONES[n % len(ZONES)]) for n in range(80)]
    contents: dict[str, list[str]] = {}
    binaries: dict[str, bytes] = {}
    out: list[bytes] = []
    clock = 1_500_000_000
    mark = 0
    main_tip = 0
    made = 0
    next_file = 0

    def blob_lines(path: str) -> bytes:
        data = ("\n".join(contents[path]) + "\n").encode()
        return f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n"

    def new_path() -> str:
        nonlocal next_file
        next_file += 1
        return f"src/module{next_file % 17}/file{next_file}.py"

    def edits() -> list[bytes]:
        """1-6 file changes: mostly line edits, sometimes a new, deleted, renamed or
        binary file."""
        changes: list[bytes] = []
        for _ in range(rng.choice((1, 1, 2, 2, 3, 4, 6))):
            roll = rng.random()
            if not contents or (len(contents) < files and roll < 0.08):
                path = new_path()
                contents[path] = [_line(rng) for _ in range(rng.randint(10, 120))]
                changes.append(blob_lines(path))
            elif roll < 0.10 and len(contents) > files // 2:
                path = rng.choice(sorted(contents))
                del contents[path]
                changes.append(f"D {path}\n".encode())
            elif roll < 0.12:
                old = rng.choice(sorted(contents))
                path = new_path()
                contents[path] = contents.pop(old)
                changes.append(f"R {old} {path}\n".encode())
            elif roll < 0.14:
                path = f"assets/image{rng.randint(0, 9)}.bin"
                binaries[path] = rng.randbytes(rng.randint(200, 2000)) + b"\0"
                data = binaries[path]
                changes.append(
                    f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n"
                )
            else:
                path = rng.choice(sorted(contents))
                lines = contents[path]
                for _ in range(rng.randint(1, 4)):
                    at = rng.randint(0, len(lines))
                    del lines[at : at + rng.randint(0, 3)]
                    lines[at:at] = [_line(rng) for _ in range(rng.randint(0, 6))]
                if not lines:
                    lines.append(_line(rng))
                changes.append(blob_lines(path))
        return changes

    def commit(ref: str, parent: int, merge: int | None, changes: list[bytes]) -> int:
        nonlocal mark, clock, made
        mark += 1
        made += 1
        clock += rng.randint(60, 20_000)
        name, email, zone = rng.choice(authors)
        message = f"change {mark}\n".encode()
        head = [f"commit {ref}\nmark :{mark}\n".encode()]
        head.append(f"author {name} <{email}> {clock} {zone}\n".encode())
        head.append(f"committer {name} <{email}> {clock + rng.randint(0, 3600)} {zone}\n".encode())
        head.append(f"data {len(message)}\n".encode() + message)
        if parent:
            head.append(f"from :{parent}\n".encode())
        if merge:
            head.append(f"merge :{merge}\n".encode())
        out.extend(head)
        out.extend(changes)
        out.append(b"\n")
        return mark

    while made < commits:
        if made > 10 and rng.random() < 0.025 and commits - made > 6:
            topic_tip = main_tip
            replay: list[bytes] = []
            for _ in range(rng.randint(2, 4)):
                changes = edits()
                replay.extend(changes)
                topic_tip = commit("refs/heads/topic", topic_tip, None, changes)
            # A --no-ff merge: main has not moved, so replaying the topic's changes on
            # main gives the merge the topic's tree.
            main_tip = commit("refs/heads/main", main_tip, topic_tip, replay)
        else:
            main_tip = commit("refs/heads/main", main_tip, None, edits())
        if made % 500 == 0:
            tag = f"tag v{made // 500}.0\nfrom :{main_tip}\n"
            tag += f"tagger Release <release@example.org> {clock} +0000\ndata 8\nrelease\n\n"
            out.append(tag.encode())
        elif made % 700 == 0:
            out.append(f"reset refs/tags/snapshot-{made}\nfrom :{main_tip}\n\n".encode())
    subprocess.run(["git", "fast-import", "--quiet"], input=b"".join(out), cwd=target, check=True)
    subprocess.run(["git", "gc", "--quiet"], cwd=target, check=True)


def floor(repository: Path, *extra: str) -> int:
    """One raw ``git log --numstat`` over branches and tags, output read fully."""
    process = subprocess.Popen(
        ["git", f"--git-dir={repository}", "log", "--numstat", *extra, "--branches", "--tags"],
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None
    total = 0
    while block := process.stdout.read(1 << 20):
        total += len(block)
    if process.wait() != 0:
        raise SystemExit("git log failed")
    return total


def ossmeta_read(repository: Path, jobs: int | None) -> int:
    found = git_dir(repository)
    refs, _ = read_refs(found)
    shas = list_commits(found, sorted({r.commit for r in refs}), [])
    return sum(len(batch) for batch in read_commits(found, shas, jobs=jobs))


def fresh_store(folder: Path) -> Store:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    store = open_store(f"sqlite:///{folder / 'store.db'}")
    store.upgrade()
    return store


def ossmeta_import(repository: Path, folder: Path, store: Store) -> int:
    try:
        report = import_git(str(repository), store, folder / "activity", repo_key="bench/git")
    finally:
        store.dispose()
    return report.new_commits


def perceval_read(repository: Path, clone: Path) -> int:
    from perceval.backends.core.git import Git

    return sum(1 for _ in Git(str(repository), str(clone)).fetch())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=None, help="git processes (default: cores)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the repository here")
    parser.add_argument("--no-perceval", action="store_true")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ossmeta-bench-git-") as temporary:
        scratch = Path(temporary)
        repository = options.keep or scratch / "repo.git"
        if not (repository / "HEAD").exists():
            started = time.perf_counter()
            generate(repository, options.commits, options.files)
            print(f"generated {repository} in {time.perf_counter() - started:.1f} s")
        count = int(
            subprocess.run(
                ["git", f"--git-dir={repository}", "rev-list", "--count", "--branches", "--tags"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        merges = int(
            subprocess.run(
                ["git", f"--git-dir={repository}", "rev-list", "--count", "--merges", "--branches"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        cores = len(os.sched_getaffinity(0))
        print(f"repository: {count} commits ({merges} merges); machine: {cores} cores")

        jobs = options.jobs or cores
        folders = [scratch / f"import-{n}" for n in range(options.runs)]
        stores = [(folder, fresh_store(folder)) for folder in folders]  # one per round
        runners: list[tuple[str, Callable[[], int]]] = [
            ("floor: git log --numstat (1 process)", lambda: floor(repository) and count),
            ("floor: git log --numstat -M -z", lambda: floor(repository, "-M", "-z") and count),
            (f"ossmeta read commits ({jobs} processes)", lambda: ossmeta_read(repository, jobs)),
            ("ossmeta read commits (1 process)", lambda: ossmeta_read(repository, 1)),
            (
                f"ossmeta git import ({jobs} processes)",
                lambda: ossmeta_import(repository, *stores.pop()),
            ),
        ]
        if not options.no_perceval:
            clone = scratch / "perceval.git"
            subprocess.run(
                ["git", "clone", "--bare", "--quiet", str(repository), str(clone)], check=True
            )
            runners.append(
                ("Perceval git backend fetch()", lambda: perceval_read(repository, clone))
            )

        # Round robin, so that a change of the machine's load hits every measurement alike.
        runs: dict[str, list[tuple[float, float]]] = {label: [] for label, _ in runners}
        for _ in range(options.runs):
            for label, run in runners:
                before = _cpu()
                started = time.perf_counter()
                commits = run()
                wall = time.perf_counter() - started
                if commits != count:
                    raise SystemExit(f"{label}: {commits} commits, expected {count}")
                runs[label].append((wall, _cpu() - before))

    floor_wall, floor_cpu = min(runs[runners[0][0]])
    floor_median = statistics.median(w for w, _ in runs[runners[0][0]])
    print(
        f"\n{'':40} {'best s':>7} {'commits/s':>10} {'x floor':>8} {'median':>7} {'x floor':>8}"
        f" {'CPU s':>6} {'x floor':>8}"
    )
    for label, _ in runners:
        wall, cpu = min(runs[label])  # the best run, with its CPU time
        median = statistics.median(w for w, _ in runs[label])
        print(
            f"{label:40} {wall:7.3f} {count / wall:10.0f} {wall / floor_wall:8.2f} "
            f"{median:7.3f} {median / floor_median:8.2f} {cpu:6.2f} {cpu / floor_cpu:8.2f}"
        )


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
