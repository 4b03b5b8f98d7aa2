"""Spark end to end against DuckDB, at several event counts, with a real identity table.

For each event count the same generated data is written once (bench_metrics' event
generator, plus account renames and git commits whose authors sign with several emails, a
GitHub noreply address and, for apps, ``[bot]`` names, so the identity table has merges and
bots), then each engine computes every metric and OpenRank in a fresh process:

- duckdb: the identity table built locally (DuckDB + Python), the metrics on DuckDB, the
  result table in the driver (the store flow without the SQL write);
- spark: ``run_metrics``' output-URI flow: identities, metrics, global and community OpenRank
  as Spark jobs, the metric tables written as Parquet by the executors.

Time, per run, from the engine being up to the metric table being complete: wall seconds and
CPU seconds (DuckDB: the process; Spark: the Python driver plus the JVM and every process under
it, i.e. the Python workers, read from /proc).

Memory, per run: the Python driver's peak RSS and its growth over the RSS measured once Spark
(or DuckDB) is up; for Spark also the peak summed RSS of the Python workers (the processes
under the JVM that run ``rdd.mapPartitions`` code; they are not the driver), the JVM heap used
after a full GC at the end, the JVM heap pools' peak and the JVM process's peak RSS. In local
mode the driver and the executors share that one JVM, so the JVM figures include executor
work (shuffles, caches) and are bounded by ``spark.driver.memory``; the Python driver's
growth is what would grow if rows were collected, and it is the figure that must stay flat:
the last line gives its ratio between the largest and the smallest size.

The driver's peak is ``VmHWM`` (the high-water mark of the process's own memory), not
``ru_maxrss``: Linux carries ``ru_maxrss`` across ``exec`` from the process that forked it, so
a child started by a process holding the generated events reported that process's size, and
the figure grew with the events whatever the driver did. For the same reason the data is
generated in a child process of its own.

The last column is the machine's five-minute load average when the size finished: on a
shared machine wall seconds stretch with it, CPU seconds much less.

Equality: DuckDB's finished table and the Parquet Spark wrote are compared row by row at each
size; the run stops with the differing rows if they are not equal.

    .venv/bin/python -u bench/bench_spark.py [--events 100000,1000000] [--months 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import dump
from bench_metrics import FACTS_SCHEMA, generate_chunk
from ossmeta.store.activity_files import DATASETS, ActivityFiles

AS_OF = datetime(2025, 1, 1, tzinfo=UTC)


def generate(root: Path, events: int, months: int, seed: int = 7) -> None:
    """Events (a seventh of the actors renamed halfway) and one commit per ten events."""
    rng = np.random.default_rng(seed)
    repos, actors = max(100, events // 50), max(200, events // 20)
    table = generate_chunk(rng, 0, events, datetime(2024, 1, 1), months, repos, actors)
    actor = table["actor_id"].to_numpy()
    renamed = (actor % 7 == 0) & (table["month"].to_numpy(zero_copy_only=False) > "2024-01")
    logins = pc.if_else(
        pa.array(renamed), pc.binary_join_element_wise(table["actor_login"], "new", "-"),
        table["actor_login"],
    )  # fmt: skip
    table = table.set_column(table.schema.get_field_index("actor_login"), "actor_login", logins)
    ActivityFiles(root, "events").append(table)
    ActivityFiles(root, "commits").append(_commits(rng, events // 10, repos, actors, months))


def _commits(rng: np.random.Generator, size: int, repos: int, actors: int, months: int) -> pa.Table:
    author = np.minimum(np.floor(rng.pareto(1.3, size) * actors / 20), actors - 1) + 1
    author = author.astype(np.int64)
    repo = (np.minimum(np.floor(rng.pareto(1.1, size) * repos / 20), repos - 1) + 1).astype(int)
    which = rng.integers(0, 4, size)  # personal, work (capitalised), noreply, another personal
    bot = author % 50 == 0
    emails = np.where(
        bot,
        [f"{a}+app{a}[bot]@users.noreply.github.com" for a in author],
        np.choose(
            which,
            [
                [f"user{a}@mail.org" for a in author],
                [f"User{a}@Work.Example.NET" for a in author],
                [f"{a}+user{a}@users.noreply.github.com" for a in author],
                [f"u{a}@home{a % 3}.org" for a in author],
            ],
        ),
    )
    names = np.where(bot, [f"app{a}[bot]" for a in author], [f"Dev Person{a}" for a in author])
    start = np.datetime64("2024-01-01T00:00:00", "us")
    times = start + rng.integers(0, months * 28 * 86400, size).astype("timedelta64[s]")
    columns: dict[str, Any] = {
        "repo": [f"github.com/org{r // 7}/repo{r}" for r in repo],
        "sha": [f"{i:040x}" for i in range(size)],
        "author_name": names.tolist(),
        "author_email": emails.tolist(),
        "author_time": pa.array(times),
        "author_offset": pa.array(np.zeros(size, np.int32)),
        "committer_name": names.tolist(),
        "committer_email": emails.tolist(),
        "committer_time": pa.array(times),
        "committer_offset": pa.array(np.zeros(size, np.int32)),
        "parents": pa.array(np.ones(size, np.int32)),
        "is_merge": pa.array(np.zeros(size, bool)),
        "files_changed": pa.array(np.ones(size, np.int32)),
        "insertions": pa.array(np.ones(size, np.int32)),
        "deletions": pa.array(np.zeros(size, np.int32)),
        "month": pc.strftime(pa.array(times), format="%Y-%m"),
    }
    schema = DATASETS["commits"].schema
    arrays = [
        pa.array(columns[f.name]).cast(f.type) if f.name in columns else pa.nulls(size, f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    """This process's peak RSS since it was exec'ed (``ru_maxrss`` would include the peak of
    the process that forked it)."""
    return _status_mb(os.getpid(), "VmHWM")


def _descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat[stat.rindex(")") + 2 :].split()[1])
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        children = [child for child, parent in parents.items() if parent == current]
        found += children
        frontier += children
    return found


class _WorkerPeak:
    """The peak summed RSS of the Python processes under the JVM (the daemon and the workers
    it forks for Python RDD code), sampled every 0.5 s on a thread: short-lived workers end
    between reads of their own high-water mark, so a sample is all there is. ``cpu`` is the
    thread's own CPU time, which the driver's CPU figure leaves out."""

    def __init__(self, jvm_pid: int) -> None:
        self.jvm_pid, self.peak_mb, self.processes, self.cpu = jvm_pid, 0.0, 0, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            total, count = 0.0, 0
            for pid in _descendants(self.jvm_pid):
                try:
                    if b"python" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                        continue
                    total, count = total + _status_mb(pid, "VmRSS"), count + 1
                except OSError:
                    continue  # ended between the listing and the read
            self.peak_mb, self.processes = max(self.peak_mb, total), max(self.processes, count)
        self.cpu = time.thread_time()

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_mb


def _tree_cpu(pid: int) -> float:
    """CPU seconds of ``pid`` and every live process under it, with their reaped children."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
        parents[int(entry.name)] = int(fields[1])
        cpu[int(entry.name)] = sum(int(f) for f in fields[11:15]) / ticks  # u, s, cu, cs
    total, frontier = 0.0, [pid]
    while frontier:
        current = frontier.pop()
        total += cpu.get(current, 0.0)
        frontier += [child for child, parent in parents.items() if parent == current]
    return total


