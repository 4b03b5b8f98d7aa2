"""Sync benchmark: packages/s of ``run_sync`` from a loopback registry (PyPI projects, then
npm packuments, of real sizes), next to the floor of plain concurrent GETs of the same
URLs plus ``orjson.loads`` of every body, in the same run, on the same server, at the same
concurrency. Target: the sync at 0.5 of the floor or better.

    .venv/bin/python bench/bench_sync.py [--pypi N] [--npm N] [--versions V]
        [--concurrency C] [--description-bytes B] [--db postgresql+psycopg://...]
        [--profile] [--quick]

How the figures are made, so they can be trusted:

- The registry is ``tests.registry_server.Universe`` with ``full_documents`` and a long
  description / readme, served by ``tests.loopback`` in a child process: its CPU is not
  the client's, and no server thread competes for the client's GIL. Nagle's algorithm is
  off in that process (see ``_serve``).
- Every document the sync will ask for is rendered to bytes once, before any timing, and
  served from a dict (with its ETag, and 304 on a match): neither measurement pays for
  generating documents. The URL list comes from the collectors' own URL functions
  (``pypi.project_url``, ``simple_url``, ``npm.packument_url``; a release URL as
  ``pypi.fetch_release`` builds it). After each measurement the server's log must hold
  exactly that list, each answered 200 from the dict, or the run stops.
- Floor: an ``httpx.AsyncClient`` made by ``ossmeta.sources.http.make_client`` (the HTTP
  stack, pool and timeouts the sync uses), C workers over the URL list, ``orjson.loads``
  of every body; after a warm-up of a few hundred URLs. As a breakdown, the same through
  ossmeta's ``Fetcher``.
- Sync: ``run_sync`` of every name into a fresh store (an SQLite file in a temp dir; a
  fresh PostgreSQL schema with ``--db``) with ``HttpSettings(max_concurrency=C,
  rate_per_host=None, trust_env=False)``; every package must come out "written".
- ``CPU`` is each process's CPU time over the wall time. A client near 100% means the
  client's own work sets the pace, as it should; a server near 100% would mean the server
  does, and the ratio would say less.
- ``--profile`` adds one more SQLite sync per registry under cProfile (on each thread's
  CPU clock, the event loop's thread and the ``asyncio.to_thread`` workers merged), not
  timed, and prints where the time goes; the stats go to ``bench/out/sync-KIND.prof``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import multiprocessing
import pstats
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import orjson

# Appended, not inserted: every import that fails (httpcore tries `import sniffio` per
# request) searches each entry, and the client should pay what an installed ossmeta pays.
sys.path.append(str(Path(__file__).resolve().parents[1]))  # for tests.registry_server
from _common import OUT, dump
from ossmeta.pipelines.sync.npm import NpmRegistry
from ossmeta.pipelines.sync.pypi import PypiRegistry
from ossmeta.pipelines.sync.registry import Endpoints, Registry
from ossmeta.pipelines.sync.run import SyncReport, SyncRequest, run_sync
from ossmeta.sources import npm, pypi
from ossmeta.sources.http import Fetcher, HttpSettings, make_client
from ossmeta.store import Store, open_store

TARGET = 0.5
WARM_UP = 300  # URLs fetched before the floor is timed
Answer = tuple[int, dict[str, str], bytes]

# ------------------------------------------------------------------ the server process


def _documents(universe: Any, kind: str, origin: str) -> dict[str, list[str]]:
    """The URL of every document a first sync asks for, by document kind."""
    if kind == "npm":
        return {"packument": [npm.packument_url(origin + "/npm", n) for n in universe.npm_names]}
    urls: dict[str, list[str]] = {"project": [], "simple": [], "release": []}
    for name in universe.pypi_names:
        key = pypi.project_name(name)
        urls["project"].append(pypi.project_url(origin, key))
        urls["simple"].append(pypi.simple_url(origin, key))
        urls["release"] += [
            f"{origin}/pypi/{key}/{quote(version, safe='')}/json"
            for version in universe._versions(name)
        ]
    return urls


def _target(url: str) -> str:
    """The request target a client sends for ``url``: what the server's log holds."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _serve(conn: Connection, kind: str, count: int, versions: int, description: int) -> None:
    """The child process: render every document, serve them, answer ``conn``'s commands
    ("reset" the log, send the "log", "stop")."""
    from tests import loopback as loopback_module
    from tests.registry_server import Universe

    # http.server writes an answer's head and body separately; with Nagle's algorithm on,
    # the body waits for the client's delayed ACK of the head (40 ms on Linux), which
    # caps both measurements at a few hundred requests/s. No real registry answers so.
    loopback_module._RequestHandler.disable_nagle_algorithm = True
    universe = Universe.make(
        **{kind: count}, versions=versions, description_bytes=description, full_documents=True
    )
    with loopback_module.serve(quiet=True) as loopback:
        generating = universe.handler(loopback.origin)
        urls = _documents(universe, kind, loopback.origin)
        rendered: dict[str, Answer] = {}
        for url in (url for group in urls.values() for url in group):
            rendered[_target(url)] = answer = generating("GET", _target(url), {}, b"")
            if answer[0] != 200:
                raise SystemExit(f"the synthetic registry answered {answer[0]} for {url}")
        sizes = {g: sum(len(rendered[_target(u)][2]) for u in got) for g, got in urls.items()}
        statuses: Counter[int] = Counter()
        misses: list[str] = []
        sent = [0]  # body bytes

        def fast(method: str, raw: str, headers: dict[str, str], body: bytes) -> Answer:
            found = rendered.get(raw) if method == "GET" else None
            if found is None:  # not rendered: a request the floor does not make
                misses.append(f"{method} {raw}")
                answer = generating(method, raw, headers, body)
            elif headers.get("if-none-match") == found[1]["ETag"]:
                answer = 304, {"ETag": found[1]["ETag"]}, b""
            else:
                answer = found
            with loopback.lock:
                statuses[answer[0]] += 1
                sent[0] += len(answer[2])
            return answer

        loopback.handler = fast
        names = universe.pypi_names if kind == "pypi" else universe.npm_names
        conn.send((loopback.origin, names, urls, sizes))
        while (command := conn.recv()) != "stop":
            with loopback.lock:
                if command == "reset":
                    loopback.requests.clear()
                    statuses.clear()
                    misses.clear()
                    sent[0] = 0
                    reply: object = time.process_time()
                else:
                    log = Counter(f"{r.method} {r.path}" for r in loopback.requests)
                    reply = (log, Counter(statuses), list(misses), sent[0], time.process_time())
            conn.send(reply)


