"""Start-up benchmark: import time of each small command (the sum of ``python -X importtime``'s
self times, median and best of N fresh interpreters) next to the floor of an interpreter
that imports nothing (``python -X importtime -c pass``), in the same run. The budget for
``--help``, ``packages show`` and a small ``scan`` is 0.3 s.

Also printed, to show where what is left goes: how much of it is SQLAlchemy's own modules,
and the cumulative time of each command's largest top-level imports (medians). Import
times are wall-clock and grow with the load of the machine; compare them with the floor
measured beside them, and with the CPU time of the whole process (imports and the
command's work; ``-X importtime`` adds a little), which load changes less.

    .venv/bin/python bench/bench_startup.py [--runs N] [--top K]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
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


def _import_times(
    argv: list[str], env: dict[str, str]
) -> tuple[float, float, float, dict[str, float]]:
    """(sum of self times, of which SQLAlchemy's own modules, CPU time of the whole
    process, cumulative time of each top-level import) of one run, in seconds."""
    cpu_before = _cpu_of_children()
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *argv],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False,
    )  # fmt: skip
    cpu = _cpu_of_children() - cpu_before
    total = sqlalchemy = 0
    top: dict[str, float] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line[len("import time:") :].split("|")
        total += int(self_us)
        if name.strip().partition(".")[0] == "sqlalchemy":
            sqlalchemy += int(self_us)
        if not name.startswith("  "):  # imported by the command itself, not by a module
            top[name.strip()] = int(cumulative_us) / 1e6
    return total / 1e6, sqlalchemy / 1e6, cpu, top


SCAN_REQUIREMENTS = ["-m", "ossmeta", "scan", str(PROJECT / "requirements.txt")]
COMMANDS: dict[str, list[str]] = {
    "floor (-c pass)": ["-c", "pass"],
    "--help": ["-m", "ossmeta", "--help"],
    "packages show": ["-m", "ossmeta", "packages", "show", PURL],
    "packages show -f json": ["-m", "ossmeta", "packages", "show", PURL, "--format", "json"],
    "scan requirements.txt": SCAN_REQUIREMENTS,
    "scan requirements.txt -f json": [*SCAN_REQUIREMENTS, "--format", "json"],
    "scan examples/project": ["-m", "ossmeta", "scan", str(PROJECT)],
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--top", type=int, default=5)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="ossmeta-bench-startup-"))
    _seed(home)
    env = {**os.environ, "OSSMETA_HOME": str(home)}
    env.pop("OSSMETA_DATABASE_URL", None)
    figures: dict[str, object] = {"runs": args.runs, "budget_s": BUDGET_S}
    print(
        f"import time, sum of self times over {args.runs} fresh interpreters (budget {BUDGET_S} s)"
    )
    print(
        f"{'command':30} {'median s':>8} {'best s':>7} {'SQLA s':>7} {'CPU s':>6}  "
        "largest top-level imports (median s)"
    )
    for label, argv in COMMANDS.items():
        totals: list[float] = []
        in_sqlalchemy: list[float] = []
        cpus: list[float] = []
        tops: dict[str, list[float]] = defaultdict(list)
        for _ in range(args.runs):
            total, sqlalchemy, cpu, top = _import_times(argv, env)
            totals.append(total)
            in_sqlalchemy.append(sqlalchemy)
            cpus.append(cpu)
            for name, seconds in top.items():
                tops[name].append(seconds)
        largest = sorted(((statistics.median(v), k) for k, v in tops.items()), reverse=True)
        shown = ", ".join(f"{k} {v:.3f}" for v, k in largest[: args.top])
        median, best = statistics.median(totals), min(totals)
        sqla, cpu = statistics.median(in_sqlalchemy), statistics.median(cpus)
        print(f"{label:30} {median:8.3f} {best:7.3f} {sqla:7.3f} {cpu:6.3f}  {shown}")
        figures[label] = {
            "median_s": median,
            "best_s": best,
            "sqlalchemy_median_s": sqla,
            "process_cpu_median_s": cpu,
            "top": {k: v for v, k in largest[: args.top]},
        }
    dump("startup", figures)


if __name__ == "__main__":
    main()
