"""The program's notifications (migration 0020): the year's webhooks and the notices.

A notice is written (``add_notices``) before anyone tries to send it, keyed by what it is
about, its channel and its target, so planning the same message twice adds nothing (two runs
recording at once included); it is sent until ``mark_sent`` stamps it, and each failed
attempt is counted with its error.

A run sends only what it leased (``take_notice``: one statement, rows another run is locking
skipped on PostgreSQL, SQLite's single writer elsewhere), so two runs never both send a
notice; a killed run's lease runs out and a later run sends it. A webhook that answered
410 Gone is disabled (``disable_webhook``) and its notices are not taken any more."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import String, and_, cast, delete, exists, insert, not_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ossmeta.store.schema import program_notices, program_webhooks
from ossmeta.store.tenancy import Transaction
from ossmeta.times import as_utc

__all__ = [
    "Notice",
    "PlannedNotice",
    "ProgramWebhook",
    "add_notices",
    "add_webhook",
    "disable_webhook",
    "mark_failed",
    "mark_sent",
    "notices_of",
    "remove_webhook",
    "take_notice",
    "webhooks_of",
]

_MAX_ERROR = 2000


@dataclass(frozen=True, slots=True)
class ProgramWebhook:
    id: int
    url: str
    secret: str
    created_at: datetime
    disabled_at: datetime | None = None  # the receiver answered 410 Gone


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
        ProgramWebhook(
            r.id, r.url, r.secret, as_utc(r.created_at) or r.created_at, as_utc(r.disabled_at)
        )
        for r in rows
    ]


def disable_webhook(connection: Transaction, webhook_id: int, now: datetime) -> None:
    """No more notices to this webhook (its receiver answered 410 Gone); kept for the record."""
    connection.execute(
        update(program_webhooks)
        .where(program_webhooks.c.id == webhook_id, program_webhooks.c.disabled_at.is_(None))
        .values(disabled_at=now)
    )


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
    if not values:
        return 0
    # Another run may record the same notice meanwhile: the unique key keeps one, and only
    # the rows this statement wrote are counted.
    module: Any = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = module.insert(program_notices).on_conflict_do_nothing()
    return len(connection.execute(statement.returning(program_notices.c.id), values).all())


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


def take_notice(
    connection: Transaction, year_id: int, worker: str, *, now: datetime, lease: timedelta
) -> Notice | None:
    """Lease the oldest notice of the year that is unsent, not leased by a live run, not
    tried by ``worker`` already (a run tries each notice once) and not to a disabled
    webhook; ``None`` when there is none. ``now`` is the real time (leases are about runs)."""
    notices = program_notices.c
    disabled = exists().where(
        cast(program_webhooks.c.id, String) == notices.target,
        program_webhooks.c.disabled_at.is_not(None),
    )
    candidate = (
        select(notices.id)
        .where(
            notices.year_id == year_id,
            notices.sent_at.is_(None),
            or_(notices.lease_until.is_(None), notices.lease_until < now),
            or_(notices.worker.is_(None), notices.worker != worker),
            not_(and_(notices.channel == "webhook", disabled)),
        )
        .order_by(notices.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    row = connection.execute(
        update(program_notices)
        .where(notices.id.in_(candidate))
        .values(lease_until=now + lease, worker=worker)
        .returning(*program_notices.c)
    ).first()
    return None if row is None else _notice(row)


def mark_sent(connection: Transaction, notice_id: int, now: datetime) -> None:
    connection.execute(
        update(program_notices)
        .where(program_notices.c.id == notice_id)
        .values(
            sent_at=now, attempts=program_notices.c.attempts + 1, last_error=None, lease_until=None
        )
    )


def mark_failed(connection: Transaction, notice_id: int, error: str) -> None:
    """Count a failed attempt and free the notice for the next run (the worker that tried
    it stays, so the same run does not take it again)."""
    connection.execute(
        update(program_notices)
        .where(program_notices.c.id == notice_id)
        .values(
            attempts=program_notices.c.attempts + 1,
            last_error=error[:_MAX_ERROR],
            lease_until=None,
        )
    )
