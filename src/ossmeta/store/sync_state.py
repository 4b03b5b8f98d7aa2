"""What a registry sync keeps between runs: the current raw records of each package, the
validators of conditional requests, change-feed cursors, the work list of a run in progress
and the outcome of each package's last fetch.

Every function takes the caller's connection, so a package's records, its derived rows, its
status and the tick on the run's work list commit together: a sync killed at any point
leaves either all of a package or none of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import Connection, Table, and_, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ossmeta.model import RawRecord
from ossmeta.store.schema import (
    current_records,
    fetch_validators,
    raw_records,
    sync_cursors,
    sync_run_items,
    sync_runs,
    sync_status,
)

__all__ = [
    "Failure",
    "Outcome",
    "Run",
    "current_documents",
    "current_packages",
    "current_payload",
    "current_payloads",
    "failures",
    "finish_run",
    "get_cursor",
    "get_validators",
    "mark_done",
    "open_run",
    "put_records",
    "put_validators",
    "record_outcome",
    "record_outcomes",
    "set_cursor",
    "unfinished_run",
]

_CHUNK = 500


@lru_cache(maxsize=128)
def _upsert_statement(
    dialect: str, table: Table, columns: tuple[str, ...], keep: tuple[str, ...]
) -> Any:
    """One statement per (table, columns), so SQLAlchemy compiles it once and the rows go
    as parameters (executemany)."""
    module: Any = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(table)
    keys = [c.name for c in table.primary_key.columns]
    changed = {c: statement.excluded[c] for c in columns if c not in keys and c not in keep}
    if not changed:
        return statement.on_conflict_do_nothing(index_elements=keys)
    return statement.on_conflict_do_update(index_elements=keys, set_=changed)


def upsert(
    connection: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    keep: tuple[str, ...] = (),
) -> None:
    """Insert ``rows`` (all with the same keys), replacing the non-key columns of rows whose
    primary key exists, except the ``keep`` columns."""
    if rows:
        statement = _upsert_statement(connection.dialect.name, table, tuple(rows[0]), keep)
        connection.execute(statement, list(rows))


def put_records(
    connection: Connection, records: Iterable[tuple[str, RawRecord]], now: datetime
) -> None:
    """Keep each record (once per content) and make it the current one for its document,
    filed under the package (purl) that owns the document."""
    given = list(records)
    ids: dict[tuple[str, str], int] = {}  # (source, content hash) -> raw record id
    by_source: dict[str, list[str]] = {}
    for _, record in given:
        by_source.setdefault(record.provenance.source, []).append(record.provenance.content_hash)
    for source, digests in by_source.items():
        for start in range(0, len(digests), _CHUNK):
            part = digests[start : start + _CHUNK]
            for found, digest in connection.execute(
                select(raw_records.c.id, raw_records.c.content_hash).where(
                    raw_records.c.source == source, raw_records.c.content_hash.in_(part)
                )
            ):
                ids[(source, digest)] = found
    new: dict[tuple[str, str], dict[str, Any]] = {}
    for _, record in given:
        key = (record.provenance.source, record.provenance.content_hash)
        if key not in ids and key not in new:
            new[key] = {
                "source": key[0],
                "kind": record.kind,
                "external_id": record.external_id,
                "modified": record.modified,
                "locator": record.provenance.locator,
                "content_hash": key[1],
                "data_license": record.provenance.data_license,
                "imported_at": now,
                "payload": record.canonical_json,
            }
    if new:
        inserted = connection.execute(
            insert(raw_records).returning(raw_records.c.id, sort_by_parameter_order=True),
            list(new.values()),
        ).scalars()
        ids.update(zip(new, inserted, strict=True))
    upsert(
        connection,
        current_records,
        [
            {
                "source": record.provenance.source,
                "kind": record.kind,
                "external_id": record.external_id,
                "package": package,
                "raw_record_id": ids[(record.provenance.source, record.provenance.content_hash)],
                "fetched_at": now,
            }
            for package, record in given
        ],
    )


def current_documents(connection: Connection, package: str) -> frozenset[tuple[str, str]]:
    """The (kind, external id) of every document ``package`` has a current record of."""
    rows = connection.execute(
        select(current_records.c.kind, current_records.c.external_id).where(
            current_records.c.package == package
        )
    )
    return frozenset((kind, external_id) for kind, external_id in rows)


def current_payloads(
    connection: Connection, package: str, kind: str | None = None
) -> dict[tuple[str, str], dict[str, Any]]:
    """The current payload of every document of ``package`` (of ``kind`` only, if given),
    by (kind, external id)."""
    query = (
        select(current_records.c.kind, current_records.c.external_id, raw_records.c.payload)
        .join(raw_records, raw_records.c.id == current_records.c.raw_record_id)
        .where(current_records.c.package == package)
    )
    if kind is not None:
        query = query.where(current_records.c.kind == kind)
    rows = connection.execute(query)
    return {(kind, external_id): orjson.loads(payload) for kind, external_id, payload in rows}


def current_payload(
    connection: Connection, source: str, kind: str, external_id: str
) -> dict[str, Any] | None:
    """The current payload of one document, whichever package owns it."""
    payload = connection.execute(
        select(raw_records.c.payload)
        .join(current_records, raw_records.c.id == current_records.c.raw_record_id)
        .where(
            current_records.c.source == source,
            current_records.c.kind == kind,
            current_records.c.external_id == external_id,
        )
    ).scalar()
    return None if payload is None else dict(orjson.loads(payload))


def current_packages(connection: Connection, source: str, kind: str) -> list[str]:
    """Every package (purl) with a current ``kind`` document from ``source``, sorted."""
    rows = connection.execute(
        select(current_records.c.package)
        .where(current_records.c.source == source, current_records.c.kind == kind)
        .distinct()
        .order_by(current_records.c.package)
    )
    return list(rows.scalars())


def get_validators(
    connection: Connection, urls: Sequence[str]
) -> dict[str, tuple[str | None, str | None]]:
    found: dict[str, tuple[str | None, str | None]] = {}
    for start in range(0, len(urls), _CHUNK):
        part = urls[start : start + _CHUNK]
        for url, etag, last_modified in connection.execute(
            select(
                fetch_validators.c.url, fetch_validators.c.etag, fetch_validators.c.last_modified
            ).where(fetch_validators.c.url.in_(part))
        ):
            found[url] = (etag, last_modified)
    return found


def put_validators(
    connection: Connection,
    validators: Mapping[str, tuple[str | None, str | None]],
    now: datetime,
) -> None:
    upsert(
        connection,
        fetch_validators,
        [
            {"url": url, "etag": etag, "last_modified": modified, "checked_at": now}
            for url, (etag, modified) in sorted(validators.items())
            if etag or modified
        ],
    )


def get_cursor(connection: Connection, registry: str) -> str | None:
    return connection.execute(
        select(sync_cursors.c.cursor).where(sync_cursors.c.registry == registry)
    ).scalar()


def set_cursor(connection: Connection, registry: str, cursor: str, now: datetime) -> None:
    upsert(connection, sync_cursors, [{"registry": registry, "cursor": cursor, "updated_at": now}])


@dataclass(frozen=True, slots=True)
class Run:
    id: int
    target_cursor: str | None
    pending: tuple[tuple[int, str], ...]  # (position, name) not yet done, in order
    total: int


def _request_text(request: Mapping[str, object]) -> str:
    return orjson.dumps(request, option=orjson.OPT_SORT_KEYS).decode()


def unfinished_run(
    connection: Connection, registry: str, request: Mapping[str, object]
) -> Run | None:
    """The newest run of the same request that did not finish (a killed sync), if any."""
    run = connection.execute(
        select(sync_runs.c.id, sync_runs.c.target_cursor)
        .where(
            sync_runs.c.registry == registry,
            sync_runs.c.request == _request_text(request),
            sync_runs.c.finished_at.is_(None),
        )
        .order_by(sync_runs.c.id.desc())
        .limit(1)
    ).first()
    if run is None:
        return None
    items = connection.execute(
        select(sync_run_items.c.position, sync_run_items.c.name, sync_run_items.c.done)
        .where(sync_run_items.c.run_id == run.id)
        .order_by(sync_run_items.c.position)
    ).all()
    pending = tuple((i.position, i.name) for i in items if not i.done)
    return Run(run.id, run.target_cursor, pending, len(items))


def open_run(
    connection: Connection,
    registry: str,
    request: Mapping[str, object],
    names: Sequence[str],
    target_cursor: str | None,
    now: datetime,
) -> Run:
    """Store a run's work list before any of it is done."""
    run_id = connection.execute(
        insert(sync_runs).returning(sync_runs.c.id),
        {
            "registry": registry,
            "request": _request_text(request),
            "target_cursor": target_cursor,
            "started_at": now,
        },
    ).scalar_one()
    rows = [
        {"run_id": run_id, "position": n, "name": name, "done": False}
        for n, name in enumerate(names)
    ]
    for start in range(0, len(rows), _CHUNK):
        connection.execute(insert(sync_run_items), rows[start : start + _CHUNK])
    return Run(run_id, target_cursor, tuple(enumerate(names)), len(names))