def _status_mb(pid: int, key: str) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def run_duckdb(root: Path, out: Path) -> dict[str, Any]:
    from ossmeta.analyses.identities import observed_identities, shipped_bot_logins
    from ossmeta.analyses.metrics.compute import ActivityInputs, compute_metrics
    from ossmeta.analyses.metrics.engine import DuckDBEngine
    from ossmeta.analyses.metrics.model import Context
    from ossmeta.normalizers.identities import resolve_identities

    engine = DuckDBEngine()
    baseline = _rss_mb()
    began, cpu = time.perf_counter(), time.process_time()
    accounts, signatures = observed_identities(root)
    people = resolve_identities(accounts, signatures, (), shipped_bot_logins())
    identities = pa.table(
        {
            "identity": [m.identity for p in people for m in p.members],
            "person": [p.id for p in people for _ in p.members],
            "display": [p.display for p in people for _ in p.members],
            "is_bot": [p.is_bot for p in people for _ in p.members],
            "rules": ["" for p in people for _ in p.members],
        }
    )
    inputs = ActivityInputs(root, identities, FACTS_SCHEMA.empty_table())
    table = compute_metrics(engine, inputs, Context(None, AS_OF))
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    pq.write_table(table, out)
    merged = identities.num_rows - len(people)
    return {
        "seconds": seconds,
        "cpu": cpu,
        "rows": table.num_rows,
        "identities": identities.num_rows,
        "merged_away": merged,
        "bots": int(pc.sum(identities["is_bot"]).as_py() or 0),
        "py_peak_mb": _peak_mb(),
        "py_growth_mb": _peak_mb() - baseline,
    }


