"""Shared helpers for the benchmarks: timing, peak memory of a subprocess, the data set."""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from ossmeta.model import Dependency, LicenseValue, PackageRecord, PackageStatus, PackageVersion

ROOT = Path(__file__).resolve().parents[1]
SHARED_PYPA = ROOT.parent / "shared" / "data" / "pypa-advisory-database" / "vulns"
OUT = ROOT / "bench" / "out"


def best_of(runs: int, fn: Callable[[], object]) -> float:
    """Fastest wall time of ``runs`` calls (the least disturbed by other load)."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def best_cpu_of(runs: int, fn: Callable[[], object]) -> float:
    """Least CPU time of ``runs`` calls: what the work costs, whatever else the cores run."""
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def precompile() -> None:
    """Byte-compile the package, as an install does, so that a command's figures do not
    include compiling its sources (an environment may forbid writing bytecode)."""
    import compileall

    compileall.compile_dir(str(ROOT / "src"), quiet=1)


def run_measured(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MiB, exit code) of a command, measured by a wrapper
    process so each figure belongs to that command alone."""
    wrapper = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter(); code = subprocess.run(sys.argv[1:]).returncode\n"
        "wall = time.perf_counter() - t\n"
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps([wall, rss, code]), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", wrapper, *argv],
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    wall, rss, code = json.loads(done.stderr.strip().splitlines()[-1])
    return float(wall), float(rss), int(code)


def own_peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate_pypa_like(target: Path, count: int = 2661, seed: int = 7) -> Path:
    """A synthetic advisory set of the PyPA database's shape and size (per-package folders
    of OSV YAML with long `versions` lists), for machines without ../shared."""
    import yaml

    rng = random.Random(seed)
    for n in range(count):
        package = f"package-{n % 660}"
        versions = [
            f"{a}.{b}.{c}" for a in range(rng.randint(1, 4)) for b in range(6) for c in range(4)
        ]
        fixed = versions[rng.randrange(len(versions))]
        record = {
            "id": f"PYSEC-2099-{n}",
            "modified": "2024-01-01T00:00:00.000000Z",
            "published": "2023-01-01T00:00:00Z",
            "aliases": [f"CVE-2099-{n}", f"GHSA-{n:04x}-bench-xxxx"],
            "details": "A synthetic advisory. " * rng.randint(2, 20),
            "affected": [
                {
                    "package": {
                        "ecosystem": "PyPI",
                        "name": package,
                        "purl": f"pkg:pypi/{package}",
                    },
                    "ranges": [
                        {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}
                    ],
                    "versions": versions[: versions.index(fixed)],
                }
            ],
            # distinct dicts: one dict repeated would be written as YAML aliases
            "references": [
                {"type": "WEB", "url": f"https://example.org/{n}"} for _ in range(rng.randint(1, 8))
            ],
        }
        folder = target / package
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{record['id']}.yaml").write_text(yaml.safe_dump(record, sort_keys=False))
    return target


def advisory_dir() -> tuple[Path, str]:
    chosen = os.environ.get("OSSMETA_BENCH_ADVISORIES")
    if chosen:
        return Path(chosen), f"advisories from OSSMETA_BENCH_ADVISORIES ({Path(chosen).name})"
    if SHARED_PYPA.is_dir():
        return SHARED_PYPA, "PyPA advisory database (../shared snapshot)"
    target = OUT / "pypa-like"
    if not target.is_dir():
        generate_pypa_like(target)
    return target, "generated PyPA-shaped set (../shared not present)"


def dump(name: str, figures: dict[str, object]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{name}.json").write_text(json.dumps(figures, indent=2))


def synthetic_package(
    n: int, total: int, rng: random.Random, *, most_versions: int = 15, yanked_every: int = 0
) -> PackageRecord:
    """``pkg:pypi/bench-{n}``: 3 to ``most_versions`` versions (every ``yanked_every``-th
    yanked when set), each depending on up to six of the ``total`` bench packages."""
    mit = LicenseValue("MIT", "MIT", "high", "pypi:license_expression")
    versions = tuple(
        PackageVersion(
            f"1.{v}.0",
            datetime(2024, 1 + v % 12, 1, tzinfo=UTC),
            bool(yanked_every) and v % yanked_every == yanked_every // 2,
            None,
            mit,
            tuple(
                Dependency(f"pkg:pypi/bench-{rng.randrange(total)}", ">=1", "runtime")
                for _ in range(rng.randint(0, 6))
            ),
        )
        for v in range(rng.randint(3, most_versions))
    )
    return PackageRecord(
        purl=f"pkg:pypi/bench-{n}",
        ecosystem="PyPI",
        name=f"bench-{n}",
        repository=f"github.com/bench/bench-{n}",
        repository_raw=None,
        homepage=None,
        description="a synthetic package",
        status=PackageStatus.ACTIVE,
        license=mit,
        versions=versions,
        source="pypi-json",
    )


def percentiles_ms(samples: list[float]) -> tuple[float, float]:
    """p50 and p99 of samples in seconds, in milliseconds."""
    ordered = sorted(samples)
    return (
        ordered[len(ordered) // 2] * 1000,
        ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    )


def schema_url(base: str, schema: str) -> str:
    """A PostgreSQL URL whose sessions work in ``schema`` (a bench's own, dropped after)."""
    return base + ("&" if "?" in base else "?") + f"options=-csearch_path%3D{schema}"
