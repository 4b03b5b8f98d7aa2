"""Many outbox events of one tenant at once (``ossmeta.store.outbox.add_event`` for one),
and the answers of a batch of deliveries at once (``mark_delivered`` and
``delivery_failed`` for one).

A re-evaluation after an advisory import may notify thousands of findings in one
transaction: the tenant's targets are read once and the events and their deliveries are
written with one executemany each, rather than three statements per event. A worker that
took a batch (``ossmeta.store.outbox.take_deliveries``) records what the receivers answered
in one transaction: one statement for the delivered ones, one per failure.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from ossmeta.store.bulk_arrays import insert_rows
from ossmeta.store.outbox import EVENT_TYPES, DueDelivery, delivery_failed, new_message_id
from ossmeta.store.schema import deliveries, email_recipients, outbox, webhooks
from ossmeta.store.tenancy import Transaction

__all__ = ["Outcome", "add_events", "record_outcomes", "release_deliveries"]


def add_events(
    tx: Transaction,
    tenant_id: int,
    events: Sequence[tuple[str, dict[str, Any]]],
    *,
    now: datetime | None = None,
) -> list[str]:
    """Write ``(event type, data)`` events and their pending deliveries in the caller's
    transaction, exactly as ``add_event`` would one by one; their ids, in order."""
    for event_type, _ in events:
        if event_type not in EVENT_TYPES:
            raise ValueError(f"unknown event type {event_type!r}")
    if not events:
        return []
    created = now or datetime.now(UTC)
    ids = [new_message_id(created) for _ in events]
    insert_rows(
        tx,
        outbox,
        [
            {
                "id": event_id,
                "tenant_id": tenant_id,
                "event_type": event_type,
                "payload": json.dumps(data, sort_keys=True, separators=(",", ":")),
                "created_at": created,
            }
            for event_id, (event_type, data) in zip(ids, events, strict=True)
        ],
    )
    targets: list[tuple[str, int | None, int | None]] = []  # (type, webhook, e-mail rule)
    hooks = select(webhooks.c.id, webhooks.c.events).where(
        (webhooks.c.tenant_id == tenant_id) & webhooks.c.disabled_at.is_(None)
    )
    for row in tx.execute(hooks):
        targets.extend((kind, row.id, None) for kind in set(json.loads(row.events)))
    rules = select(email_recipients.c.id, email_recipients.c.events).where(
        (email_recipients.c.tenant_id == tenant_id) & email_recipients.c.disabled_at.is_(None)
    )
    for row in tx.execute(rules):
        targets.extend((kind, None, row.id) for kind in set(json.loads(row.events)))
    common = {
        "tenant_id": tenant_id,
        "state": "pending",
        "attempts": 0,
        "next_attempt_at": created,
        "created_at": created,
    }
    rows = [
        {**common, "outbox_id": event_id, "webhook_id": hook, "email_id": rule}
        for event_id, (event_type, _) in zip(ids, events, strict=True)
        for kind, hook, rule in targets
        if kind == event_type
    ]
    insert_rows(tx, deliveries, rows)
    return ids


@dataclass(frozen=True)
class Outcome:
    """What one attempt of a leased delivery came to: ``delivered``, or a failure with its
    ``error``, retried at ``retry_at`` (``dead`` when that is None)."""

    delivery: DueDelivery
    delivered: bool
    status: int | None
    error: str = ""
    retry_at: datetime | None = None


def _still_held(worker_id: str, ids: Sequence[int]) -> Any:
    # Only what this worker still holds: a delivery another worker took over after the
    # lease expired is that worker's now, and its answer stands.
    return (
        deliveries.c.id.in_(ids)
        & (deliveries.c.worker_id == worker_id)
        & (deliveries.c.state == "pending")
    )


def record_outcomes(
    tx: Transaction, worker_id: str, outcomes: Sequence[Outcome], *, now: datetime
) -> frozenset[int]:
    """Record a batch's answers in the caller's transaction; the ids still held (those
    missing were taken over by another worker, whose answer stands)."""
    kept: set[int] = set()
    by_status: dict[int | None, list[int]] = {}
    for outcome in outcomes:
        if outcome.delivered:
            by_status.setdefault(outcome.status, []).append(outcome.delivery.id)
    for status, ids in by_status.items():
        changed = tx.execute(
            update(deliveries)
            .where(_still_held(worker_id, ids))
            .values(
                state="delivered",
                delivered_at=now,
                last_status=status,
                last_error=None,
                lease_until=None,
            )
            .returning(deliveries.c.id)
        )
        kept.update(int(row.id) for row in changed)
    for outcome in outcomes:
        if not outcome.delivered and delivery_failed(
            tx,
            outcome.delivery,
            status=outcome.status,
            error=outcome.error,
            retry_at=outcome.retry_at,
        ):
            kept.add(outcome.delivery.id)
    return frozenset(kept)


def release_deliveries(tx: Transaction, worker_id: str, ids: Sequence[int]) -> int:
    """Give back leased deliveries that were not attempted (their attempt uncounted), for
    any worker to take at once; how many were still held."""
    if not ids:
        return 0
    changed = tx.execute(
        update(deliveries)
        .where(_still_held(worker_id, ids))
        .values(attempts=deliveries.c.attempts - 1, lease_until=None, worker_id=None)
    )
    return int(changed.rowcount)
