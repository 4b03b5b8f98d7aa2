"""The worker's side of the outbox: take a batch of due deliveries, send them a few at a
time, record the answers.

A batch is leased in one transaction before anything is sent, and a delivery is marked
``delivered`` only after its receiver accepted it; if the worker dies in between, the
leases expire and another worker sends them again (at least once; the receiver
de-duplicates by the event id). Sends start only in the first half of the lease, so an
attempt ends before the lease does (given a timeout shorter than half the lease); what was
not started by then, or when the worker is stopped, is given back at once. Failed attempts
are retried with exponential backoff and jitter until ``max_attempts``; then the delivery
is ``dead`` and stays visible in the deliveries listing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

from ossmeta.service.notify import Attempt, post_webhook
from ossmeta.service.notify_email import SmtpSettings, send_email
from ossmeta.service.notify_sender import SendLimits, host_of, send_fairly
from ossmeta.store.engine import Store
from ossmeta.store.jobs import Backoff
from ossmeta.store.outbox import DueDelivery, take_deliveries
from ossmeta.store.outbox_many import Outcome, record_outcomes, release_deliveries
from ossmeta.store.system_access import system_transaction
from ossmeta.store.tenancy import set_tenant
from ossmeta.store.webhooks import disable_webhook

__all__ = ["DeliverySettings", "deliver_batch", "http_client"]

log = logging.getLogger("ossmeta.worker")


@dataclass(frozen=True)
class DeliverySettings:
    lease: timedelta = timedelta(minutes=2)
    timeout_s: float = 10.0
    max_attempts: int = 12
    #: From 10 s doubling to at most 6 h: twelve attempts span about a day and a half.
    backoff: Backoff = field(default_factory=lambda: Backoff(base_s=10.0, cap_s=6 * 3600.0))
    smtp: SmtpSettings | None = None
    #: Deliveries leased per round (one transaction to take them, few to record them).
    batch: int = 64
    sending: SendLimits = field(default_factory=SendLimits)


def http_client(settings: DeliverySettings) -> httpx.Client:
    """One client per worker, shared by its sending threads: connections are kept alive
    and reused, as many as sends may be in flight."""
    size = max(1, settings.sending.concurrency)
    return httpx.Client(
        timeout=httpx.Timeout(settings.timeout_s),
        follow_redirects=False,
        limits=httpx.Limits(max_connections=size, max_keepalive_connections=size),
    )


def _send(delivery: DueDelivery, client: httpx.Client, settings: DeliverySettings) -> Attempt:
    if delivery.target_disabled:
        return Attempt(False, None, "the target was disabled", gone=True)
    if delivery.url is not None and delivery.secret is not None:
        return post_webhook(
            client, delivery.url, delivery.secret, delivery.event, now=datetime.now(UTC)
        )
    if delivery.address is not None:
        return send_email(settings.smtp, delivery.event, delivery.address)
    return Attempt(False, None, "the delivery has no target", gone=True)


def _outcome(delivery: DueDelivery, attempt: Attempt, settings: DeliverySettings) -> Outcome:
    if attempt.delivered:
        return Outcome(delivery, True, attempt.status)
    final = attempt.gone or delivery.attempts >= settings.max_attempts
    retry_at = None
    if not final:
        retry_at = datetime.now(UTC) + settings.backoff.delay(delivery.attempts)
    return Outcome(delivery, False, attempt.status, attempt.error, retry_at)


def _recorder(
    store: Store, worker_id: str, settings: DeliverySettings
) -> Callable[[list[tuple[DueDelivery, Attempt]]], None]:
    def record(answered: list[tuple[DueDelivery, Attempt]]) -> None:
        now = datetime.now(UTC)
        outcomes = [_outcome(delivery, attempt, settings) for delivery, attempt in answered]
        with system_transaction(store) as tx:
            kept = record_outcomes(tx, worker_id, outcomes, now=now)
            gone = {
                (d.tenant_id, d.webhook_id)
                for d, attempt in answered
                if attempt.status == 410 and d.webhook_id is not None and d.id in kept
            }
            for tenant_id, webhook_id in sorted(gone):
                set_tenant(tx, tenant_id)
                disable_webhook(
                    tx, tenant_id, webhook_id, now=now, reason="the receiver answered 410 Gone"
                )
        for delivery, attempt in answered:
            if delivery.id not in kept:
                log.warning("delivery %s was taken over by another worker", delivery.id)
            elif not attempt.delivered:
                log.info(
                    "delivery %s attempt %s failed: %s",
                    delivery.id,
                    delivery.attempts,
                    attempt.error,
                )

    return record


def deliver_batch(
    store: Store,
    worker_id: str,
    client: httpx.Client,
    pool: Executor,
    settings: DeliverySettings,
    stop: threading.Event | None = None,
) -> int:
    """Lease a batch of due deliveries, send them, record the answers; how many were
    attempted (0 when nothing was due)."""
    with system_transaction(store) as tx:
        batch = take_deliveries(
            tx, worker_id, lease=settings.lease, now=datetime.now(UTC), limit=settings.batch
        )
    if not batch:
        return 0
    start_until = time.monotonic() + settings.lease.total_seconds() / 2
    gone: set[int] = set()  # webhooks that answered 410 during this batch

    def attempt(delivery: DueDelivery) -> Attempt:
        if delivery.webhook_id in gone:
            return Attempt(False, None, "the receiver answered 410 Gone", gone=True)
        try:
            answer = _send(delivery, client, settings)
        except Exception as error:
            # A bug in one send must not lose the batch's other answers: it is this
            # delivery's failed attempt, retried like any other.
            log.error("delivery %s raised %s: %s", delivery.id, type(error).__name__, error)
            return Attempt(False, None, f"{type(error).__name__}: {error}")
        if answer.status == 410 and delivery.webhook_id is not None:
            gone.add(delivery.webhook_id)
        return answer

    unsent = send_fairly(
        batch,
        key=lambda delivery: host_of(delivery.url),
        send=attempt,
        record=_recorder(store, worker_id, settings),
        may_start=lambda: time.monotonic() < start_until and not (stop and stop.is_set()),
        pool=pool,
        limits=settings.sending,
    )
    if unsent:
        with system_transaction(store) as tx:
            release_deliveries(tx, worker_id, [delivery.id for delivery in unsent])
    return len(batch) - len(unsent)