@dataclass
class ServerLog:
    requests: Counter[str]
    statuses: Counter[int]
    misses: list[str]
    body_bytes: int
    cpu_s: float

    def check(self, label: str, urls: list[str]) -> None:
        """Stop the run unless exactly ``urls`` were asked for, each answered 200."""
        expected = Counter(f"GET {_target(u)}" for u in urls)
        if self.requests == expected and self.statuses == Counter({200: len(urls)}):
            return
        extra = sorted((self.requests - expected).elements())[:3]
        missing = sorted((expected - self.requests).elements())[:3]
        raise SystemExit(
            f"{label}: requests other than the URL list (extra {extra}, not made {missing},"
            f" answers {dict(self.statuses)}): is bench_sync._documents out of date?"
        )


class RegistryProcess:
    """The parent's handle on the server process."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.origin, self.names, self.urls, self.sizes = conn.recv()
        self.all_urls: list[str] = [url for group in self.urls.values() for url in group]
        self._cpu_at_reset = 0.0

    def reset(self) -> None:
        self.conn.send("reset")
        self._cpu_at_reset = self.conn.recv()

    def log(self) -> ServerLog:
        self.conn.send("log")
        requests, statuses, misses, body_bytes, cpu = self.conn.recv()
        return ServerLog(requests, statuses, misses, body_bytes, cpu - self._cpu_at_reset)


@contextmanager
def registry_server(
    kind: str, count: int, versions: int, description: int
) -> Iterator[RegistryProcess]:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(
        target=_serve, args=(child, kind, count, versions, description), daemon=True
    )
    process.start()
    try:
        while not parent.poll(1):  # rendering takes a while; a crash must not hang us
            if not process.is_alive():
                raise SystemExit(f"the registry server process exited ({process.exitcode})")
        yield RegistryProcess(parent)
        parent.send("stop")
    finally:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()


# ------------------------------------------------------------------ the measurements


@dataclass
class Measured:
    label: str
    seconds: float
    requests: int
    body_bytes: int
    server_cpu_s: float
    client_cpu_s: float


def http_settings(concurrency: int) -> HttpSettings:
    return HttpSettings(max_concurrency=concurrency, rate_per_host=None, trust_env=False)


async def floor_httpx(urls: list[str], concurrency: int) -> int:
    """GET + ``orjson.loads`` of every URL; returns the body bytes parsed."""
    pending, total = iter(urls), 0

    async def worker() -> None:
        nonlocal total
        for url in pending:
            response = await client.get(url)
            response.raise_for_status()
            orjson.loads(response.content)
            total += len(response.content)

    async with make_client(http_settings(concurrency)) as client:
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total


async def floor_fetcher(urls: list[str], concurrency: int) -> int:
    pending, total = iter(urls), 0

    async def worker() -> None:
        nonlocal total
        for url in pending:
            got = await fetcher.get(url)
            orjson.loads(got.body)
            total += len(got.body)

    async with Fetcher(http_settings(concurrency)) as fetcher:
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total


def measure_floor(
    server: RegistryProcess,
    label: str,
    concurrency: int,
    how: Callable[[list[str], int], Coroutine[Any, Any, int]],
) -> Measured:
    asyncio.run(how(server.all_urls[:WARM_UP], concurrency))
    server.reset()
    start, cpu = time.perf_counter(), time.process_time()
    parsed = asyncio.run(how(server.all_urls, concurrency))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    log = server.log()
    log.check(label, server.all_urls)
    if parsed != log.body_bytes:
        raise SystemExit(f"{label}: parsed {parsed} bytes of the {log.body_bytes} sent")
    return Measured(label, seconds, len(server.all_urls), log.body_bytes, log.cpu_s, cpu)


def fresh_store(kind: str, work: Path, db: str | None) -> tuple[Store, Callable[[], None]]:
    """A migrated, empty store, and what to call to throw it away."""
    if db is None:
        path = work / f"{kind}-{time.monotonic_ns()}.db"
        store = open_store(f"sqlite:///{path}")
        store.upgrade()
        return store, store.dispose
    from sqlalchemy import create_engine, text

    schema = f"ossmeta_bench_sync_{kind}"
    admin = create_engine(db)
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    store = open_store(f"{db}{'&' if '?' in db else '?'}options=-csearch_path%3D{schema}")
    store.upgrade()

    def drop() -> None:
        store.dispose()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()

    return store, drop


class ThreadProfiles:
    """cProfile in every thread that runs sync code: the event loop's and the default
    executor's (``asyncio.to_thread``). Each thread's CPU clock, so time spent waiting
    for the GIL, the socket or the disk is not charged to a function."""

    def __init__(self) -> None:
        self.profiles: list[cProfile.Profile] = []
        self.lock = threading.Lock()

    def start(self) -> None:  # called in the thread to profile
        profile = cProfile.Profile(time.thread_time)
        with self.lock:
            self.profiles.append(profile)
        profile.enable()

    def stats(self, stream: io.StringIO) -> pstats.Stats:
        return pstats.Stats(*self.profiles, stream=stream)


def sync_once(
    server: RegistryProcess,
    registry: Registry,
    store: Store,
    concurrency: int,
    profiles: ThreadProfiles | None = None,
    writer_process: Endpoints | None = None,
) -> tuple[SyncReport, float, float]:
    """One sync of every name: (report, wall seconds, client CPU seconds). With
    ``writer_process`` the sync writes from its own process, as ``ossmeta sync`` does;
    that process's CPU is not in the figure."""

    async def go() -> SyncReport:
        if profiles is not None:
            executor = ThreadPoolExecutor(initializer=profiles.start)
            asyncio.get_running_loop().set_default_executor(executor)
        async with Fetcher(http_settings(concurrency)) as fetcher:
            return await run_sync(
                store,
                registry,
                SyncRequest(tuple(server.names)),
                fetcher,
                writer_process=writer_process,
            )

    start, cpu = time.perf_counter(), time.process_time()
    if profiles is not None:
        profiles.start()
    report = asyncio.run(go())
    if profiles is not None:
        profiles.profiles[0].disable()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    if report.written != len(server.names) or report.failed:
        first = f" (first: {report.failures[0]})" if report.failures else ""
        raise SystemExit(f"{report.written} of {len(server.names)} written{first}")
    return report, seconds, cpu


