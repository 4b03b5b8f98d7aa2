"""Start-up benchmark: import time of each small command (the sum of ``python -X importtime``'s
self times, median and best of N fresh interpreters) and the wall time of the whole
process (best of N), next to two floors measured in the same run: an interpreter that
imports nothing (``-c pass``) and one that only imports SQLAlchemy (``-c "import
sqlalchemy"``), which every command that opens the store pays. The budget for ``--help``,
``packages show`` and a small ``scan`` is 0.3 s of import time.

Also printed, to show where what is left goes: how much of it is SQLAlchemy's own modules,
and the cumulative time of each command's largest top-level imports (medians). Times grow
with the load of the machine, so the commands run interleaved, and the ratio to the
SQLAlchemy floor is printed beside them. ``--instructions`` adds the instructions each
whole process executes, counted by Valgrind: a figure load does not change.

Bytecode is written before measuring (a warm-up run of each command without
``PYTHONDONTWRITEBYTECODE``), as an installed package has it.

    .venv/bin/python bench/bench_startup.py [--runs N] [--top K] [--instructions]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, dump
from ossmeta.model import LicenseValue, PackageRecord, PackageStatus, PackageVersion
from ossmeta.store import open_store
from ossmeta.store.curation_store import Curations
from ossmeta.store.packages import save_package

BUDGET_S = 0.3
PURL = "pkg:pypi/widget"
PROJECT = ROOT / "examples" / "project"


def _seed(home: Path) -> None:
    """A store with the example advisories and one package with an approved curation."""
    env = {**os.environ, "OSSMETA_HOME": str(home)}
    env.pop("OSSMETA_DATABASE_URL", None)
    for args in (
        ["db", "upgrade"],
        [
            "advisories",
            "import",
            "--data-license",
            "CC-BY-4.0",
            str(ROOT / "examples" / "advisories"),
        ],
    ):
        subprocess.run([sys.executable, "-m", "ossmeta", *args], env=env, check=True,
                       capture_output=True)  # fmt: skip
    store = open_store(f"sqlite:///{home / 'ossmeta.db'}", access="write")
    mit = LicenseValue("MIT", "MIT", "exact", "pypi:license")
    record = PackageRecord(
        purl=PURL,
        ecosystem="PyPI",
        name="widget",
        repository="github.com/acme/widget",
        repository_raw="https://github.com/acme/widget",
        homepage=None,
        description="A widget",
        status=PackageStatus.ACTIVE,
        license=mit,
        versions=tuple(PackageVersion(f"1.{n}", None, False, None, mit, ()) for n in range(20)),
        source="pypi-json",
    )
    with store.engine.begin() as connection:
        save_package(connection, record, datetime(2026, 1, 1, tzinfo=UTC))
    curations = Curations(store)
    proposed = curations.propose(
        PURL, "license", "Apache-2.0", reason="LICENSE", author="curator",
        evidence="https://github.com/acme/widget/blob/main/LICENSE",
    )  # fmt: skip
    curations.review(proposed, True, "reviewer")
    store.dispose()


def _cpu_of_children() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


@dataclass
class _Runs:
    """What N fresh interpreters of one command measured (seconds)."""

    imports: list[float] = field(default_factory=list)  # sum of -X importtime self times
    sqlalchemy: list[float] = field(default_factory=list)  # of which SQLAlchemy's modules
    walls: list[float] = field(default_factory=list)  # whole process, without -X importtime
    cpus: list[float] = field(default_factory=list)  # CPU of the -X importtime process
    tops: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


def _one_import_run(argv: list[str], env: dict[str, str], into: _Runs) -> None:
    cpu_before = _cpu_of_children()
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *argv],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False,
    )  # fmt: skip
    into.cpus.append(_cpu_of_children() - cpu_before)
    total = sqlalchemy = 0
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line[len("import time:") :].split("|")
        total += int(self_us)
        if name.strip().partition(".")[0] == "sqlalchemy":
            sqlalchemy += int(self_us)
        if not name.startswith("  "):  # imported by the command itself, not by a module
            into.tops[name.strip()].append(int(cumulative_us) / 1e6)
    into.imports.append(total / 1e6)
    into.sqlalchemy.append(sqlalchemy / 1e6)


def _one_wall_run(argv: list[str], env: dict[str, str], into: _Runs) -> None:
    start = time.perf_counter()
    subprocess.run([sys.executable, *argv], env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)  # fmt: skip
    into.walls.append(time.perf_counter() - start)


def _instructions(argv: list[str], env: dict[str, str]) -> int | None:
    """Instructions the whole process executes, counted by Valgrind (None without it):
    the same on a quiet and a busy machine, so it shows what a change saved."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    done = subprocess.run(
        [valgrind, "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, *argv],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False,
    )  # fmt: skip
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    return int(found.group(1).replace(",", "")) if found else None


