"""``ossmeta program notify``: send what a program year owes, once (run it on a schedule).

A run plans the messages due at ``now`` (``program_notify_plan``), records the ones not
recorded yet in ``program_notices`` (one transaction), then tries every notice not sent yet:
e-mail through the center's SMTP settings and sender (``notify_email``), webhooks signed per
Standard Webhooks (``notify``) to the year's operator-level webhooks
(``ossmeta program webhook add URL``, which prints the signing secret once). A notice keeps
its message id on every attempt, so receivers de-duplicate; a failed one is retried on the
next run and reported.

Runs may overlap (a slow run and the next scheduled one): a run leases each notice before
sending it (``take_notice``), so a notice goes out once; a run killed mid-send leaves a lease
that runs out after ``LEASE``, then a later run sends the notice. A webhook whose receiver
answers 410 Gone is disabled, as for tenants' webhooks (``notify``): it gets no more notices.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

import httpx

from ossmeta.errors import InputError, NotFoundError
from ossmeta.service.notify import Attempt, new_secret, post_webhook
from ossmeta.service.notify_email import SmtpSettings, send_email
from ossmeta.service.program import year_in
from ossmeta.service.program_notify_plan import DEFAULT_LEAD, deadline_notices, result_notices
from ossmeta.service.program_selection import results
from ossmeta.store.engine import Store
from ossmeta.store.outbox import OutboxEvent, new_message_id
from ossmeta.store.program import add_audit
from ossmeta.store.program_matchings import current_matching
from ossmeta.store.program_notify import (
    Notice,
    ProgramWebhook,
    add_notices,
    add_webhook,
    disable_webhook,
    mark_failed,
    mark_sent,
    notices_of,
    remove_webhook,
    take_notice,
    webhooks_of,
)
from ossmeta.store.tenancy import global_transaction

__all__ = [
    "DEFAULT_LEAD",
    "LEASE",
    "NotifyReport",
    "add_program_webhook",
    "notify",
    "program_notices",
    "program_webhooks",
    "remove_program_webhook",
]


@dataclass(frozen=True)
class NotifyReport:
    recorded: int  # notices new in this run
    sent: int
    failed: tuple[str, ...]  # "channel target: error", retried next run
    unreachable: tuple[str, ...]  # people the run had no e-mail address for
    disabled: tuple[str, ...] = ()  # webhooks this run disabled (410 Gone): "id url"


#: How long a run holds a notice it is sending: far beyond one attempt (30 s for HTTP), so a
#: live run never loses a notice to another run; a killed run's notices wait this long.
LEASE: Final = timedelta(minutes=10)


def _worker() -> str:
    return f"notify-{os.getpid()}-{secrets.token_hex(8)}"


def add_program_webhook(
    store: Store, year_name: str | None, url: str, actor: str, now: datetime
) -> tuple[int, str]:
    """Register ``url`` for the year's notices; its id and signing secret (shown once)."""
    parsed = httpx.URL(url)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise InputError(f"webhook URL {url!r}: an http:// or https:// URL")
    secret = new_secret()
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        if any(hook.url == url for hook in webhooks_of(connection, year.id)):
            raise InputError(f"program {year.name} has a webhook for {url} already")
        hook_id = add_webhook(connection, year.id, url, secret, now)
        add_audit(connection, year.id, actor, "webhook add", {"id": hook_id, "url": url}, now)
    return hook_id, secret


def remove_program_webhook(
    store: Store, year_name: str | None, hook_id: int, actor: str, now: datetime
) -> None:
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        if not remove_webhook(connection, year.id, hook_id):
            raise NotFoundError(f"program {year.name} has no webhook {hook_id}")
        add_audit(connection, year.id, actor, "webhook remove", {"id": hook_id}, now)


def program_webhooks(store: Store, year_name: str | None) -> list[ProgramWebhook]:
    with global_transaction(store) as connection:
        return webhooks_of(connection, year_in(connection, year_name).id)


def program_notices(store: Store, year_name: str | None) -> list[Notice]:
    with global_transaction(store) as connection:
        return notices_of(connection, year_in(connection, year_name).id)


def _attempt(
    notice: Notice,
    hooks: dict[str, ProgramWebhook],
    smtp: SmtpSettings | None,
    client: httpx.Client,
    now: datetime,
) -> Attempt:
    event = OutboxEvent(notice.message_id, 0, notice.event_type, notice.data, notice.created_at)
    if notice.channel == "email":
        return send_email(smtp, event, notice.target)
    hook = hooks.get(notice.target)
    if hook is None:
        return Attempt(False, None, "the webhook was removed")
    return post_webhook(client, hook.url, hook.secret, event, now=now)


def notify(
    store: Store,
    year_name: str | None,
    now: datetime,
    *,
    lead: timedelta = DEFAULT_LEAD,
    base_url: str = "",
    smtp: SmtpSettings | None = None,
    client: httpx.Client | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> NotifyReport:
    """Record and send what is due at ``now``; see the module docstring. ``clock`` gives the
    signing time of webhooks (receivers refuse stale signatures, so it is the real time)."""
    if lead < timedelta(0):
        raise InputError("the reminder lead time cannot be negative")
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        published = current_matching(connection, year.id, published=True) is not None
    outcome = results(store, year.name) if published else None
    with global_transaction(store) as connection:
        hooks = [hook for hook in webhooks_of(connection, year.id) if hook.disabled_at is None]
        plan = deadline_notices(connection, year, hooks, now, lead)
        if outcome is not None:
            later = result_notices(connection, year, hooks, outcome, base_url)
            plan.notices += later.notices
            plan.unreachable += later.unreachable
        ids = [new_message_id(now) for _ in plan.notices]
        recorded = add_notices(connection, year.id, plan.notices, ids, now)
    by_id = {str(hook.id): hook for hook in hooks}
    sent, failed, disabled = 0, [], []
    worker = _worker()
    own = client is None
    http = client or httpx.Client(timeout=httpx.Timeout(30.0), follow_redirects=False)
    try:
        while True:
            with global_transaction(store) as connection:
                notice = take_notice(connection, year.id, worker, now=clock(), lease=LEASE)
            if notice is None:
                break
            attempt = _attempt(notice, by_id, smtp, http, clock())
            # each answer is recorded at once: a crash later does not resend what went out
            with global_transaction(store) as connection:
                if attempt.delivered:
                    mark_sent(connection, notice.id, now)
                    sent += 1
                    continue
                mark_failed(connection, notice.id, attempt.error)
                if attempt.gone:
                    hook = by_id[notice.target]
                    disable_webhook(connection, hook.id, clock())
                    gone = {"id": hook.id, "url": hook.url, "status": 410}
                    add_audit(connection, year.id, "notify", "webhook disable", gone, now)
                    disabled.append(f"{hook.id} {hook.url}")
                else:
                    failed.append(f"{notice.channel} {notice.target}: {attempt.error}")
    finally:
        if own:
            http.close()
    unreachable = tuple(dict.fromkeys(plan.unreachable))
    return NotifyReport(recorded, sent, tuple(failed), unreachable, tuple(disabled))
