"""Webhook deliveries signed per the Standard Webhooks specification.

The body is the event as the outbox holds it, ``{"type", "timestamp", "data"}``, written the
same way on every attempt; ``webhook-id`` is the outbox id (receivers de-duplicate by it),
``webhook-timestamp`` the time of the attempt (receivers refuse old ones, so a retry is
signed anew), ``webhook-signature`` the HMAC-SHA256 of ``id.timestamp.body`` under the
webhook's ``whsec_`` secret, computed by the ``standardwebhooks`` package.

What an answer means: 2xx delivered; 410 Gone the receiver wants no more (the webhook is
disabled); anything else, a timeout or a refused connection is retried. Redirects are not
followed: a webhook's URL is what its tenant registered.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from standardwebhooks.webhooks import Webhook as Signer

from ossmeta.store.outbox import OutboxEvent

__all__ = [
    "SECRET_PREFIX",
    "Attempt",
    "new_secret",
    "post_webhook",
    "signed_headers",
    "webhook_body",
]

SECRET_PREFIX = "whsec_"
_USER_AGENT = "ossmeta-webhooks/1"


@dataclass(frozen=True)
class Attempt:
    """What one attempt came to: ``delivered``; else ``gone`` (410: stop sending) or a
    failure to retry, with the HTTP status when there was an answer."""

    delivered: bool
    status: int | None
    error: str
    gone: bool = False


def new_secret() -> str:
    """A signing secret: ``whsec_`` + 32 random bytes in base64 (the spec's format)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def webhook_body(event: OutboxEvent) -> str:
    """The JSON body: the same bytes on every attempt of the event."""
    envelope = {
        "type": event.event_type,
        "timestamp": _timestamp(event.created_at),
        "data": event.data,
    }
    return json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def signed_headers(secret: str, message_id: str, body: str, at: datetime) -> dict[str, str]:
    seconds = int(at.timestamp())
    signature = Signer(secret).sign(message_id, datetime.fromtimestamp(seconds, UTC), body)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(seconds),
        "webhook-signature": signature,
        "content-type": "application/json",
        "user-agent": _USER_AGENT,
    }


def post_webhook(
    client: httpx.Client, url: str, secret: str, event: OutboxEvent, *, now: datetime
) -> Attempt:
    """One attempt to deliver ``event`` to ``url``."""
    body = webhook_body(event)
    headers = signed_headers(secret, event.id, body, now)
    try:
        response = client.post(url, content=body.encode("utf-8"), headers=headers)
    except httpx.TimeoutException:
        return Attempt(False, None, "timed out")
    except httpx.HTTPError as error:
        return Attempt(False, None, f"{type(error).__name__}: {error}".strip())
    status = response.status_code
    if 200 <= status < 300:
        return Attempt(True, status, "")
    if status == 410:
        return Attempt(False, status, "the receiver answered 410 Gone", gone=True)
    return Attempt(False, status, f"the receiver answered HTTP {status}")