SCAN_REQUIREMENTS = ["-m", "ossmeta", "scan", str(PROJECT / "requirements.txt")]
FLOOR = "floor: -c pass"
SQLALCHEMY = "floor: import sqlalchemy"
COMMANDS: dict[str, list[str]] = {
    FLOOR: ["-c", "pass"],
    SQLALCHEMY: ["-c", "import sqlalchemy"],
    "--help": ["-m", "ossmeta", "--help"],
    "packages show": ["-m", "ossmeta", "packages", "show", PURL],
    "packages show -f json": ["-m", "ossmeta", "packages", "show", PURL, "--format", "json"],
    "scan requirements.txt": SCAN_REQUIREMENTS,
    "scan requirements.txt -f json": [*SCAN_REQUIREMENTS, "--format", "json"],
    "scan examples/project": ["-m", "ossmeta", "scan", str(PROJECT)],
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--top", type=int, default=4)
    parser.add_argument(
        "--instructions", action="store_true", help="also count instructions with Valgrind"
    )
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="ossmeta-bench-startup-"))
    _seed(home)
    env = {**os.environ, "OSSMETA_HOME": str(home)}
    env.pop("OSSMETA_DATABASE_URL", None)
    # Bytecode as an installed package has it: with PYTHONDONTWRITEBYTECODE set, an editable
    # install compiles ossmeta's sources at every start (about a fifth more instructions).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for argv in COMMANDS.values():  # warm-up: writes the bytecode, fills the page cache
        subprocess.run([sys.executable, *argv], env=env, capture_output=True, check=False)
    figures: dict[str, object] = {"runs": args.runs, "budget_s": BUDGET_S}
    print(
        f"start-up of each command, {args.runs} fresh interpreters, interleaved "
        f"(budget {BUDGET_S} s of import time)\n"
        "  imports: sum of -X importtime self times (median, best); SQLA: of which "
        "SQLAlchemy's modules;\n  wall: whole process without -X importtime (best); CPU: "
        "process CPU (median); x floor: best wall / best wall of 'import sqlalchemy'"
    )
    runs = {label: _Runs() for label in COMMANDS}
    for _ in range(args.runs):  # interleaved, so a burst of load hits every command alike
        for label, argv in COMMANDS.items():
            _one_import_run(argv, env, runs[label])
            _one_wall_run(argv, env, runs[label])
    header = (
        f"{'command':30} {'imports':>7} {'best':>6} {'SQLA':>6} {'wall':>6} {'CPU':>6} "
        f"{'x floor':>7}"
    )
    if args.instructions:
        header += f" {'instr M':>8} {'x floor':>7}"
    print(header + "  largest top-level imports (median s)")
    sqla_wall = min(runs[SQLALCHEMY].walls)
    sqla_instr = _instructions(COMMANDS[SQLALCHEMY], env) if args.instructions else None
    for label, argv in COMMANDS.items():
        got = runs[label]
        largest = sorted(((statistics.median(v), k) for k, v in got.tops.items()), reverse=True)
        shown = ", ".join(f"{k} {v:.3f}" for v, k in largest[: args.top])
        median, best = statistics.median(got.imports), min(got.imports)
        sqla, cpu, wall = (
            statistics.median(got.sqlalchemy),
            statistics.median(got.cpus),
            min(got.walls),
        )
        line = (
            f"{label:30} {median:7.3f} {best:6.3f} {sqla:6.3f} {wall:6.3f} {cpu:6.3f} "
            f"{wall / sqla_wall:7.2f}"
        )
        instructions = _instructions(argv, env) if args.instructions else None
        if instructions is not None and sqla_instr:
            line += f" {instructions / 1e6:8.0f} {instructions / sqla_instr:7.2f}"
        print(f"{line}  {shown}", flush=True)
        figures[label] = {
            "imports_median_s": median,
            "imports_best_s": best,
            "sqlalchemy_median_s": sqla,
            "wall_best_s": wall,
            "process_cpu_median_s": cpu,
            "wall_over_import_sqlalchemy": wall / sqla_wall,
            "instructions": instructions,
            "top": {k: v for v, k in largest[: args.top]},
        }
    dump("startup", figures)


if __name__ == "__main__":
    main()