def measure_sync(
    server: RegistryProcess,
    label: str,
    registry: Registry,
    endpoints: Endpoints,
    store: Store,
    concurrency: int,
) -> Measured:
    server.reset()
    _, seconds, cpu = sync_once(server, registry, store, concurrency, None, endpoints)
    log = server.log()
    if log.misses:
        raise SystemExit(f"{label}: requests for documents not rendered: {log.misses[:3]}")
    log.check(label, server.all_urls)
    return Measured(label, seconds, log.requests.total(), log.body_bytes, log.cpu_s, cpu)


def profile_sync(
    server: RegistryProcess, kind: str, registry: Registry, work: Path, concurrency: int
) -> None:
    profiles = ThreadProfiles()
    store, discard = fresh_store(kind, work, None)
    try:
        _, seconds, _ = sync_once(server, registry, store, concurrency, profiles)
    finally:
        discard()
    text = io.StringIO()
    stats = profiles.stats(text)
    OUT.mkdir(parents=True, exist_ok=True)
    stats.dump_stats(OUT / f"sync-{kind}.prof")
    for order in ("tottime", "cumulative"):
        text.seek(0)
        text.truncate()
        stats.sort_stats(order).print_stats(30)
        print(f"  profile of the {kind} sync ({seconds:.1f} s under cProfile), by {order}:")
        rows = text.getvalue().splitlines()
        header = next(n for n, row in enumerate(rows) if row.lstrip().startswith("ncalls"))
        print("\n".join(f"    {row}" for row in rows[header:] if row.strip()))


