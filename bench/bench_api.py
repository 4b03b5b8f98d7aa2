"""API benchmark: ``GET /api/v1/packages/{purl}`` on PostgreSQL at 32 concurrent clients.

A store of synthetic PyPI packages (each with versions and dependencies) is loaded into a
fresh PostgreSQL schema; ``ossmeta serve`` runs it in its own process and wrk (the load
generator, another process) asks for random packages for a few seconds. Printed next to it,
in the same run: the floor of the same lookup as bare SQL (the package's row, its versions
and their dependencies, by primary key and index) from 32 threads with a connection each,
the store-level lookup the route makes on a miss (curations applied, dependents counted) and
the marker check it makes when it holds the document, each in one thread. The server runs
with 1 and then 2 worker processes (``--workers``); each is loaded twice, first with empty
caches and then warm.

    OSSMETA_BENCH_DATABASE_URL=postgresql+psycopg://user@host/db \\
        .venv/bin/python bench/bench_api.py [--packages 2000] [--seconds 5]

(``OSSMETA_TEST_DATABASE_URL`` is used when the first is unset.) Needs ``wrk`` on PATH.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import create_engine, text

from ossmeta.model import LicenseValue
from ossmeta.service import public
from ossmeta.service.public import package_view
from ossmeta.store import open_store
from ossmeta.store.packages import save_package

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import percentiles_ms, schema_url, synthetic_package

CLIENTS = 32
MIT = LicenseValue("MIT", "MIT", "high", "pypi:license_expression")


_BARE_SQL = (
    "SELECT p.purl, p.status, v.version, v.published, d.target, d.requirement "
    "FROM packages p LEFT JOIN package_versions v ON v.package_id = p.id "
    "LEFT JOIN package_dependencies d ON d.version_id = v.id WHERE p.purl = %s"
)


def bare_sql(dsn: str, schema: str, purls: list[str], seconds: float) -> tuple[float, float, float]:
    """(lookups/s, p50 ms, p99 ms) of the package's rows by bare SQL, 32 threads."""
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        mine: list[float] = []
        connection = psycopg.connect(dsn, options=f"-csearch_path={schema}")
        with connection, connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                cursor.execute(_BARE_SQL, (rng.choice(purls),))
                cursor.fetchall()
                mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    p50, p99 = percentiles_ms(latencies)
    return len(latencies) / elapsed, p50, p99


_WRK_SCRIPT = """
local purls = {%s}
request = function()
  return wrk.format("GET", "/api/v1/packages/" .. purls[math.random(#purls)])
end
"""


def _wrk_ms(text_value: str) -> float:
    match = re.fullmatch(r"([0-9.]+)(us|ms|s)", text_value)
    assert match, text_value
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]
    return float(match.group(1)) * scale


def api_load(base: str, purls: list[str], seconds: float) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, non-2xx) measured by wrk at 32 connections."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_WRK_SCRIPT % ", ".join(f'"{p}"' for p in purls))
    try:
        done = subprocess.run(
            ["wrk", "-t2", f"-c{CLIENTS}", f"-d{int(seconds)}s", "--latency", "-s", script.name, base],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    finally:
        os.unlink(script.name)
    out = done.stdout
    rate = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _wrk_ms(re.search(r"50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _wrk_ms(re.search(r"99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses:\s+([0-9]+)", out)
    return rate, p50, p99, int(errors.group(1)) if errors else 0


def _wait_for_processes(base: str, workers: int) -> None:
    """Until every server process has answered: the socket listens before the processes
    have started, and their start is no part of what is measured. A request id begins with
    its process's own random prefix."""
    seen: set[str] = set()
    deadline = time.monotonic() + 120
    while len(seen) < workers:
        if time.monotonic() > deadline:
            raise SystemExit(f"bench_api: {workers - len(seen)} server process(es) never answered")
        try:
            with httpx.Client(timeout=5) as http:  # a new connection each time
                seen.add(http.get(base + "/openapi.json").headers["x-request-id"][:16])
        except httpx.TransportError:
            time.sleep(0.1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    base = os.environ.get("OSSMETA_BENCH_DATABASE_URL") or os.environ.get(
        "OSSMETA_TEST_DATABASE_URL"
    )
    if not base or shutil.which("wrk") is None:
        # Not a failure of ``make bench`` on a machine without them: said, skipped.
        print("bench_api: skipped, needs OSSMETA_BENCH_DATABASE_URL (PostgreSQL) and wrk on PATH")
        return 0
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = schema_url(base, schema)
    server: subprocess.Popen[str] | None = None
    loads: list[tuple[int, str, float, float, float, int]] = []
    try:
        store = open_store(url)
        store.upgrade()
        rng = random.Random(7)
        now = datetime.now(UTC)
        started = time.perf_counter()
        with store.engine.begin() as connection:
            for n in range(args.packages):
                save_package(
                    connection, synthetic_package(n, args.packages, rng, most_versions=15), now
                )
        print(f"loaded {args.packages} packages in {time.perf_counter() - started:.1f} s")
        purls = [f"pkg:pypi/bench-{n}" for n in range(args.packages)]

        lookups = [time.perf_counter()]
        for purl in purls[:500]:
            package_view(store, purl)
            lookups.append(time.perf_counter())
        per_lookup = statistics.median(b - a for a, b in itertools.pairwise(lookups))
        views = [public.marked_package_view(store, purl) for purl in purls[:500]]
        checks = [time.perf_counter()]
        for purl, view in zip(purls[:500], views, strict=True):
            public.marked_package_view(store, purl, None if view is None else view.marker)
            checks.append(time.perf_counter())
        per_marker = statistics.median(b - a for a, b in itertools.pairwise(checks))
        store.dispose()

        dsn = admin.url.set(drivername="postgresql").render_as_string(hide_password=False)
        sql_rate, sql_p50, sql_p99 = bare_sql(dsn, schema, purls, args.seconds)

        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
        for workers in (1, 2):
            server = subprocess.Popen(
                [sys.executable, "-m", "ossmeta", "serve", "--port", "0", "--db", url,
                 "--workers", str(workers)],
                stdout=subprocess.PIPE, text=True, env=env,
            )  # fmt: skip
            assert server.stdout is not None
            address = server.stdout.readline().strip().rsplit(" ", 1)[-1]
            _wait_for_processes(address, workers)
            # The first run starts with empty caches; by the second most documents are
            # kept, as on a server that has been up a while.
            loads.extend(
                (workers, run, *api_load(address, purls, args.seconds))
                for run in ("first run", "warm")
            )
            server.terminate()
            server.wait(timeout=30)
            server = None
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    print(f"{CLIENTS} concurrent clients, {args.seconds:g} s each, {args.packages} packages")
    for workers, run, rate, p50, p99, errors in loads:
        print(
            f"  API  GET /api/v1/packages/{{purl}}  {workers} worker{'s' if workers > 1 else ' '} "
            f"{run:9}  {rate:8.0f} req/s  p50 {p50:6.2f} ms  p99 {p99:7.2f} ms  "
            f"({errors} non-2xx)  API / bare SQL: {rate / sql_rate:.3f}"
        )
    print(
        f"  floor: bare SQL of the same rows               {sql_rate:8.0f} q/s    p50 {sql_p50:6.2f} ms  p99 {sql_p99:7.2f} ms"
    )
    print(f"  store lookup (curations, dependents), one thread: {per_lookup * 1000:.2f} ms each")
    print(
        f"  marker check (all a kept document costs the store), one thread: {per_marker * 1000:.2f} ms each"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
