"""A tenant's notification targets: webhooks (signed HTTP POSTs) and e-mail rules.

Every function takes the caller's transaction and the tenant, and filters on the tenant
itself (on PostgreSQL the row-level policy is a second line). A webhook's secret is read
only by the worker that signs with it (``webhook_secret``); listings never carry it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from ossmeta.store.schema import email_recipients, webhooks
from ossmeta.store.tenancy import Transaction
from ossmeta.times import as_utc

__all__ = [
    "EmailRule",
    "Webhook",
    "disable_email_rule",
    "disable_webhook",
    "insert_email_rule",
    "insert_webhook",
    "list_email_rules",
    "list_webhooks",
    "load_email_rule",
    "load_webhook",
    "webhook_secret",
]


@dataclass(frozen=True)
class Webhook:
    """A webhook as listed (never its secret)."""

    id: int
    tenant_id: int
    url: str
    events: tuple[str, ...]
    created_at: datetime
    disabled_at: datetime | None
    disabled_reason: str | None


@dataclass(frozen=True)
class EmailRule:
    id: int
    tenant_id: int
    address: str
    events: tuple[str, ...]
    created_at: datetime
    disabled_at: datetime | None


def _utc(value: datetime) -> datetime:
    aware = as_utc(value)
    assert aware is not None
    return aware


def _events(events: tuple[str, ...]) -> str:
    return json.dumps(sorted(set(events)))


def _webhook(row: Any) -> Webhook:
    return Webhook(
        id=int(row.id),
        tenant_id=int(row.tenant_id),
        url=row.url,
        events=tuple(json.loads(row.events)),
        created_at=_utc(row.created_at),
        disabled_at=as_utc(row.disabled_at),
        disabled_reason=row.disabled_reason,
    )


def _email_rule(row: Any) -> EmailRule:
    return EmailRule(
        id=int(row.id),
        tenant_id=int(row.tenant_id),
        address=row.address,
        events=tuple(json.loads(row.events)),
        created_at=_utc(row.created_at),
        disabled_at=as_utc(row.disabled_at),
    )


# ------------------------------------------------------------------ webhooks


def insert_webhook(
    tx: Transaction,
    *,
    tenant_id: int,
    url: str,
    events: tuple[str, ...],
    secret: str,
    now: datetime,
) -> Webhook:
    row = {
        "tenant_id": tenant_id,
        "url": url,
        "events": _events(events),
        "secret": secret,
        "created_at": now,
    }
    new_id = int(tx.execute(insert(webhooks).returning(webhooks.c.id), row).scalar_one())
    return Webhook(new_id, tenant_id, url, tuple(sorted(set(events))), now, None, None)


def load_webhook(tx: Transaction, tenant_id: int, webhook_id: int) -> Webhook | None:
    where = (webhooks.c.tenant_id == tenant_id) & (webhooks.c.id == webhook_id)
    row = tx.execute(select(webhooks).where(where)).first()
    return None if row is None else _webhook(row)


def webhook_secret(tx: Transaction, tenant_id: int, webhook_id: int) -> str | None:
    where = (webhooks.c.tenant_id == tenant_id) & (webhooks.c.id == webhook_id)
    found = tx.execute(select(webhooks.c.secret).where(where)).scalar()
    return None if found is None else str(found)


def list_webhooks(
    tx: Transaction,
    tenant_id: int,
    *,
    after: int = 0,
    limit: int = 1000,
    include_disabled: bool = True,
) -> tuple[Webhook, ...]:
    """The tenant's webhooks by id, those after id ``after``, at most ``limit``."""
    query = (
        select(webhooks)
        .where((webhooks.c.tenant_id == tenant_id) & (webhooks.c.id > after))
        .order_by(webhooks.c.id)
        .limit(limit)
    )
    if not include_disabled:
        query = query.where(webhooks.c.disabled_at.is_(None))
    return tuple(_webhook(row) for row in tx.execute(query))


def disable_webhook(
    tx: Transaction, tenant_id: int, webhook_id: int, *, now: datetime, reason: str
) -> bool:
    """Stop sending to the webhook (kept for the deliveries that name it); False when the
    tenant has no such webhook or it was disabled already."""
    where = (
        (webhooks.c.tenant_id == tenant_id)
        & (webhooks.c.id == webhook_id)
        & webhooks.c.disabled_at.is_(None)
    )
    changed = tx.execute(
        update(webhooks).where(where).values(disabled_at=now, disabled_reason=reason)
    )
    return bool(changed.rowcount)


# ------------------------------------------------------------------ e-mail rules


def insert_email_rule(
    tx: Transaction, *, tenant_id: int, address: str, events: tuple[str, ...], now: datetime
) -> EmailRule:
    row = {"tenant_id": tenant_id, "address": address, "events": _events(events), "created_at": now}
    new_id = int(
        tx.execute(insert(email_recipients).returning(email_recipients.c.id), row).scalar_one()
    )
    return EmailRule(new_id, tenant_id, address, tuple(sorted(set(events))), now, None)


def load_email_rule(tx: Transaction, tenant_id: int, rule_id: int) -> EmailRule | None:
    where = (email_recipients.c.tenant_id == tenant_id) & (email_recipients.c.id == rule_id)
    row = tx.execute(select(email_recipients).where(where)).first()
    return None if row is None else _email_rule(row)


def list_email_rules(
    tx: Transaction,
    tenant_id: int,
    *,
    include_disabled: bool = True,
    after: int = 0,
    limit: int = 1000,
) -> tuple[EmailRule, ...]:
    """The tenant's e-mail rules by id, those after id ``after``, at most ``limit``."""
    query = (
        select(email_recipients)
        .where((email_recipients.c.tenant_id == tenant_id) & (email_recipients.c.id > after))
        .order_by(email_recipients.c.id)
        .limit(limit)
    )
    if not include_disabled:
        query = query.where(email_recipients.c.disabled_at.is_(None))
    return tuple(_email_rule(row) for row in tx.execute(query))


def disable_email_rule(tx: Transaction, tenant_id: int, rule_id: int, *, now: datetime) -> bool:
    where = (
        (email_recipients.c.tenant_id == tenant_id)
        & (email_recipients.c.id == rule_id)
        & email_recipients.c.disabled_at.is_(None)
    )
    return bool(tx.execute(update(email_recipients).where(where).values(disabled_at=now)).rowcount)
