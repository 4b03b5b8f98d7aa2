"""Many outbox events of one tenant at once (``ossmeta.store.outbox.add_event`` for one).

A re-evaluation after an advisory import may notify thousands of findings in one
transaction: the tenant's targets are read once and the events and their deliveries are
written with one executemany each, rather than three statements per event.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select

from ossmeta.store.outbox import EVENT_TYPES, new_message_id
from ossmeta.store.schema import deliveries, email_recipients, outbox, webhooks
from ossmeta.store.tenancy import Transaction

__all__ = ["add_events"]


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
    tx.execute(
        insert(outbox),
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
    if rows:
        tx.execute(insert(deliveries), rows)
    return ids
