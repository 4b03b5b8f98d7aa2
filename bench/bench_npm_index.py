"""npm index benchmark: the packument of a 300-version package (every tenth version denied)
served by ossmeta's npm index on loopback, from an upstream stub on loopback. Prints p50/p99
latency and requests/s at 1, 4 and 32 clients, for the abbreviated (what npm install asks)
and the full document, with upstream asked at most every 30 s (the default) and on every
request (``OSSMETA_INDEX_REVALIDATE_SECONDS=0``: an ETag round trip to upstream each time).

    .venv/bin/python bench/bench_npm_index.py [--seconds S]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Sequence
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing import Queue
from pathlib import Path

import httpx
import uvicorn

from ossmeta.analyses.policy.model import Decider, Decision, Reason, UpstreamRelease
from ossmeta.service.index_npm import NpmIndex
from ossmeta.service.indexes import add_index
from ossmeta.store import Store, open_store
from ossmeta.store.blobs import BlobStore
from ossmeta.store.indexes import IndexDefinition
from ossmeta.surfaces.api.app import create_app
from ossmeta.surfaces.api.settings import ApiSettings

CORGI = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*"


def packument(versions: int) -> bytes:
    doc: dict[str, object] = {"name": "big", "dist-tags": {}, "versions": {}, "time": {}}
    for i in range(versions):
        v = f"{i // 100}.{i % 100}.0"
        doc["versions"][v] = {  # type: ignore[index]
            "name": "big",
            "version": v,
            "license": "MIT",
            "description": "x" * 200,
            "dependencies": {"left": "^1.0.0", "right": "~2.1.0"},
            "dist": {
                "tarball": f"http://up/big/-/big-{v}.tgz",
                "shasum": hashlib.sha1(v.encode()).hexdigest(),
            },
        }
        doc["time"][v] = "2024-01-01T00:00:00.000Z"  # type: ignore[index]
        doc["dist-tags"] = {"latest": v}
    return json.dumps(doc).encode()


def upstream(body: bytes) -> ThreadingHTTPServer:
    etag = '"' + hashlib.sha256(body).hexdigest() + '"'

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("ETag", etag)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def every_tenth_denied(store: Store, definition: IndexDefinition, now: datetime) -> Decider:
    reason = Reason("licenses.deny", "bench")

    def decide(releases: Sequence[UpstreamRelease]) -> Sequence[Decision]:
        return [
            Decision("deny", (reason,), "bench", 1) if i % 10 == 0 else Decision("allow")
            for i, _ in enumerate(releases)
        ]

    return decide


def serve_forever(store_url: str, revalidate: float, root: str, ports: Queue[int]) -> None:
    """The server, in a process of its own (the load generator's threads must not share
    its interpreter lock)."""
    settings = ApiSettings(database_url=store_url)
    store = open_store(store_url, access="write", pool_size=settings.threads + 4)
    app = create_app(settings, store=store)
    app.state.npm_index = NpmIndex(
        store, blobs=BlobStore(Path(root) / "blobs"), decider=every_tenth_denied,
        marker=lambda *_: "", revalidate_after=revalidate,
    )  # fmt: skip
    listener = socket.create_server(("127.0.0.1", 0))
    ports.put(listener.getsockname()[1])
    uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False)).run(
        sockets=[listener]
    )


def load(url: str, accept: str, clients: int, seconds: float) -> tuple[float, float, float]:
    latencies: list[float] = []
    lock = threading.Lock()
    # Clients made (and connected) before the clock starts: making one costs tens of ms.
    https = [
        httpx.Client(headers={"Accept": accept, "Accept-Encoding": "gzip"}) for _ in range(clients)
    ]
    for http in https:
        http.get(url).raise_for_status()
    stop = time.perf_counter() + seconds

    def client(http: httpx.Client) -> None:
        mine = []
        while time.perf_counter() < stop:
            t = time.perf_counter()
            http.get(url).raise_for_status()
            mine.append(time.perf_counter() - t)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(http,)) for http in https]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    for http in https:
        http.close()
    if len(latencies) < 2:
        return float("nan"), float("nan"), len(latencies) / elapsed
    q = statistics.quantiles(latencies, n=100)
    return q[49] * 1000, q[98] * 1000, len(latencies) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    body = packument(300)
    up = upstream(body)
    fork = multiprocessing.get_context("fork")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/store.db"
        store = open_store(url, access="create")
        store.upgrade()
        add_index(store, "big", "npm", f"http://127.0.0.1:{up.server_address[1]}/", None, "b")
        store.dispose()
        print(f"packument: 300 versions, {len(body) // 1024} KiB upstream; {os.cpu_count()} CPUs")
        for revalidate in (30.0, 0.0):
            ports: Queue[int] = fork.Queue()
            child = fork.Process(target=serve_forever, args=(url, revalidate, tmp, ports))
            child.start()
            index = f"http://127.0.0.1:{ports.get(timeout=60)}/index/big/npm/big"
            for _ in range(500):
                try:
                    httpx.get(index).raise_for_status()  # ready, and warm
                    break
                except httpx.TransportError:
                    time.sleep(0.02)
            for kind, accept in (("corgi", CORGI), ("full", "application/json")):
                for clients in (1, 4, 32):
                    p50, p99, rate = load(index, accept, clients, args.seconds)
                    print(
                        f"revalidate={revalidate:>4.0f}s {kind:5} c={clients:<2} "
                        f"p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  {rate:6.0f} req/s"
                    )
            child.terminate()
            child.join()
    up.shutdown()


if __name__ == "__main__":
    main()