def run_spark(root: Path, out: Path) -> dict[str, Any]:
    from pyspark.sql import functions as F

    from ossmeta.analyses.metrics.compute import ActivityInputs, metric_frame
    from ossmeta.analyses.metrics.engine import SparkEngine
    from ossmeta.analyses.metrics.model import Context
    from ossmeta.analyses.metrics.run import write_metric_frames
    from ossmeta.analyses.spark_session import spark_session

    session = spark_session("ossmeta-bench")
    session.sparkContext.setLogLevel("ERROR")
    context: Any = session.sparkContext
    jvm_pid = int(context._gateway.proc.pid)
    engine = SparkEngine(session)
    workers = _WorkerPeak(jvm_pid)
    baseline = _rss_mb()
    began, cpu = time.perf_counter(), time.process_time() + 0.0
    jvm_cpu = _tree_cpu(jvm_pid)
    inputs = ActivityInputs(root.as_uri(), None, FACTS_SCHEMA.empty_table())
    frame = metric_frame(engine, inputs, Context(None, AS_OF))
    _, _, rows = write_metric_frames(frame, out.as_uri(), None)
    seconds = time.perf_counter() - began
    workers_peak = workers.stop()
    cpu = time.process_time() - cpu - workers.cpu + _tree_cpu(jvm_pid) - jvm_cpu
    py_peak, py_growth = _peak_mb(), _peak_mb() - baseline  # before the figures below
    identities = session.table("identities").agg(
        F.count("identity").alias("identities"),
        F.count_distinct("person").alias("people"),
        F.count(F.when(F.col("is_bot"), 1)).alias("bots"),
    ).first()  # fmt: skip
    jvm = context._jvm
    jvm.java.lang.System.gc()
    runtime = jvm.java.lang.Runtime.getRuntime()
    used_after_gc = (runtime.totalMemory() - runtime.freeMemory()) / 2**20
    peak = 0.0
    for pool in jvm.java.lang.management.ManagementFactory.getMemoryPoolMXBeans():
        if str(pool.getType().toString()) == "Heap memory":
            peak += pool.getPeakUsage().getUsed() / 2**20
    engine.close()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "rows": rows,
        "identities": int(identities["identities"]) if identities else 0,
        "merged_away": int(identities["identities"] - identities["people"]) if identities else 0,
        "bots": int(identities["bots"]) if identities else 0,
        "py_peak_mb": py_peak,
        "py_growth_mb": py_growth,
        "py_workers_peak_mb": workers_peak,
        "py_workers": workers.processes,
        "jvm_used_after_gc_mb": used_after_gc,
        "jvm_heap_peak_mb": peak,
        "jvm_rss_peak_mb": _status_mb(jvm_pid, "VmHWM"),
    }


def _child(engine: str, root: Path, out: Path, events: str, months: int) -> None:
    if engine == "generate":
        generate(root, int(events), months)
        figures: dict[str, Any] = {}
    else:
        figures = run_duckdb(root, out) if engine == "duckdb" else run_spark(root, out)
    print("RESULT " + json.dumps(figures))


def _in_process(
    engine: str, root: Path, out: Path, events: int = 0, months: int = 0
) -> dict[str, Any]:
    argv = [sys.executable, __file__, "--child", engine, "--root", str(root), "--out", str(out)]
    done = subprocess.run(
        [*argv, "--events", str(events), "--months", str(months)],
        capture_output=True,
        text=True,
        check=False,
    )
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
            return result
    raise SystemExit(f"{engine} run failed:\n{done.stderr[-3000:]}")


_KEY = ["subject", "metric", "period"]


def _sorted(table: pa.Table) -> pa.Table:
    return table.select([*_KEY, "value", "detail"]).sort_by([(c, "ascending") for c in _KEY])


