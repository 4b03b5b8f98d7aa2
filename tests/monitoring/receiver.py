"""A webhook receiver on loopback that does what a careful receiver does: it verifies every
request's Standard Webhooks signature (with the ``standardwebhooks`` package, not ours) and
de-duplicates by ``webhook-id``. A test scripts its answers (500, 500, then 200...) and may
hold a request open until released, to kill a worker mid-delivery."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from ossmeta.store import Store
from ossmeta.store.tenancy import tenant_transaction
from ossmeta.store.webhooks import insert_webhook
from tests.loopback import Headers, Response, serve

#: The signing secret the tests' webhooks share with their receiver.
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def subscribe(
    store: Store, tenant: int, url: str, events: tuple[str, ...] = ("finding.new",)
) -> int:
    """A webhook of ``tenant`` to ``url``, signed with ``SECRET``: its id."""
    with tenant_transaction(store, tenant) as tx:
        return insert_webhook(
            tx, tenant_id=tenant, url=url, events=events, secret=SECRET, now=datetime.now(UTC)
        ).id


@dataclass
class Received:
    webhook_id: str
    verified: bool
    body: dict[str, Any] | None
    status: int


@dataclass
class Receiver:
    secret: str = ""
    #: Answers to give, in order; 200 once they run out.
    statuses: list[int] = field(default_factory=list)
    url: str = ""
    received: list[Received] = field(default_factory=list)
    #: Distinct events accepted (what a de-duplicating receiver processes once).
    accepted: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Set when a request arrived; requests wait for ``release`` while ``hold`` is set.
    arrived: threading.Event = field(default_factory=threading.Event)
    hold: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: Requests that reached the handler so far (held ones included).
    arrivals: int = 0
    #: Seconds each request takes to answer (a slow receiver keeps a worker busy).
    delay_s: float = 0.0

    def handle(self, method: str, _path: str, headers: Headers, body: bytes) -> Response:
        with self.lock:
            self.arrivals += 1
        self.arrived.set()
        if self.hold.is_set():
            self.release.wait(60)
        if self.delay_s:
            threading.Event().wait(self.delay_s)
        try:
            parsed = Webhook(self.secret).verify(body, dict(headers))
            verified = True
        except WebhookVerificationError:
            parsed, verified = None, False
        with self.lock:
            status = self.statuses.pop(0) if self.statuses else 200
            if not verified:
                status = 401
            webhook_id = headers.get("webhook-id", "")
            self.received.append(Received(webhook_id, verified, parsed, status))
            if 200 <= status < 300 and parsed is not None:
                self.accepted.setdefault(webhook_id, parsed)
        return status, {"content-type": "application/json"}, json.dumps({"ok": True}).encode()


@contextmanager
def receiver(statuses: list[int] | None = None) -> Iterator[Receiver]:
    state = Receiver(statuses=list(statuses or []))
    with serve(state.handle, quiet=True) as loopback:
        state.url = loopback.url("/hooks/ossmeta")
        try:
            yield state
        finally:
            state.release.set()
