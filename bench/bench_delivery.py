"""Delivery benchmark: outbox events to a webhook on loopback through ``ossmeta worker``.

N events are written to the outbox of one tenant with one webhook (one transaction, as a
re-evaluation writes them); then ``ossmeta worker`` processes (1, 2, 4 on PostgreSQL; 1 on
SQLite, whose single writer makes more pointless), started beforehand and idle, deliver
them to a loopback receiver (HTTP/1.1, keeping connections alive). The figure is deliveries per second from the commit of the events to the last delivery marked
``delivered``. The floor, measured in the same run against the same receiver: the same N
bodies signed (Standard Webhooks, the ``standardwebhooks`` package) and POSTed by one
client with no store, and by as many threads as workers. Each figure is the best of
``--repeat`` runs, the floor's too, so that a busy machine disturbs the ratio less.

    OSSMETA_BENCH_DATABASE_URL=postgresql+psycopg://user@host/db \\
        .venv/bin/python bench/bench_delivery.py [--events 1000] [--repeat 3] [--sqlite]

(``OSSMETA_TEST_DATABASE_URL`` is used when the first is unset; without either, or with
``--sqlite``, the store is a SQLite file.)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select, text

from ossmeta.service.accounts import Actor, create_tenant
from ossmeta.service.notify import new_secret, signed_headers, webhook_body
from ossmeta.store import Store, open_store
from ossmeta.store.outbox import OutboxEvent
from ossmeta.store.outbox_many import add_events
from ossmeta.store.schema import deliveries
from ossmeta.store.system_access import system_transaction
from ossmeta.store.tenancy import tenant_transaction
from ossmeta.store.webhooks import insert_webhook

FINDING = {
    "project": "shop",
    "version": "1.0",
    "purl": "pkg:pypi/jinja2@2.10",
    "aliases": ["CVE-2019-10906"],
    "severity": "high",
}


class _Receiver(BaseHTTPRequestHandler):
    # Keeps connections alive, as a web server in front of a real receiver does.
    protocol_version = "HTTP/1.1"
    count = 0
    lock = threading.Lock()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        with _Receiver.lock:
            _Receiver.count += 1
        self.send_response(204)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


class _Server(ThreadingHTTPServer):
    # The standard library's backlog of 5 drops connections once several workers send at
    # once, and a dropped SYN costs a second; servers in front of receivers take hundreds.
    request_queue_size = 128


@contextmanager
def _receiver() -> Iterator[str]:
    server = _Server(("127.0.0.1", 0), _Receiver)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def _floor(url: str, secret: str, events: int, threads: int) -> float:
    """Seconds to sign and POST ``events`` bodies from ``threads`` clients, no store."""
    now = datetime.now(UTC)
    bodies = [
        OutboxEvent(f"msg_{n:024x}", 1, "finding.new", FINDING | {"id": f"X-{n}"}, now)
        for n in range(events)
    ]

    def send(part: list[OutboxEvent]) -> None:
        with httpx.Client(timeout=30) as client:
            for event in part:
                body = webhook_body(event)
                headers = signed_headers(secret, event.id, body, datetime.now(UTC))
                client.post(url, content=body.encode(), headers=headers).raise_for_status()

    workers = [threading.Thread(target=send, args=(bodies[k::threads],)) for k in range(threads)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return time.perf_counter() - start


def _delivered(store: Store) -> int:
    with system_transaction(store) as tx:
        query = (
            select(func.count()).select_from(deliveries).where(deliveries.c.state == "delivered")
        )
        return int(tx.execute(query).scalar_one())


def _measure(store: Store, tenant: int, events: int, workers: int, repeat: int) -> float:
    """Seconds from the commit of ``events`` events to the last one delivered (the best of
    ``repeat`` rounds, the same workers running throughout)."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    command = [sys.executable, "-m", "ossmeta", "worker", "--poll", "0.05", "--db", store.url]
    processes = [
        subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
        for _ in range(workers)
    ]
    best = float("inf")
    try:
        for process in processes:  # each says it runs once its store is open
            assert process.stderr is not None
            process.stderr.readline()
        for round_ in range(repeat):
            before = _delivered(store)
            with tenant_transaction(store, tenant) as tx:
                ids = (f"X-{workers}-{round_}-{n}" for n in range(events))
                add_events(tx, tenant, [("finding.new", FINDING | {"id": id_}) for id_ in ids])
            # From the commit: writing the events is the re-evaluation's cost, not delivery's.
            start = time.perf_counter()
            while _delivered(store) - before < events:
                time.sleep(0.02)
            best = min(best, time.perf_counter() - start)
        return best
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.communicate(timeout=60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="Rounds; the best is shown.")
    parser.add_argument("--sqlite", action="store_true", help="Use a SQLite file.")
    args = parser.parse_args()
    base = os.environ.get("OSSMETA_BENCH_DATABASE_URL") or os.environ.get(
        "OSSMETA_TEST_DATABASE_URL"
    )
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with tempfile.TemporaryDirectory() as scratch:
        if args.sqlite or not base:
            url, counts, admin = f"sqlite:///{scratch}/bench.db", (1,), None
        else:
            admin = create_engine(base)
            with admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            url = base + ("&" if "?" in base else "?") + f"options=-csearch_path%3D{schema}"
            counts = (1, 2, 4)
        store = open_store(url)
        try:
            store.upgrade()
            tenant = create_tenant(store, "bench", Actor("cli:bench")).id
            secret = new_secret()
            with _receiver() as hook:
                with tenant_transaction(store, tenant) as tx:
                    insert_webhook(
                        tx,
                        tenant_id=tenant,
                        url=hook,
                        events=("finding.new",),
                        secret=secret,
                        now=datetime.now(UTC),
                    )
                print(f"store: {store.dialect}; {args.events} events, one webhook on loopback")
                for workers in counts:
                    repeat = max(1, args.repeat)
                    floor = min(_floor(hook, secret, args.events, workers) for _ in range(repeat))
                    took = _measure(store, tenant, args.events, workers, repeat)
                    print(
                        f"  {workers} worker(s): {args.events / took:8.0f} deliveries/s "
                        f"({took:.2f} s)   floor, {workers} signing client(s) without a store: "
                        f"{args.events / floor:8.0f}/s ({floor:.2f} s)   ratio {took / floor:.1f}x"
                    )
        finally:
            store.dispose()
            if admin is not None:
                with admin.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
