"""The program's notifications (migration 0020): the year's webhooks and the notices.

A notice is written (``add_notices``) before anyone tries to send it, keyed by what it is
about, its channel and its target, so planning the same message twice adds nothing; it is
sent until ``mark_sent`` stamps it, and each failed attempt is counted with its error."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import delete, insert, select, update

from ossmeta.store.schema import program_notices, program_webhooks
from ossmeta.store.tenancy import Transaction
from ossmeta.times import as_utc

__all__ = [
    "Notice",
    "PlannedNotice",
    "ProgramWebhook",
    "add_notices",
    "add_webhook",
    "mark_failed",
    "mark_sent",
    "notices_of",
    "remove_webhook",
    "webhooks_of",
]

_MAX_ERROR = 2000


@dataclass(frozen=True, slots=True)
class ProgramWebhook:
    id: int
    url: str
    secret: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PlannedNotice:
    """A message to send: ``key`` names what it is about (one per deadline or result)."""

    key: str
    channel: str  # email | webhook
    target: str  # an e-mail address, or a webhook's id
    event_type: str
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Notice:
    id: int
    key: str
    channel: str
    target: str
    message_id: str
    event_type: str
    data: dict[str, Any]
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str | None


def add_webhook(connection: Transaction, year_id: int, url: str, secret: str, now: datetime) -> int:
    return int(
        connection.execute(
            insert(program_webhooks)
            .values(year_id=year_id, url=url, secret=secret, created_at=now)
            .returning(program_webhooks.c.id)
        ).scalar_one()
    )


def remove_webhook(connection: Transaction, year_id: int, webhook_id: int) -> bool:
    done = connection.execute(
        delete(program_webhooks).where(
            program_webhooks.c.year_id == year_id, program_webhooks.c.id == webhook_id
        )
    )
    return bool(done.rowcount)


def webhooks_of(connection: Transaction, year_id: int) -> list[ProgramWebhook]:
    rows = connection.execute(
        select(program_webhooks)
        .where(program_webhooks.c.year_id == year_id)
        .order_by(program_webhooks.c.id)
    )
    return [
        ProgramWebhook(r.id, r.url, r.secret, as_utc(r.created_at) or r.created_at) for r in rows
    ]


def add_notices(
    connection: Transaction,
    year_id: int,
    planned: Sequence[PlannedNotice],
    message_ids: Sequence[str],
    now: datetime,
) -> int:
    """Record the notices not recorded yet; how many were new."""
    known = {
        (r.key, r.channel, r.target)
        for r in connection.execute(
            select(
                program_notices.c.key, program_notices.c.channel, program_notices.c.target
            ).where(program_notices.c.year_id == year_id)
        )
    }
    values = []
    for notice, message_id in zip(planned, message_ids, strict=True):
        name = (notice.key, notice.channel, notice.target)
        if name in known:
            continue
        known.add(name)
        values.append(
            {
                "year_id": year_id,
                "key": notice.key,
                "channel": notice.channel,
                "target": notice.target,
                "message_id": message_id,
                "event_type": notice.event_type,
                "data": orjson.dumps(notice.data, option=orjson.OPT_SORT_KEYS).decode(),
                "created_at": now,
                "attempts": 0,
            }
        )
    if values:
        connection.execute(insert(program_notices), values)
    return len(values)


def _notice(row: Any) -> Notice:
    return Notice(
        row.id,
        row.key,
        row.channel,
        row.target,
        row.message_id,
        row.event_type,
        orjson.loads(row.data),
        as_utc(row.created_at) or row.created_at,
        as_utc(row.sent_at),
        row.attempts,
        row.last_error,
    )


def notices_of(connection: Transaction, year_id: int, *, pending: bool = False) -> list[Notice]:
    query = select(program_notices).where(program_notices.c.year_id == year_id)
    if pending:
        query = query.where(program_notices.c.sent_at.is_(None))
    return [_notice(r) for r in connection.execute(query.order_by(program_notices.c.id))]


def mark_sent(connection: Transaction, notice_id: int, now: datetime) -> None:
    connection.execute(
        update(program_notices)
        .where(program_notices.c.id == notice_id)
        .values(sent_at=now, attempts=program_notices.c.attempts + 1, last_error=None)
    )


def mark_failed(connection: Transaction, notice_id: int, error: str) -> None:
    connection.execute(
        update(program_notices)
        .where(program_notices.c.id == notice_id)
        .values(attempts=program_notices.c.attempts + 1, last_error=error[:_MAX_ERROR])
    )
