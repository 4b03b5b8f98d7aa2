"""What a Python index keeps (migration 0013): upstream pages as received, the files it
stored (their bytes live in ``ossmeta.store.blobs``), uploaded files and the licence each
upstream release declares. Rows are written with the dialect's upsert, so two requests
filling the same entry at once both succeed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite

from ossmeta.store.schema import index_files, index_pages, index_release_licenses
from ossmeta.store.tenancy import Transaction
from ossmeta.times import as_utc

__all__ = [
    "KeptPage",
    "StoredFile",
    "keep_licenses",
    "keep_page",
    "kept_licenses",
    "kept_page",
    "kept_projects",
    "store_file",
    "stored_files",
    "uploaded_projects",
]


@dataclass(frozen=True, slots=True)
class KeptPage:
    body: bytes
    etag: str | None
    serial: str | None
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class StoredFile:
    project: str
    filename: str
    origin: str  # upstream | upload
    version: str
    sha256: str
    size: int
    requires_python: str | None
    metadata_sha256: str | None
    license: str | None
    uploaded_at: datetime | None


def _upsert(tx: Transaction, table: Table, row: Mapping[str, Any], keys: tuple[str, ...]) -> None:
    module: Any = postgresql if tx.dialect.name == "postgresql" else sqlite
    statement = module.insert(table).values(**row)
    changed = {k: statement.excluded[k] for k in row if k not in keys}
    tx.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=changed))


def kept_page(tx: Transaction, index: str, project: str) -> KeptPage | None:
    row = tx.execute(
        select(index_pages).where(
            index_pages.c.index_name == index, index_pages.c.project == project
        )
    ).first()
    if row is None:
        return None
    fetched = as_utc(row.fetched_at)
    assert fetched is not None  # NOT NULL
    return KeptPage(bytes(row.body), row.etag, row.serial, fetched)


def kept_projects(tx: Transaction, index: str) -> list[str]:
    query = select(index_pages.c.project).where(index_pages.c.index_name == index)
    return [str(name) for name in tx.execute(query.order_by(index_pages.c.project)).scalars()]


def keep_page(tx: Transaction, index: str, project: str, page: KeptPage | None) -> None:
    """Keep ``page`` for ``project``; None forgets it (the upstream deleted the project)."""
    if page is None:
        tx.execute(
            index_pages.delete().where(
                index_pages.c.index_name == index, index_pages.c.project == project
            )
        )
        return
    row = {
        "index_name": index,
        "project": project,
        "body": page.body,
        "etag": page.etag,
        "serial": page.serial,
        "fetched_at": page.fetched_at,
    }
    _upsert(tx, index_pages, row, ("index_name", "project"))


def _stored(row: Any) -> StoredFile:
    return StoredFile(
        project=row.project,
        filename=row.filename,
        origin=row.origin,
        version=row.version,
        sha256=row.sha256,
        size=row.size,
        requires_python=row.requires_python,
        metadata_sha256=row.metadata_sha256,
        license=row.license,
        uploaded_at=as_utc(row.uploaded_at),
    )


def stored_files(
    tx: Transaction, index: str, project: str, origin: str | None = None
) -> list[StoredFile]:
    query = select(index_files).where(
        index_files.c.index_name == index, index_files.c.project == project
    )
    if origin is not None:
        query = query.where(index_files.c.origin == origin)
    return [_stored(row) for row in tx.execute(query.order_by(index_files.c.filename))]


def store_file(tx: Transaction, index: str, stored: StoredFile, now: datetime) -> None:
    row = {
        "index_name": index,
        "project": stored.project,
        "filename": stored.filename,
        "origin": stored.origin,
        "version": stored.version,
        "sha256": stored.sha256,
        "size": stored.size,
        "requires_python": stored.requires_python,
        "metadata_sha256": stored.metadata_sha256,
        "license": stored.license,
        "uploaded_at": stored.uploaded_at,
        "stored_at": now,
    }
    _upsert(tx, index_files, row, ("index_name", "filename"))


def uploaded_projects(tx: Transaction, index: str) -> list[str]:
    query = (
        select(index_files.c.project)
        .where(index_files.c.index_name == index, index_files.c.origin == "upload")
        .distinct()
        .order_by(index_files.c.project)
    )
    return [str(name) for name in tx.execute(query).scalars()]


def kept_licenses(tx: Transaction, index: str, project: str) -> dict[str, str | None]:
    """Version → declared licence, for the releases whose metadata was read."""
    rows = tx.execute(
        select(index_release_licenses.c.version, index_release_licenses.c.license).where(
            index_release_licenses.c.index_name == index,
            index_release_licenses.c.project == project,
        )
    )
    return {row.version: row.license for row in rows}


def keep_licenses(
    tx: Transaction,
    index: str,
    project: str,
    licenses: Iterable[tuple[str, str | None]],
    now: datetime,
) -> None:
    for version, license in licenses:
        row = {
            "index_name": index,
            "project": project,
            "version": version,
            "license": license,
            "fetched_at": now,
        }
        _upsert(tx, index_release_licenses, row, ("index_name", "project", "version"))
