"""Background work: a registry of job handlers and the worker loop.

A module that owns a kind of job registers its handler once::

    @register("reevaluate")
    def reevaluate(store: Store, job: Job) -> None: ...

``run_worker`` takes due jobs (``ossmeta.store.jobs``) and due outbox deliveries
(``ossmeta.service.notify_worker``, a batch per round) until it is stopped, or, with
``once``, until nothing is due; it sleeps only when a round found nothing. A job of a kind
nobody registered fails at once with a clear error and stays in the table; a handler's
error is retried with backoff until the job's ``max_attempts``. While a handler runs, a
heartbeat renews its lease, so only a dead worker loses its job.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ossmeta.errors import OssmetaError, UsageError
from ossmeta.service.notify_email import SmtpSettings
from ossmeta.service.notify_worker import DeliverySettings, deliver_batch, http_client
from ossmeta.store.engine import Store
from ossmeta.store.jobs import Backoff, Job, extend_lease, fail, finish, take
from ossmeta.store.system_access import system_transaction

__all__ = [
    "Handler",
    "PermanentJobError",
    "WorkerSettings",
    "WorkerSummary",
    "handler_for",
    "register",
    "run_one_job",
    "run_worker",
    "worker_name",
]

log = logging.getLogger("ossmeta.worker")

#: A job handler: does the work in its own transactions; raising fails the attempt.
Handler = Callable[[Store, Job], None]
_HANDLERS: dict[str, Handler] = {}


class PermanentJobError(OssmetaError):
    """Raised by a handler when trying again cannot help (the job fails at once)."""


def payload_packages(payload: dict[str, object], job: str) -> list[tuple[str, str]] | None:
    """The ``"packages": [[ecosystem, name key], ...]`` of a job that re-runs work per
    package (None for ``"all": true``); a malformed payload fails the job for good."""
    if payload.get("all") is True:
        return None
    listed = payload.get("packages")
    if not isinstance(listed, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in listed
    ):
        raise PermanentJobError(
            f'a {job} job needs "packages": [[ecosystem, name key], ...] or "all": true'
        )
    return [(p[0], p[1]) for p in listed]


def register(kind: str) -> Callable[[Handler], Handler]:
    """Decorator: ``handler`` runs the jobs of ``kind`` (one handler per kind)."""

    def add(handler: Handler) -> Handler:
        existing = _HANDLERS.get(kind)
        if existing is not None and existing is not handler:
            raise ValueError(f"job kind {kind!r} has a handler already")
        _HANDLERS[kind] = handler
        return handler

    return add


def handler_for(kind: str) -> Handler | None:
    return _HANDLERS.get(kind)


def _env_seconds(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise UsageError(f"{name} must be a number of seconds, not {raw!r}") from None
    if value <= 0:
        raise UsageError(f"{name} must be a positive number of seconds, not {raw!r}")
    return value


def _env_count(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    if not raw.strip().isdigit() or not 1 <= int(raw) <= 10_000:
        raise UsageError(f"{name} must be a whole number from 1 to 10000, not {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class WorkerSettings:
    poll_interval_s: float = 1.0
    #: How long a taken job is the worker's before another may take it (renewed by a
    #: heartbeat while the handler runs).
    lease: timedelta = timedelta(minutes=5)
    job_backoff: Backoff = field(default_factory=Backoff)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)

    @classmethod
    def from_env(cls, *, poll_interval_s: float = 1.0) -> WorkerSettings:
        """Leases from ``OSSMETA_WORKER_LEASE_S`` (jobs and deliveries), the webhook timeout
        from ``OSSMETA_WEBHOOK_TIMEOUT_S``, deliveries leased per round from
        ``OSSMETA_WORKER_BATCH``, SMTP from ``OSSMETA_SMTP_*``."""
        lease = timedelta(seconds=_env_seconds("OSSMETA_WORKER_LEASE_S", 300.0))
        delivery = DeliverySettings(
            lease=min(lease, timedelta(minutes=2)),
            timeout_s=_env_seconds("OSSMETA_WEBHOOK_TIMEOUT_S", 10.0),
            smtp=SmtpSettings.from_env(),
            batch=_env_count("OSSMETA_WORKER_BATCH", DeliverySettings.batch),
        )
        return cls(poll_interval_s=poll_interval_s, lease=lease, delivery=delivery)


@dataclass(frozen=True)
class WorkerSummary:
    jobs: int
    deliveries: int


def worker_name() -> str:
    """Unique per worker: host, process and a random part (threads of one process differ)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class _Heartbeat:
    """Renews a job's lease every third of the lease until stopped."""

    def __init__(self, store: Store, job: Job, lease: timedelta) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, args=(store, job, lease), name=f"lease-{job.id}", daemon=True
        )

    def _beat(self, store: Store, job: Job, lease: timedelta) -> None:
        while not self._stop.wait(lease.total_seconds() / 3):
            with system_transaction(store) as tx:
                held = extend_lease(tx, job.id, job.worker_id or "", datetime.now(UTC) + lease)
            if not held:
                return

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _describe(error: BaseException) -> str:
    if isinstance(error, OssmetaError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def run_one_job(store: Store, worker_id: str, settings: WorkerSettings) -> bool:
    """Take and run the oldest due job, if any; whether there was one."""
    with system_transaction(store) as tx:
        job = take(tx, worker_id, lease=settings.lease, now=datetime.now(UTC))
    if job is None:
        return False
    handler = handler_for(job.kind)
    error: str | None = None
    retry = True
    if handler is None:
        error, retry = f"no handler for job kind {job.kind!r}", False
    else:
        try:
            with _Heartbeat(store, job, settings.lease):
                handler(store, job)
        except PermanentJobError as failure:
            error, retry = str(failure), False
        except Exception as failure:
            # A handler's failure is the job's, not the worker's: recorded, retried.
            if not isinstance(failure, OssmetaError):
                log.exception("job %s (%s) raised", job.id, job.kind)
            error = _describe(failure)
    now = datetime.now(UTC)
    with system_transaction(store) as tx:
        if error is None:
            outcome = "done" if finish(tx, job.id, worker_id, now=now) else "lost"
        else:
            outcome = fail(tx, job, error, now=now, backoff=settings.job_backoff, retry=retry)
    if outcome == "lost":
        log.warning("job %s was taken over by another worker (its lease expired)", job.id)
    elif error is not None:
        log.info("job %s (%s) attempt %s: %s -> %s", job.id, job.kind, job.attempts, error, outcome)
    return True


def run_worker(
    store: Store,
    *,
    once: bool = False,
    stop_event: threading.Event | None = None,
    settings: WorkerSettings | None = None,
    worker_id: str | None = None,
) -> WorkerSummary:
    """Run jobs and deliveries until ``stop_event`` is set, or with ``once`` until nothing
    is due. Between polls it sleeps ``poll_interval_s`` (waking at once when stopped)."""
    import ossmeta.service.handlers  # noqa: F401 - registers every handler

    chosen = settings or WorkerSettings()
    name = worker_id or worker_name()
    stop = stop_event or threading.Event()
    jobs_run = deliveries_sent = 0
    threads = max(1, chosen.delivery.sending.concurrency)
    with (
        http_client(chosen.delivery) as client,
        ThreadPoolExecutor(threads, thread_name_prefix=f"send-{name}") as pool,
    ):
        while not stop.is_set():
            # One look at the jobs per round of deliveries, not per delivery.
            did_job = run_one_job(store, name, chosen)
            sent = 0
            if not stop.is_set():
                sent = deliver_batch(store, name, client, pool, chosen.delivery, stop)
            jobs_run += did_job
            deliveries_sent += sent
            if did_job or sent:
                continue
            if once:
                break
            stop.wait(chosen.poll_interval_s)
    return WorkerSummary(jobs=jobs_run, deliveries=deliveries_sent)
