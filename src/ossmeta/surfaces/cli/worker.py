"""``ossmeta worker``: runs the store's background jobs and delivers its notifications.

Several workers may run on one PostgreSQL store (they take disjoint jobs); on SQLite one is
enough, and ``ossmeta serve`` runs one in process by default. SIGTERM or Ctrl-C stops the
worker cleanly: the job in hand and the deliveries in flight are finished first, the rest of
the batch is given back at once (what it could not finish is taken again by another worker
when its lease expires), and the command exits 0.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Annotated

import typer

from ossmeta.surfaces.cli.common import DbOption, open_for_write

__all__ = ["stop_on_signals", "worker"]


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """While in the block, SIGTERM and SIGINT set ``stop`` instead of killing the process
    (only the main thread can install handlers; elsewhere nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def worker(
    once: Annotated[
        bool, typer.Option("--once", help="Stop when no job or delivery is due.")
    ] = False,
    poll: Annotated[
        float,
        typer.Option(min=0.01, max=3600.0, help="Seconds between looks when nothing is due."),
    ] = 1.0,
    db: DbOption = None,
) -> None:
    """Run background jobs and deliver notifications (webhooks, e-mail) until stopped.

    Leases come from OSSMETA_WORKER_LEASE_S, deliveries leased per round from
    OSSMETA_WORKER_BATCH (64), the webhook timeout from OSSMETA_WEBHOOK_TIMEOUT_S, the SMTP
    server from OSSMETA_SMTP_HOST and _PORT, _FROM,
    _STARTTLS, _USER, _PASSWORD."""
    # The worker loop, HTTP client and the store are imported here only.
    from ossmeta.service.jobs import WorkerSettings, run_worker, worker_name

    settings = WorkerSettings.from_env(poll_interval_s=poll)
    store = open_for_write(db)
    name = worker_name()
    stop = threading.Event()
    with stop_on_signals(stop):
        # Printed once the store is open: a script may wait for this line.
        print(f"ossmeta worker {name} running", file=sys.stderr, flush=True)
        summary = run_worker(store, once=once, stop_event=stop, settings=settings, worker_id=name)
    print(
        f"ossmeta worker {name} stopped: {summary.jobs} job(s) run, "
        f"{summary.deliveries} delivery attempt(s)",
        file=sys.stderr,
        flush=True,
    )
