"""Background jobs in the store: work that outlives a request or a command.

A job is queued in the transaction of the change that calls for it (``enqueue``), so it
exists exactly when the change does. A worker ``take``\\ s the oldest due job in one
statement and holds it for a lease; PostgreSQL lets several workers take at once
(``FOR UPDATE SKIP LOCKED``: a row another worker is taking is passed over, never waited
for), SQLite serializes the statement behind its single writer. A worker that dies leaves
its lease to expire, and the job is then taken again; an attempt counts when the job is
taken, so a job that kills its worker every time still ends ``failed``.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update

from ossmeta.store.schema import jobs
from ossmeta.store.tenancy import Transaction
from ossmeta.times import as_utc

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "Backoff",
    "Job",
    "count_jobs",
    "enqueue",
    "extend_lease",
    "fail",
    "finish",
    "list_jobs",
    "load_job",
    "take",
]

DEFAULT_MAX_ATTEMPTS = 5
#: Longest error text kept per job: enough for a message, not for a log.
_MAX_ERROR = 2000


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter: attempt n waits ``base * 2**(n-1)`` seconds, at most
    ``cap``, less a random share up to ``jitter`` of it (so retries of many failures that
    happened together spread out instead of arriving together)."""

    base_s: float = 5.0
    cap_s: float = 3600.0
    jitter: float = 0.5

    def delay(self, attempt: int, rng: random.Random | None = None) -> timedelta:
        ceiling = min(self.cap_s, self.base_s * 2 ** max(attempt - 1, 0))
        share = (rng or random).random() * self.jitter
        return timedelta(seconds=ceiling * (1.0 - share))


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    payload: dict[str, Any]
    state: str
    attempts: int
    max_attempts: int
    run_after: datetime
    lease_until: datetime | None
    worker_id: str | None
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None


def _utc(value: datetime) -> datetime:
    aware = as_utc(value)
    assert aware is not None
    return aware


def _job(row: Any) -> Job:
    return Job(
        id=int(row.id),
        kind=row.kind,
        payload=json.loads(row.payload),
        state=row.state,
        attempts=int(row.attempts),
        max_attempts=int(row.max_attempts),
        run_after=_utc(row.run_after),
        lease_until=as_utc(row.lease_until),
        worker_id=row.worker_id,
        last_error=row.last_error,
        created_at=_utc(row.created_at),
        finished_at=as_utc(row.finished_at),
    )


def enqueue(
    tx: Transaction,
    kind: str,
    payload: dict[str, Any],
    *,
    run_after: datetime | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    now: datetime | None = None,
) -> int:
    """Queue a job in the caller's transaction (it exists only if that commits); its id."""
    created = now or datetime.now(UTC)
    row = {
        "kind": kind,
        "payload": json.dumps(payload, sort_keys=True, separators=(",", ":")),
        "state": "queued",
        "attempts": 0,
        "max_attempts": max(1, max_attempts),
        "run_after": run_after or created,
        "created_at": created,
    }
    return int(tx.execute(insert(jobs).returning(jobs.c.id), row).scalar_one())


def take(tx: Transaction, worker_id: str, *, lease: timedelta, now: datetime) -> Job | None:
    """Lease the oldest due job to ``worker_id`` until ``now + lease``: a queued job whose
    time has come, or a running one whose lease expired (its worker died). None when
    nothing is due. The caller commits at once, so other workers see the lease."""
    expired = and_(jobs.c.state == "running", jobs.c.lease_until < now)
    # A job whose last allowed attempt died with its worker is not tried again.
    tx.execute(
        update(jobs)
        .where(expired & (jobs.c.attempts >= jobs.c.max_attempts))
        .values(
            state="failed",
            finished_at=now,
            lease_until=None,
            last_error="the worker died during the last attempt (its lease expired)",
        )
    )
    due = or_(and_(jobs.c.state == "queued", jobs.c.run_after <= now), expired)
    candidate = (
        select(jobs.c.id)
        .where(due)
        .order_by(jobs.c.run_after, jobs.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    taken = tx.execute(
        update(jobs)
        .where(jobs.c.id == candidate)
        .values(
            state="running",
            attempts=jobs.c.attempts + 1,
            lease_until=now + lease,
            worker_id=worker_id,
        )
        .returning(*jobs.c)
    ).first()
    return None if taken is None else _job(taken)


def _held(job_id: int, worker_id: str) -> Any:
    # A worker may close only a job it still holds: if its lease expired and another
    # worker took the job, the late answer is dropped.
    return (jobs.c.id == job_id) & (jobs.c.worker_id == worker_id) & (jobs.c.state == "running")


def extend_lease(tx: Transaction, job_id: int, worker_id: str, lease_until: datetime) -> bool:
    """Keep a long job: False when the worker no longer holds it."""
    changed = tx.execute(
        update(jobs).where(_held(job_id, worker_id)).values(lease_until=lease_until)
    )
    return bool(changed.rowcount)


def finish(tx: Transaction, job_id: int, worker_id: str, *, now: datetime) -> bool:
    """The job is done; False when the worker no longer held it."""
    changed = tx.execute(
        update(jobs)
        .where(_held(job_id, worker_id))
        .values(state="done", finished_at=now, lease_until=None, last_error=None)
    )
    return bool(changed.rowcount)


def fail(
    tx: Transaction,
    job: Job,
    error: str,
    *,
    now: datetime,
    backoff: Backoff = Backoff(),
    retry: bool = True,
) -> str:
    """An attempt failed: the job is queued again after a backoff, or ``failed`` once it
    has had ``max_attempts`` (or at once when ``retry`` is False). The new state, or
    ``"lost"`` when the worker no longer held the job."""
    final = not retry or job.attempts >= job.max_attempts
    values: dict[str, Any] = {"last_error": error[:_MAX_ERROR], "lease_until": None}
    if final:
        values.update(state="failed", finished_at=now)
    else:
        values.update(state="queued", run_after=now + backoff.delay(job.attempts))
    changed = tx.execute(update(jobs).where(_held(job.id, job.worker_id or "")).values(values))
    if not changed.rowcount:
        return "lost"
    return str(values["state"])


def load_job(tx: Transaction, job_id: int) -> Job | None:
    row = tx.execute(select(jobs).where(jobs.c.id == job_id)).first()
    return None if row is None else _job(row)


def list_jobs(
    tx: Transaction, *, state: str | None = None, kind: str | None = None, limit: int = 100
) -> tuple[Job, ...]:
    """Jobs, newest first, optionally of one state or kind."""
    query = select(jobs).order_by(jobs.c.id.desc()).limit(limit)
    if state is not None:
        query = query.where(jobs.c.state == state)
    if kind is not None:
        query = query.where(jobs.c.kind == kind)
    return tuple(_job(row) for row in tx.execute(query))


def count_jobs(tx: Transaction, state: str) -> int:
    return int(
        tx.execute(select(func.count()).select_from(jobs).where(jobs.c.state == state)).scalar_one()
    )
