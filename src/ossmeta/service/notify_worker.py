"""The worker's side of the outbox: take one due delivery, send it, record the answer.

A delivery is leased before it is sent and marked ``delivered`` only after the receiver
accepted it; if the worker dies in between, the lease expires and another worker sends it
again (at least once; the receiver de-duplicates by the event id). Failed attempts are
retried with exponential backoff and jitter until ``max_attempts``; then the delivery is
``dead`` and stays visible in the deliveries listing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

from ossmeta.service.notify import Attempt, post_webhook
from ossmeta.service.notify_email import SmtpSettings, send_email
from ossmeta.store.engine import Store
from ossmeta.store.jobs import Backoff
from ossmeta.store.outbox import DueDelivery, delivery_failed, mark_delivered, take_delivery
from ossmeta.store.system_access import system_transaction
from ossmeta.store.tenancy import set_tenant
from ossmeta.store.webhooks import disable_webhook

__all__ = ["DeliverySettings", "deliver_one"]

log = logging.getLogger("ossmeta.worker")


@dataclass(frozen=True)
class DeliverySettings:
    lease: timedelta = timedelta(minutes=2)
    timeout_s: float = 10.0
    max_attempts: int = 12
    #: From 10 s doubling to at most 6 h: twelve attempts span about a day and a half.
    backoff: Backoff = field(default_factory=lambda: Backoff(base_s=10.0, cap_s=6 * 3600.0))
    smtp: SmtpSettings | None = None


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


def deliver_one(
    store: Store, worker_id: str, client: httpx.Client, settings: DeliverySettings
) -> bool:
    """Send the oldest due delivery, if any; whether there was one."""
    with system_transaction(store) as tx:
        delivery = take_delivery(tx, worker_id, lease=settings.lease, now=datetime.now(UTC))
    if delivery is None:
        return False
    attempt = _send(delivery, client, settings)
    now = datetime.now(UTC)
    with system_transaction(store) as tx:
        if attempt.delivered:
            kept = mark_delivered(tx, delivery, status=attempt.status, now=now)
        else:
            final = attempt.gone or delivery.attempts >= settings.max_attempts
            retry_at = None if final else now + settings.backoff.delay(delivery.attempts)
            kept = delivery_failed(
                tx, delivery, status=attempt.status, error=attempt.error, retry_at=retry_at
            )
            if attempt.status == 410 and delivery.webhook_id is not None:
                set_tenant(tx, delivery.tenant_id)
                disable_webhook(
                    tx,
                    delivery.tenant_id,
                    delivery.webhook_id,
                    now=now,
                    reason="the receiver answered 410 Gone",
                )
    if not kept:
        log.warning("delivery %s was taken over by another worker", delivery.id)
    elif not attempt.delivered:
        log.info("delivery %s attempt %s failed: %s", delivery.id, delivery.attempts, attempt.error)
    return True
