"""Hardened releases (migration 0015): the foundation's patched rebuilds of upstream
releases, one row per artifact file, and the statements scans read from them.

A statement says: this exact version of this package is not affected by these advisories,
because of these patches. Scans apply it to a component whose version equals the hardened
version (by the ecosystem's equality: ``1.2.3+Trusted.1`` is ``1.2.3+trusted.1`` for PyPI),
never to the upstream version it replaces."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import insert, select, tuple_

from ossmeta.store.chunking import chunks
from ossmeta.store.engine import Store
from ossmeta.store.schema import hardened_releases
from ossmeta.store.tenancy import Transaction, global_transaction
from ossmeta.times import as_utc

__all__ = [
    "HardenedRow",
    "HardenedStatement",
    "Patch",
    "all_hardened",
    "find_hardened_file",
    "hardened_of",
    "hardened_statements",
    "insert_hardened",
]


@dataclass(frozen=True, slots=True)
class Patch:
    name: str  # the patch file's base name, as given
    sha256: str  # hex, of its bytes
    text: str


@dataclass(frozen=True, slots=True)
class HardenedRow:
    ecosystem: str  # PyPI | npm
    name: str
    name_key: str
    upstream_version: str
    version: str
    filename: str
    sha256: str
    sha512: str
    size: int
    fixes: tuple[str, ...]
    patches: tuple[Patch, ...]
    created_at: datetime
    created_by: str


@dataclass(frozen=True, slots=True)
class HardenedStatement:
    """What a scan needs of one hardened version: the advisories it fixes and why."""

    version: str
    fixes: frozenset[str]  # casefolded advisory ids, as the operator named them
    reason: str


def _row(row: Any) -> HardenedRow:
    created = as_utc(row.created_at)
    assert created is not None  # NOT NULL
    return HardenedRow(
        ecosystem=row.ecosystem,
        name=row.name,
        name_key=row.name_key,
        upstream_version=row.upstream_version,
        version=row.version,
        filename=row.filename,
        sha256=row.sha256,
        sha512=row.sha512,
        size=row.size,
        fixes=tuple(orjson.loads(row.fixes)),
        patches=tuple(Patch(p["name"], p["sha256"], p["text"]) for p in orjson.loads(row.patches)),
        created_at=created,
        created_by=row.created_by,
    )


def insert_hardened(tx: Transaction, row: HardenedRow) -> None:
    tx.execute(
        insert(hardened_releases),
        {
            "ecosystem": row.ecosystem,
            "name": row.name,
            "name_key": row.name_key,
            "upstream_version": row.upstream_version,
            "version": row.version,
            "filename": row.filename,
            "sha256": row.sha256,
            "sha512": row.sha512,
            "size": row.size,
            "fixes": orjson.dumps(list(row.fixes)).decode(),
            "patches": orjson.dumps(
                [{"name": p.name, "sha256": p.sha256, "text": p.text} for p in row.patches]
            ).decode(),
            "created_at": row.created_at,
            "created_by": row.created_by,
        },
    )


def find_hardened_file(
    tx: Transaction, ecosystem: str, name_key: str, filename: str
) -> HardenedRow | None:
    found = tx.execute(
        select(hardened_releases).where(
            (hardened_releases.c.ecosystem == ecosystem)
            & (hardened_releases.c.name_key == name_key)
            & (hardened_releases.c.filename == filename)
        )
    ).first()
    return None if found is None else _row(found)


def hardened_of(tx: Transaction, ecosystem: str, name_key: str) -> list[HardenedRow]:
    rows = tx.execute(
        select(hardened_releases)
        .where(
            (hardened_releases.c.ecosystem == ecosystem)
            & (hardened_releases.c.name_key == name_key)
        )
        .order_by(hardened_releases.c.id)
    )
    return [_row(row) for row in rows]


def all_hardened(tx: Transaction) -> list[HardenedRow]:
    rows = tx.execute(
        select(hardened_releases).order_by(
            hardened_releases.c.ecosystem, hardened_releases.c.name_key, hardened_releases.c.id
        )
    )
    return [_row(row) for row in rows]


def _reason(row: HardenedRow) -> str:
    # Short enough for a table cell; the full digests are in ``ossmeta hardened show``.
    patches = ", ".join(f"{p.name} (sha256:{p.sha256[:12]})" for p in row.patches)
    return (
        f"hardened release {row.version} of upstream {row.upstream_version}, patched with "
        f"{patches or 'no patch'}"
    )


def hardened_statements(
    store: Store, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], list[HardenedStatement]]:
    """The hardened versions of the packages ``keys`` ((OSV base ecosystem, name key)),
    one statement per version (its files' fixes together)."""
    wanted = sorted(set(keys))
    rows: list[HardenedRow] = []
    if wanted:
        with global_transaction(store) as tx:
            # Most scans name no hardened package: one cheap probe before the keyed reads.
            if tx.execute(select(hardened_releases.c.id).limit(1)).first() is None:
                return {}
            pair = tuple_(hardened_releases.c.ecosystem, hardened_releases.c.name_key)
            for part in chunks(wanted):
                found = tx.execute(
                    select(hardened_releases).where(pair.in_(part)).order_by(hardened_releases.c.id)
                )
                rows.extend(_row(row) for row in found)
    by_version: dict[tuple[str, str, str], list[HardenedRow]] = defaultdict(list)
    for row in rows:
        by_version[(row.ecosystem, row.name_key, row.version)].append(row)
    out: dict[tuple[str, str], list[HardenedStatement]] = defaultdict(list)
    for (ecosystem, key, version), files in by_version.items():
        fixes = frozenset(fix.casefold() for row in files for fix in row.fixes)
        reason = "; ".join(dict.fromkeys(_reason(row) for row in files))
        out[(ecosystem, key)].append(HardenedStatement(version, fixes, reason))
    return dict(out)