# ------------------------------------------------------------------ the report


def line(m: Measured, packages: int, floor: Measured | None, judged: bool = True) -> str:
    """One measurement; with ``floor``, its ratio to it (and, if ``judged``, the verdict)."""
    text = (
        f"  {m.label:<36} {m.requests:6d} req {m.body_bytes / 1e6:7.1f} MB {m.seconds:7.2f} s"
        f" {packages / m.seconds:6.0f} pkg/s {m.requests / m.seconds:6.0f} req/s"
        f"   CPU: client {100 * m.client_cpu_s / m.seconds:3.0f}%"
        f" server {100 * m.server_cpu_s / m.seconds:3.0f}%"
    )
    if floor is not None:
        ratio = floor.seconds / m.seconds
        text += f"\n  {'':<36} = {ratio:.2f} of the floor"
        if judged:
            text += f" ({'meets' if ratio >= TARGET else 'BELOW'} the target >= {TARGET})"
    return text


def bench_kind(kind: str, count: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    with registry_server(kind, count, args.versions, args.description_bytes) as server:
        averages = {g: server.sizes[g] / len(server.urls[g]) / 1e3 for g in server.urls}
        print(
            f"{kind}: {count} {'projects' if kind == 'pypi' else 'packuments'}"
            f" x {args.versions} versions: {len(server.all_urls)} documents,"
            f" {sum(server.sizes.values()) / 1e6:.1f} MB; average size: "
            + ", ".join(f"{group} {kb:.1f} KB" for group, kb in averages.items())
        )
        floor = measure_floor(
            server, "floor (httpx GET + orjson.loads)", args.concurrency, floor_httpx
        )
        print(line(floor, count, None))
        results = {"floor": floor}
        results["fetcher"] = measure_floor(
            server, "ossmeta Fetcher GET + orjson.loads", args.concurrency, floor_fetcher
        )
        print(line(results["fetcher"], count, floor, judged=False))
        endpoints = Endpoints(server.origin if kind == "pypi" else server.origin + "/npm")
        registry: Registry = (
            PypiRegistry(endpoints.url) if kind == "pypi" else NpmRegistry(endpoints)
        )
        for backend, db in [("sqlite", None)] + ([("postgresql", args.db)] if args.db else []):
            store, discard = fresh_store(kind, work, db)
            label = f"ossmeta sync (fresh {'SQLite' if db is None else 'PostgreSQL'})"
            try:
                results[backend] = measure_sync(
                    server, label, registry, endpoints, store, args.concurrency
                )
            finally:
                discard()
            print(line(results[backend], count, floor))
        if args.profile:
            profile_sync(server, kind, registry, work, args.concurrency)
        return {
            "packages": count,
            "versions": args.versions,
            "documents": len(server.all_urls),
            "megabytes": sum(server.sizes.values()) / 1e6,
            "average_kb": averages,
            **{f"{key}_s": m.seconds for key, m in results.items()},
            **{f"{key}_ratio": floor.seconds / m.seconds for key, m in results.items()},
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pypi", type=int, default=2000, help="PyPI projects (0: none)")
    parser.add_argument("--npm", type=int, default=2000, help="npm packuments (0: none)")
    parser.add_argument("--versions", type=int, default=30, help="versions per package")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    parser.add_argument(
        "--description-bytes", type=int, default=6000, help="PyPI description, npm readme"
    )
    parser.add_argument("--db", help="also sync into a fresh schema of this PostgreSQL URL")
    parser.add_argument("--profile", action="store_true", help="profile one more SQLite sync")
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    args = parser.parse_args()
    if args.quick:
        args.pypi, args.npm = min(args.pypi, 60), min(args.npm, 60)
        args.versions = min(args.versions, 10)
    print(f"concurrency {args.concurrency}; floor and sync fetch the same documents, same server")
    work = Path(tempfile.mkdtemp(prefix="ossmeta-bench-sync-"))
    figures: dict[str, Any] = {"concurrency": args.concurrency}
    try:
        for kind, count in (("pypi", args.pypi), ("npm", args.npm)):
            if count > 0:
                figures[kind] = bench_kind(kind, count, args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    dump("sync", figures)


if __name__ == "__main__":
    main()
