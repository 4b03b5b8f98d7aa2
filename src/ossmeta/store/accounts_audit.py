"""The audit log: one row per tenant-side change, appended in the transaction of the change
(so a change without its entry, or an entry without its change, cannot be committed).
The table refuses UPDATE and DELETE (triggers from migration 0005)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import insert, select

from ossmeta.store.schema import audit_log
from ossmeta.store.tenancy import Transaction
from ossmeta.times import as_utc

__all__ = ["AuditEntry", "append_audit", "list_audit"]


@dataclass(frozen=True)
class AuditEntry:
    """Who (``actor``: ``token:<id>:<login>``, ``cli:<os user>``) did what (``action``,
    e.g. ``token.create``) to what (``target``), when and from where."""

    tenant_id: int
    actor: str
    action: str
    target: str
    detail: dict[str, Any]
    at: datetime
    remote_addr: str | None = None
    id: int | None = None  # set once stored


def append_audit(tx: Transaction, entry: AuditEntry) -> int:
    row = {
        "tenant_id": entry.tenant_id,
        "actor": entry.actor[:255],
        "action": entry.action,
        "target": entry.target[:512],
        "detail": orjson.dumps(entry.detail, option=orjson.OPT_SORT_KEYS).decode(),
        "at": entry.at,
        "remote_addr": entry.remote_addr,
    }
    return int(tx.execute(insert(audit_log).returning(audit_log.c.id), row).scalar_one())


def list_audit(
    tx: Transaction, tenant_id: int, *, after: int = 0, limit: int = 100
) -> tuple[AuditEntry, ...]:
    """The tenant's entries in the order they were written, those after id ``after``."""
    query = (
        select(audit_log)
        .where((audit_log.c.tenant_id == tenant_id) & (audit_log.c.id > after))
        .order_by(audit_log.c.id)
        .limit(limit)
    )
    return tuple(
        AuditEntry(
            tenant_id=row.tenant_id,
            actor=row.actor,
            action=row.action,
            target=row.target,
            detail=orjson.loads(row.detail),
            at=as_utc(row.at) or row.at,
            remote_addr=row.remote_addr,
            id=row.id,
        )
        for row in tx.execute(query)
    )
