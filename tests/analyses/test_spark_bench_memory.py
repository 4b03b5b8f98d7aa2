"""The Spark benchmark's driver peak belongs to the driver: Linux carries ``ru_maxrss`` across
``exec`` from the process that forked, so a driver started by a process holding the generated
events reported that process's peak, and the figure grew with the events whatever the driver
did. The benchmark reads the driver's own high-water mark instead."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"

# A parent that touches 500 MiB, then starts a child that reports both figures.
PARENT = """
import subprocess, sys
held = bytearray(500 * 2**20)
for i in range(0, len(held), 4096):
    held[i] = 1
child = (
    "import resource, sys; sys.path.insert(0, sys.argv[1]); import bench_spark; "
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, bench_spark._peak_mb())"
)
print(subprocess.run([sys.executable, "-c", child, sys.argv[1]], capture_output=True,
                     text=True, check=True).stdout)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_driver_peak_is_not_the_parents() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PARENT, str(BENCH)], capture_output=True, text=True, check=True
    )
    inherited, own = (float(v) for v in done.stdout.split())
    assert inherited >= 500  # the pitfall is real here: ru_maxrss reports the parent
    assert own < inherited - 250  # the child (about 170 MiB with its imports) excludes them
