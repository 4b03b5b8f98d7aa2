"""Index benchmark: ``GET /index/bench/simple/many-ver/`` (a 300-version project, PEP 691 JSON)
on ossmeta's index, side by side with proxpi and devpi-server serving the same stub upstream
(``index_upstream.py``) in the same run. Each server runs alone on a loopback port, is warmed
(its page cached), then ``wrk`` (keep-alive, 2 threads, ``--latency``) loads it at 4 and 32
connections for the duration given. Printed: requests/s, p50, p99, and each server's
requests/s as a ratio of proxpi's. Targets: ossmeta >= 2x proxpi's requests/s; p99 < 10 ms
at 4 clients. proxpi runs both ways its docs give (gunicorn with two threads, as its image;
Flask's threaded server, as its README) and the ratio is to the faster of the two per row.

A server that does not start or whose page does not answer 200 with the 300 files is
skipped, with the reason printed (so the bench runs before ossmeta's index routes exist).

    .venv/bin/python bench/bench_index.py [--duration 10] [--servers proxpi,proxpi-flask,devpi-server,ossmeta]

The ossmeta side is whatever ``ossmeta`` this interpreter imports: to bench another checkout
(a merge, say) with this venv, put that checkout's ``src`` first on ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import index_upstream
from _common import dump
from _servers import JSON_ACCEPT, STARTERS, Skipped, check_page, load_note

CONNECTIONS = (4, 32)
WARMUP = 50
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip()).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> dict[str, float]:
    """requests/s, p50 and p99 (ms) and non-2xx answers from ``wrk --latency`` output."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s*50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s*99%\s+(\S+)", output, re.M)
    if not (rate and p50 and p99):
        raise ValueError(f"unexpected wrk output:\n{output}")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:.*", output)
    return {
        "rps": float(rate.group(1)),
        "p50_ms": _ms(p50.group(1)),
        "p99_ms": _ms(p99.group(1)),
        "non_2xx": float(bad.group(1)) if bad else 0.0,
        "socket_errors": 1.0 if errors else 0.0,
    }


def wrk(url: str, connections: int, duration: int) -> dict[str, float]:
    argv = [
        "wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency",
        "-H", f"Accept: {JSON_ACCEPT}", url,
    ]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    return parse_wrk(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--servers", default=",".join(STARTERS))
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("bench_index: skipped, needs wrk (apt-get install wrk)")
        return 0
    results: dict[str, dict[int, dict[str, float]]] = {}
    load_before = load_note()
    skipped: dict[str, str] = {}
    with (
        index_upstream.start() as upstream,
        tempfile.TemporaryDirectory(prefix="ossmeta-bench-index-") as tmp,
    ):
        simple = f"{upstream.base}/simple/"
        for name in args.servers.split(","):
            folder = Path(tmp) / name
            folder.mkdir()
            try:
                with ExitStack() as stack:
                    server = stack.enter_context(STARTERS[name](simple, folder))
                    check_page(server, index_upstream.BIG, index_upstream.BIG_VERSIONS)
                    url = f"{server.simple}{index_upstream.BIG}/"
                    with httpx.Client(headers={"Accept": JSON_ACCEPT}) as client:
                        for _ in range(WARMUP):
                            client.get(url).raise_for_status()
                    results[name] = {c: wrk(url, c, args.duration) for c in CONNECTIONS}
            except Skipped as why:
                skipped[name] = str(why)
                print(f"bench_index: {name} skipped: {why}")
    _print(results, args.duration)
    print(f"before: {load_before}; after: {load_note()}")
    dump(
        "bench_index",
        {"duration_s": args.duration, "results": results, "skipped": skipped, "load": load_note()},
    )
    return 0


def _print(results: dict[str, dict[int, dict[str, float]]], duration: int) -> None:
    print(
        f"\nGET simple/{index_upstream.BIG}/ ({index_upstream.BIG_VERSIONS} files, PEP 691 JSON), "
        f"wrk -t2 --latency, {duration} s per row, keep-alive, loopback"
    )
    print(
        f"{'server':<14} {'clients':>7} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs proxpi':>10}"
    )
    # The anchor is proxpi at its best in this run, whichever way it was served.
    anchor: dict[int, dict[str, float]] = {}
    for name, rows in results.items():
        if name.startswith("proxpi"):
            for clients, row in rows.items():
                if row["rps"] > anchor.get(clients, {"rps": 0.0})["rps"]:
                    anchor[clients] = row
    for name, rows in results.items():
        for clients, row in rows.items():
            ratio = f"{row['rps'] / anchor[clients]['rps']:.2f}x" if clients in anchor else "-"
            flag = "  (non-2xx answers!)" if row["non_2xx"] else ""
            print(
                f"{name:<14} {clients:>7} {row['rps']:>9.0f} {row['p50_ms']:>8.2f} "
                f"{row['p99_ms']:>8.2f} {ratio:>10}{flag}"
            )
    if "ossmeta" in results and anchor:
        print(
            "targets: ossmeta req/s >= 2x proxpi's at every row; p99 < 10 ms at 4 clients "
            f"(now {results['ossmeta'][4]['p99_ms']:.2f} ms)"
        )


if __name__ == "__main__":
    raise SystemExit(main())
