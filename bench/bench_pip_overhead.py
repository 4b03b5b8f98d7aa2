"""pip overhead benchmark: ``pip install`` of 30 small projects (each requiring the next) from
the stub upstream (``index_upstream.py``) directly, next to the same install through
ossmeta's index (and through proxpi, for context) in the same run. The target:
median(through ossmeta) / median(direct) <= 1.2.

pip is this venv's, isolated from the machine: ``PIP_CONFIG_FILE=/dev/null``, no ``PIP_*``
variables, ``--no-cache-dir`` and a fresh ``--target`` per run. Each route is installed once
untimed (the proxies fetch and cache; that first time is printed as "cold"), then the routes
take turns ``--runs`` times so drift on a shared machine falls on all alike. A server that
does not start or does not serve the page is skipped, with the reason.

    .venv/bin/python bench/bench_pip_overhead.py [--runs 3] [--servers proxpi,ossmeta]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import index_upstream
from _common import dump
from _servers import STARTERS, Server, Skipped, check_page, load_note


def pip_env() -> dict[str, str]:
    """This environment without pip's settings, and no config file at all."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


def install(simple: str, target: Path) -> float:
    """Seconds ``pip install`` of the 30 projects into ``target`` took; raises if it failed."""
    argv = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--no-cache-dir", "--no-compile", "--target", str(target), "--index-url", simple,
        *index_upstream.SMALL,
    ]  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(argv, env=pip_env(), capture_output=True, text=True, check=False)
    took = time.perf_counter() - start
    installed = list(target.glob("bench_small_*.dist-info"))
    if done.returncode != 0 or len(installed) != len(index_upstream.SMALL):
        raise RuntimeError(
            f"pip install from {simple} failed ({len(installed)} installed):\n{done.stderr[-2000:]}"
        )
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--servers", default="proxpi,ossmeta")
    args = parser.parse_args()
    skipped: dict[str, str] = {}
    load_before = load_note()
    with (
        index_upstream.start() as upstream,
        tempfile.TemporaryDirectory(prefix="ossmeta-bench-pip-") as tmp,
        ExitStack() as stack,
    ):
        routes = {"direct": f"{upstream.base}/simple/"}
        for name in args.servers.split(","):
            folder = Path(tmp) / name
            folder.mkdir()
            try:
                server: Server = stack.enter_context(STARTERS[name](routes["direct"], folder))
                check_page(server, index_upstream.SMALL[0], index_upstream.SMALL_VERSIONS)
                routes[name] = server.simple
            except Skipped as why:
                skipped[name] = str(why)
                print(f"bench_pip_overhead: {name} skipped: {why}")
        runs = 0

        def fresh() -> Path:
            nonlocal runs
            runs += 1
            return Path(tmp) / f"target-{runs}"

        cold = {route: install(simple, fresh()) for route, simple in routes.items()}
        times: dict[str, list[float]] = {route: [] for route in routes}
        for _ in range(args.runs):
            for route, simple in routes.items():
                times[route].append(install(simple, fresh()))
    medians = {route: statistics.median(samples) for route, samples in times.items()}
    print(
        f"\npip install of {len(index_upstream.SMALL)} projects (isolated, --no-cache-dir, fresh "
        f"--target), median of {args.runs} warm runs"
    )
    # The best run too: on a shared machine it is the one least disturbed by other load.
    best = {route: min(samples) for route, samples in times.items()}
    print(
        f"{'route':<14} {'median s':>9} {'vs direct':>10} {'best s':>7} {'vs direct':>10} "
        f"{'cold s':>7}  runs s"
    )
    for route, median in medians.items():
        spread = " ".join(f"{s:.2f}" for s in times[route])
        print(
            f"{route:<14} {median:>9.2f} {median / medians['direct']:>9.2f}x {best[route]:>7.2f} "
            f"{best[route] / best['direct']:>9.2f}x {cold[route]:>7.2f}  {spread}"
        )
    if "ossmeta" in medians:
        print(
            f"target: median ossmeta / direct <= 1.2 (now {medians['ossmeta'] / medians['direct']:.2f}; "
            f"best-run ratio {best['ossmeta'] / best['direct']:.2f})"
        )
    print(f"before: {load_before}; after: {load_note()}")
    dump(
        "bench_pip_overhead",
        {"runs": times, "cold": cold, "median": medians, "best": best, "skipped": skipped},
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
