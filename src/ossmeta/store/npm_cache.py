"""The npm index cache (migration 0014): upstream packuments as received, with the ETag to
revalidate them, and the tarballs that matched upstream's integrity (bytes in the blob
store, ``ossmeta.store.blobs``). The served documents are derived, never stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, update

from ossmeta.store.schema import npm_packuments, npm_tarballs
from ossmeta.store.tenancy import Transaction
from ossmeta.times import as_utc

__all__ = [
    "CachedPackument",
    "CachedTarball",
    "load_packument",
    "load_tarball",
    "save_packument",
    "save_tarball",
]


@dataclass(frozen=True)
class CachedPackument:
    body: bytes | None  # None: upstream said the package is gone
    etag: str | None
    fetched_at: datetime


@dataclass(frozen=True)
class CachedTarball:
    sha256: str
    integrity: str


def load_packument(tx: Transaction, index: str, name: str) -> CachedPackument | None:
    row = tx.execute(
        select(npm_packuments.c.body, npm_packuments.c.etag, npm_packuments.c.fetched_at).where(
            npm_packuments.c.index_name == index, npm_packuments.c.name == name
        )
    ).first()
    if row is None:
        return None
    fetched = as_utc(row.fetched_at)
    assert fetched is not None  # NOT NULL
    body = None if row.body is None else bytes(row.body)
    return CachedPackument(body, row.etag, fetched)


def save_packument(
    tx: Transaction, index: str, name: str, body: bytes | None, etag: str | None, at: datetime
) -> None:
    """Keep what upstream sent last (``body`` None records a deletion)."""
    values = {"body": body, "etag": etag, "fetched_at": at}
    done = tx.execute(
        update(npm_packuments)
        .where(npm_packuments.c.index_name == index, npm_packuments.c.name == name)
        .values(**values)
    )
    if done.rowcount == 0:
        tx.execute(insert(npm_packuments), {"index_name": index, "name": name, **values})


def load_tarball(tx: Transaction, index: str, name: str, version: str) -> CachedTarball | None:
    row = tx.execute(
        select(npm_tarballs.c.sha256, npm_tarballs.c.integrity).where(
            npm_tarballs.c.index_name == index,
            npm_tarballs.c.name == name,
            npm_tarballs.c.version == version,
        )
    ).first()
    return None if row is None else CachedTarball(row.sha256, row.integrity)


def save_tarball(
    tx: Transaction,
    index: str,
    name: str,
    version: str,
    tarball: CachedTarball,
    at: datetime,
) -> None:
    """Record a verified tarball (replacing an earlier one: upstream republished)."""
    tx.execute(
        delete(npm_tarballs).where(
            npm_tarballs.c.index_name == index,
            npm_tarballs.c.name == name,
            npm_tarballs.c.version == version,
        )
    )
    tx.execute(
        insert(npm_tarballs),
        {
            "index_name": index,
            "name": name,
            "version": version,
            "sha256": tarball.sha256,
            "integrity": tarball.integrity,
            "stored_at": at,
        },
    )
