"""A tenant's notification targets as the API manages them: webhooks and e-mail recipients,
and the deliveries made to them.

Every change is made in one transaction with its audit entry. A webhook's signing secret
is made here and returned once, in the answer that creates it (``CreatedWebhook``); nothing
else ever returns it. Deleting a target disables it (deliveries already written name it, and
stay visible); a disabled target gets no new deliveries and its pending ones are not sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from ossmeta.errors import InputError, NotFoundError
from ossmeta.service.accounts import Actor, audit
from ossmeta.service.notify import new_secret
from ossmeta.store.engine import Store
from ossmeta.store.outbox import EVENT_TYPES, Delivery, list_deliveries
from ossmeta.store.tenancy import tenant_transaction
from ossmeta.store.webhooks import (
    EmailRule,
    Webhook,
    disable_email_rule,
    disable_webhook,
    insert_email_rule,
    insert_webhook,
    list_email_rules,
    list_webhooks,
    load_email_rule,
    load_webhook,
)

__all__ = [
    "MAX_ID",
    "MAX_URL",
    "CreatedWebhook",
    "check_address",
    "check_events",
    "check_url",
    "create_email_recipient",
    "create_webhook",
    "delete_email_recipient",
    "delete_webhook",
    "deliveries",
    "email_recipient",
    "email_recipients",
    "webhook",
    "webhooks",
]

MAX_URL = 2048
#: The largest id a target or delivery can have (the id columns are 32-bit integers).
MAX_ID = 2**31 - 1
MAX_ADDRESS = 320
# One @, something on each side, a dot in the domain, no spaces or angle brackets: enough to
# refuse a typo; the SMTP server is the judge of the rest.
_ADDRESS = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;.]+")


@dataclass(frozen=True)
class CreatedWebhook:
    """A new webhook and its signing secret (this is the only time it is given out)."""

    webhook: Webhook
    secret: str


def check_url(url: str) -> str:
    """``url`` when it is an absolute http(s) URL with a host; else ``InputError``."""
    if len(url) > MAX_URL:
        raise InputError(f"the URL is longer than {MAX_URL} characters")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise InputError("the URL contains spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port  # a port that is not a number raises here
    except ValueError as error:
        raise InputError(f"the URL is not valid: {error}") from None
    if parts.scheme not in ("http", "https"):
        raise InputError(f"the URL must start with http:// or https://, not {url[:40]!r}")
    if not parts.hostname:
        raise InputError("the URL has no host")
    if port == 0:
        raise InputError("the URL's port must be between 1 and 65535")
    if parts.username is not None or parts.password is not None:
        raise InputError("the URL must not carry credentials (the signature authenticates)")
    return url


def check_events(events: tuple[str, ...]) -> tuple[str, ...]:
    if not events:
        raise InputError(f"subscribe to at least one event type of {', '.join(EVENT_TYPES)}")
    unknown = sorted(set(events) - set(EVENT_TYPES))
    if unknown:
        raise InputError(
            f"unknown event type {unknown[0]!r}; known types: {', '.join(EVENT_TYPES)}"
        )
    return tuple(sorted(set(events)))


def check_address(address: str) -> str:
    if len(address) > MAX_ADDRESS or not _ADDRESS.fullmatch(address):
        raise InputError(f"not an e-mail address: {address[:80]!r}")
    return address


def _now() -> datetime:
    return datetime.now(UTC)


# ------------------------------------------------------------------ webhooks


def create_webhook(
    store: Store, tenant_id: int, url: str, events: tuple[str, ...], actor: Actor
) -> CreatedWebhook:
    checked_url, checked_events = check_url(url), check_events(events)
    secret = new_secret()
    with tenant_transaction(store, tenant_id) as tx:
        hook = insert_webhook(
            tx,
            tenant_id=tenant_id,
            url=checked_url,
            events=checked_events,
            secret=secret,
            now=_now(),
        )
        # The audit entry names the URL and the events, never the secret.
        detail = {"url": checked_url, "events": list(checked_events)}
        audit(tx, tenant_id, actor, "webhook.create", f"webhook:{hook.id}", detail)
    return CreatedWebhook(hook, secret)


def webhooks(store: Store, tenant_id: int, *, after: int, limit: int) -> tuple[Webhook, ...]:
    with tenant_transaction(store, tenant_id) as tx:
        return list_webhooks(tx, tenant_id, after=after, limit=limit)


def webhook(store: Store, tenant_id: int, webhook_id: int) -> Webhook:
    with tenant_transaction(store, tenant_id) as tx:
        found = load_webhook(tx, tenant_id, webhook_id)
    if found is None:
        raise NotFoundError(f"no webhook {webhook_id}")
    return found


def delete_webhook(store: Store, tenant_id: int, webhook_id: int, actor: Actor) -> None:
    """Disable the webhook; ``NotFoundError`` when the tenant has no such active webhook."""
    with tenant_transaction(store, tenant_id) as tx:
        reason = f"deleted by {actor.name}"
        if not disable_webhook(tx, tenant_id, webhook_id, now=_now(), reason=reason):
            raise NotFoundError(f"no active webhook {webhook_id}")
        audit(tx, tenant_id, actor, "webhook.delete", f"webhook:{webhook_id}")


# ------------------------------------------------------------------ e-mail recipients


def create_email_recipient(
    store: Store, tenant_id: int, address: str, events: tuple[str, ...], actor: Actor
) -> EmailRule:
    checked_address, checked_events = check_address(address), check_events(events)
    with tenant_transaction(store, tenant_id) as tx:
        rule = insert_email_rule(
            tx, tenant_id=tenant_id, address=checked_address, events=checked_events, now=_now()
        )
        detail = {"address": checked_address, "events": list(checked_events)}
        audit(tx, tenant_id, actor, "email_recipient.create", f"email_recipient:{rule.id}", detail)
    return rule


def email_recipients(
    store: Store, tenant_id: int, *, after: int, limit: int
) -> tuple[EmailRule, ...]:
    with tenant_transaction(store, tenant_id) as tx:
        return list_email_rules(tx, tenant_id, after=after, limit=limit)


def email_recipient(store: Store, tenant_id: int, rule_id: int) -> EmailRule:
    with tenant_transaction(store, tenant_id) as tx:
        found = load_email_rule(tx, tenant_id, rule_id)
    if found is None:
        raise NotFoundError(f"no e-mail recipient {rule_id}")
    return found


def delete_email_recipient(store: Store, tenant_id: int, rule_id: int, actor: Actor) -> None:
    with tenant_transaction(store, tenant_id) as tx:
        if not disable_email_rule(tx, tenant_id, rule_id, now=_now()):
            raise NotFoundError(f"no active e-mail recipient {rule_id}")
        audit(tx, tenant_id, actor, "email_recipient.delete", f"email_recipient:{rule_id}")


# ------------------------------------------------------------------ deliveries


def deliveries(
    store: Store,
    tenant_id: int,
    *,
    before: int | None,
    limit: int,
    state: str | None = None,
    webhook_id: int | None = None,
) -> tuple[Delivery, ...]:
    """The tenant's deliveries, newest first (ids below ``before`` when given)."""
    with tenant_transaction(store, tenant_id) as tx:
        return list_deliveries(
            tx,
            tenant_id,
            webhook_id=webhook_id,
            state=state,
            newest_first=True,
            before=before,
            limit=limit,
        )