def mark_done(connection: Connection, run_id: int, positions: Sequence[int]) -> None:
    for start in range(0, len(positions), _CHUNK):
        connection.execute(
            update(sync_run_items)
            .where(
                and_(
                    sync_run_items.c.run_id == run_id,
                    sync_run_items.c.position.in_(positions[start : start + _CHUNK]),
                )
            )
            .values(done=True)
        )


def finish_run(connection: Connection, run_id: int, now: datetime) -> None:
    connection.execute(update(sync_runs).where(sync_runs.c.id == run_id).values(finished_at=now))


@dataclass(frozen=True, slots=True)
class Outcome:
    """The last attempt at one package: ``error`` is None on success, else (kind, one-line
    message)."""

    registry: str
    name: str
    purl: str | None
    error: tuple[str, str] | None = None


def record_outcomes(connection: Connection, outcomes: Sequence[Outcome], now: datetime) -> None:
    """Store the outcomes; a failure keeps the time of the package's last success."""

    def row(o: Outcome) -> dict[str, Any]:
        return {
            "registry": o.registry,
            "name": o.name,
            "purl": o.purl,
            "attempted_at": now,
            "succeeded_at": now if o.error is None else None,
            "error_kind": o.error[0] if o.error else None,
            "error": o.error[1] if o.error else None,
        }

    upsert(connection, sync_status, [row(o) for o in outcomes if o.error is None])
    failed = [row(o) for o in outcomes if o.error is not None]
    upsert(connection, sync_status, failed, keep=("succeeded_at",))


def record_outcome(
    connection: Connection,
    registry: str,
    name: str,
    purl: str | None,
    now: datetime,
    error: tuple[str, str] | None = None,
) -> None:
    """The last attempt at ``name``: success, or (error kind, one-line message)."""
    record_outcomes(connection, [Outcome(registry, name, purl, error)], now)


@dataclass(frozen=True, slots=True)
class Failure:
    registry: str
    name: str
    kind: str
    message: str
    attempted_at: datetime


def failures(connection: Connection, registry: str | None = None) -> list[Failure]:
    """Packages whose last fetch failed, by registry and name."""
    query = select(sync_status).where(sync_status.c.error_kind.is_not(None))
    if registry is not None:
        query = query.where(sync_status.c.registry == registry)
    return [
        Failure(r.registry, r.name, r.error_kind, r.error or "", r.attempted_at)
        for r in connection.execute(query.order_by(sync_status.c.registry, sync_status.c.name))
    ]
