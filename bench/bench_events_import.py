"""Import benchmark: events/s of ``ossmeta events import`` (the pipeline function) on
synthetic GH Archive hours, next to the floor of DuckDB merely counting the rows of the
same files, in the same run, and the ratio.

    .venv/bin/python bench/bench_events_import.py [--events N] [--trimmed-share F]
        [--per-hour N] [--workers 1,2] [--runs N] [--seed S]

The hours are generated once per (events, seed, per-hour, trimmed share) under
bench/out/ and reused. Each measurement runs in its own process (wall time, CPU time of
the process and its children, peak RSS), so one does not inherit another's memory or
caches. On a shared machine the wall figures move with the load; the CPU seconds and the
load average are printed so a reader can tell.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import OUT, dump
from synth_gharchive import generate

FLOOR_SQL = "SELECT count(*) FROM read_ndjson_objects($files)"


def data_set(events: int, seed: int, per_hour: int, trimmed: float) -> list[Path]:
    folder = OUT / f"gharchive-{events}-{seed}-{per_hour}-{trimmed:g}"
    done = folder / ".complete"
    if not done.exists():
        generate(folder, events, seed, per_hour=per_hour, trimmed_share=trimmed)
        done.touch()
    return sorted(folder.glob("*.json.gz"))


def measured(argv: list[str]) -> dict[str, float]:
    """Run this script in a child to do one measurement; it prints its figures as JSON."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, *argv], capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"measurement {argv[0]} failed:\n{done.stderr}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return {"outer_wall_s": wall, **figures}


def child_floor(files: list[str]) -> None:
    import duckdb

    start, cpu = time.perf_counter(), time.process_time()
    with duckdb.connect() as connection:
        row = connection.execute(FLOOR_SQL, {"files": files}).fetchone()
    print(
        json.dumps(
            {
                "rows": float(row[0] if row else 0),
                "wall_s": time.perf_counter() - start,
                "cpu_s": time.process_time() - cpu,
                "peak_mib": own_peak_mib(),
            }
        )
    )


def child_import(workers: int, files: list[str]) -> None:
    from ossmeta.pipelines.events_import import import_files, plan

    with tempfile.TemporaryDirectory(prefix="ossmeta-bench-events-") as root:
        start = time.perf_counter()
        report = import_files(plan(files), Path(root), workers=workers)
        wall = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers_peak = kids.ru_maxrss / 1024 if workers > 1 else 0.0
    print(
        json.dumps(
            {
                "rows": float(report.events),
                "stored": float(report.stored),
                "malformed": float(report.malformed),
                "trimmed": float(report.trimmed),
                "wall_s": wall,
                "cpu_s": own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime,
                "peak_mib": own_peak_mib(),
                "worker_peak_mib": workers_peak,
            }
        )
    )


def own_peak_mib() -> float:
    """This process's peak resident memory. ru_maxrss would do, but Linux carries it over
    an exec from the parent, which here generated the data set."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def best(runs: int, argv: list[str]) -> dict[str, float]:
    results = [measured(argv) for _ in range(runs)]
    return min(results, key=lambda r: r["wall_s"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--per-hour", type=int, default=50_000)
    parser.add_argument("--trimmed-share", type=float, default=0.25)
    parser.add_argument("--workers", default="1,2", help="process counts to measure")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()

    started = time.perf_counter()
    files = data_set(args.events, args.seed, args.per_hour, args.trimmed_share)
    names = [str(f) for f in files]
    size = sum(f.stat().st_size for f in files)
    print(
        f"data: {args.events:,} synthetic events in {len(files)} hourly .json.gz files, "
        f"{size / 1e6:.0f} MB compressed, {args.trimmed_share:.0%} of the hours in the "
        f"trimmed shape (ready in {time.perf_counter() - started:.0f} s)"
    )
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")

    floor = best(args.runs, ["--child-floor", *names])
    print(
        f"floor  DuckDB {FLOOR_SQL!r}: {floor['wall_s']:.2f} s, "
        f"{floor['rows'] / floor['wall_s']:,.0f} rows/s (CPU {floor['cpu_s']:.1f} s, "
        f"peak {floor['peak_mib']:.0f} MiB)"
    )
    figures: dict[str, object] = {"events": args.events, "files": len(files), "bytes": size}
    figures["floor"] = floor
    for workers in [int(w) for w in args.workers.split(",") if w]:
        ours = best(args.runs, ["--child-import", str(workers), *names])
        rate = ours["rows"] / ours["wall_s"]
        per_worker = f" + {ours['worker_peak_mib']:.0f} MiB per worker" if workers > 1 else ""
        print(
            f"ours   events import, {workers} process(es): {ours['wall_s']:.2f} s, "
            f"{rate:,.0f} events/s (CPU {ours['cpu_s']:.1f} s, peak {ours['peak_mib']:.0f} MiB"
            f"{per_worker}; {ours['stored']:,.0f} stored, {ours['trimmed']:,.0f} trimmed, "
            f"{ours['malformed']:,.0f} malformed)"
        )
        print(
            f"ratio  ours/floor, {workers} process(es): {ours['wall_s'] / floor['wall_s']:.1f}x "
            f"wall, {ours['cpu_s'] / floor['cpu_s']:.1f}x CPU"
        )
        figures[f"ours_{workers}"] = ours
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    dump("events_import", figures)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child-floor":
        child_floor(sys.argv[2:])
    elif len(sys.argv) > 2 and sys.argv[1] == "--child-import":
        child_import(int(sys.argv[2]), sys.argv[3:])
    else:
        main()
