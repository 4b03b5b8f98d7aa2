"""The matching benchmark's harness on a small instance: both sides run on the identical
instance, agree, and the figures it prints are the ones it measured."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_matching.py"


def test_the_bench_compares_both_solvers_on_one_instance_and_prints_every_figure() -> None:
    argv = [sys.executable, str(BENCH), "--pairs", "120", "--mentors", "12", "--repeat", "2"]
    argv += ["--lib-repeat", "2", "--large", "600", "--cap", "120"]
    out = subprocess.run(argv, check=True, capture_output=True, text=True, timeout=180).stdout
    assert "120 pairs x 36 tasks x 12 mentors, 3 choices per pair, seed 7" in out
    assert "identical matching: yes" in out
    seconds = r"(\d+\.\d+) s \(CPU (\d+\.\d+) s\)"
    ours = re.search(rf"instance {seconds}, pair-optimal {seconds}, total {seconds}", out)
    assert ours, out
    lib = re.search(rf"build {seconds}, solve\('student'\) {seconds}, total {seconds}", out)
    assert lib, out
    # each total is the sum of its two parts (wall and CPU)
    for found in (ours, lib):
        parts = [float(x) for x in found.groups()]
        assert abs(parts[0] + parts[2] - parts[4]) < 0.011
        assert abs(parts[1] + parts[3] - parts[5]) < 0.011
    ratio = re.search(r"ratio \(build \+ solve\): (\d+)x wall, (\d+)x CPU", out)
    assert ratio, out
    assert re.search(r"ours, 600 pairs x 180 tasks x 60 mentors: .* peak memory .* MiB", out)