def compare(duckdb_file: Path, spark_dir: Path) -> pa.Table:
    """Both engines' tables, sorted; raises SystemExit naming the rows that differ."""
    duck = _sorted(pq.read_table(duckdb_file))
    spark = _sorted(
        pa.concat_tables(
            [pq.read_table(spark_dir / n) for n in ("repo_metrics", "developer_metrics")]
        ).cast(duck.schema)
    )
    if duck.equals(spark):
        return duck
    only_duck = set(zip(*(duck[c].to_pylist() for c in duck.column_names), strict=True))
    only_spark = set(zip(*(spark[c].to_pylist() for c in spark.column_names), strict=True))
    left, right = sorted(only_duck - only_spark), sorted(only_spark - only_duck)
    raise SystemExit(
        f"the engines disagree: {duck.num_rows} DuckDB rows, {spark.num_rows} Spark rows; "
        f"{len(left)} only in DuckDB, e.g. {left[:5]}; {len(right)} only in Spark, "
        f"e.g. {right[:5]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", default="100000,1000000")
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--child", choices=("generate", "duckdb", "spark"))
    parser.add_argument("--root", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.root, args.out, args.events, args.months)
        return
    header = (
        f"{'events':>9} {'identities':>10} {'merged':>6} {'bots':>5} "
        f"{'duck wall':>9} {'duck cpu':>8} {'spark wall':>10} {'spark cpu':>9} "
        f"{'wall x':>6} {'cpu x':>5} {'rows':>7} {'equal':>5} "
        f"{'py pk d':>7} {'py pk s':>7} {'py grow s':>9} {'workers pk':>10} {'jvm heap pk':>11} "
        f"{'jvm gc':>6} {'jvm rss pk':>10} {'load':>5}"
    )
    print(header)
    results = []
    for events in (int(n) for n in args.events.split(",")):
        root = Path(tempfile.mkdtemp(prefix="bench-spark-"))
        try:
            # in a child: this process stays small, and so do the processes it starts
            _in_process("generate", root / "activity", root, events, args.months)
            duck = _in_process("duckdb", root / "activity", root / "duckdb.parquet")
            spark = _in_process("spark", root / "activity", root / "spark")
            same = compare(root / "duckdb.parquet", root / "spark")
        finally:
            shutil.rmtree(root, ignore_errors=True)
        assert duck["rows"] == spark["rows"] == same.num_rows
        assert (duck["identities"], duck["bots"]) == (spark["identities"], spark["bots"])
        # The machine may be shared: the load next to the figures says how far to trust them.
        load = os.getloadavg()[1]
        results.append({"events": events, "duckdb": duck, "spark": spark, "load_5min": load})
        print(
            f"{events:>9} {duck['identities']:>10} {duck['merged_away']:>6} {duck['bots']:>5} "
            f"{duck['seconds']:>8.1f}s {duck['cpu']:>7.1f}s "
            f"{spark['seconds']:>9.1f}s {spark['cpu']:>8.1f}s "
            f"{spark['seconds'] / duck['seconds']:>6.1f} {spark['cpu'] / duck['cpu']:>5.1f} "
            f"{same.num_rows:>7} {'yes':>5} "
            f"{duck['py_peak_mb']:>6.0f}M {spark['py_peak_mb']:>6.0f}M "
            f"{spark['py_growth_mb']:>8.0f}M {spark['py_workers_peak_mb']:>9.0f}M "
            f"{spark['jvm_heap_peak_mb']:>10.0f}M "
            f"{spark['jvm_used_after_gc_mb']:>5.0f}M {spark['jvm_rss_peak_mb']:>9.0f}M "
            f"{load:>5.1f}",
            flush=True,
        )
    if len(results) > 1:
        small, large = results[0], results[-1]
        ratio = large["spark"]["py_peak_mb"] / small["spark"]["py_peak_mb"]
        print(
            f"Spark's Python driver peak: {small['spark']['py_peak_mb']:.0f}M at "
            f"{small['events']} events, {large['spark']['py_peak_mb']:.0f}M at "
            f"{large['events']} ({large['events'] / small['events']:.0f}x the events): "
            f"x{ratio:.2f}; growth over start-up {small['spark']['py_growth_mb']:.0f}M -> "
            f"{large['spark']['py_growth_mb']:.0f}M"
        )
    dump("spark", {"months": args.months, "runs": results})


if __name__ == "__main__":
    main()
