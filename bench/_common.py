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
from pathlib import Path

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
    if SHARED_PYPA.is_dir():
        return SHARED_PYPA, "PyPA advisory database (../shared snapshot)"
    target = OUT / "pypa-like"
    if not target.is_dir():
        generate_pypa_like(target)
    return target, "generated PyPA-shaped set (../shared not present)"


def dump(name: str, figures: dict[str, object]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{name}.json").write_text(json.dumps(figures, indent=2))
