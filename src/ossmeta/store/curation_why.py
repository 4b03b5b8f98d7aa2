"""``ossmeta why``: the chain behind a package field's value: the registry documents, the
declared text, the normalized value, every curation of the field and the effective value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from ossmeta.errors import UsageError
from ossmeta.model import PackageRecord
from ossmeta.normalizers.curation import (
    Step,
    canonical_package_purl,
    explain,
    field_rule,
)
from ossmeta.normalizers.licenses import normalize_license
from ossmeta.normalizers.repos import canonical_repo_url
from ossmeta.store.curations import (
    list_curations,
)
from ossmeta.store.packages import load_package
from ossmeta.store.schema import current_records, raw_records
from ossmeta.times import as_utc

__all__ = ["SourceRecord", "Why", "why"]


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """A current raw record the package was normalized from."""

    source: str
    kind: str
    external_id: str
    fetched_at: datetime
    raw_record_id: int
    locator: str
    content_hash: str


@dataclass(frozen=True, slots=True)
class Why:
    """How a field got its effective value: as declared -> normalized -> curations."""

    purl: str
    field: str
    version: str | None
    in_store: bool  # False: no normalized package (curations may still exist)
    records: tuple[SourceRecord, ...]
    raw: str | None  # the text as the registry declared it, where the store keeps it
    declared_in: str | None  # the registry field it came from ("pypi:classifiers")
    normalized: str | None
    confidence: str | None
    note: str | None  # why normalizing gave what it gave, when it says more than the value
    curations: tuple[Step, ...]
    effective: str | None
    effective_from: str  # "curation:<id>", "registry", or "nothing" (no package, no curation)


def _records(
    connection: Connection, purl: str, kinds: str, version: str | None
) -> tuple[SourceRecord, ...]:
    rows = connection.execute(
        select(
            current_records.c.source,
            current_records.c.kind,
            current_records.c.external_id,
            current_records.c.fetched_at,
            raw_records.c.id,
            raw_records.c.locator,
            raw_records.c.content_hash,
        )
        .join(raw_records, raw_records.c.id == current_records.c.raw_record_id)
        .where(current_records.c.package == purl)
        .order_by(current_records.c.source, current_records.c.kind, current_records.c.external_id)
    ).all()
    found = [SourceRecord(r[0], r[1], r[2], as_utc(r[3]) or r[3], r[4], r[5], r[6]) for r in rows]
    # The kinds the package was made from; a version's own documents when it has some.
    made_from = [r for r in found if r.kind in kinds.split("+")] or found
    if version is not None:
        own = [r for r in made_from if r.external_id.endswith((f"@{version}", f":{version}"))]
        made_from = own or made_from
    return tuple(made_from)


def _declared(record: PackageRecord, field: str, version: str | None) -> tuple[Any, ...]:
    """(raw, declared_in, normalized, confidence, note) of the uncurated record."""
    if field == "license":
        source = record.license
        if version is not None:
            source = next(v.license for v in record.versions if v.version == version)
        if source is None:
            return None, None, None, None, "no licence declared"
        note = normalize_license(source.raw).note if source.raw else None
        return source.raw, source.source, source.spdx, source.confidence, note
    if field == "repository":
        raw, value = record.repository_raw, record.repository
        note = canonical_repo_url(raw).reason if raw and value is None else None
        return raw, None, value, None, note
    if field == "status":
        return None, None, record.status.value, None, None
    # homepage, description: the normalizer picks one of the declared texts and keeps it.
    return None, None, getattr(record, field), None, None


def why(connection: Connection, purl: str, field: str, version: str | None = None) -> Why:
    """The chain behind one field of a package (or of one version, for per-version fields)."""
    canonical, ecosystem = canonical_package_purl(purl)
    rule = field_rule(field)
    if version is not None and not rule.per_version:
        raise UsageError(f"{field} is a package field; it has no per-version value")
    record = load_package(connection, canonical)
    mine = list_curations(connection, canonical)
    if record is None and not mine:
        raise UsageError(f"no package {canonical} in the store and no curations of it")
    known = () if record is None else {v.version for v in record.versions}
    if record is not None and version is not None and version not in known:
        raise UsageError(f"{canonical} has no version {version!r} in the store")
    steps = explain(mine, field, ecosystem, version)
    chosen = next((s.curation for s in steps if s.applied), None)
    if record is None:
        raw = declared_in = normalized = confidence = note = None
        records: tuple[SourceRecord, ...] = ()
    else:
        raw, declared_in, normalized, confidence, note = _declared(record, field, version)
        records = _records(connection, canonical, record.source, version)
    if chosen is not None:
        effective, effective_from = chosen.value or None, f"curation:{chosen.id}"
    else:
        effective, effective_from = normalized, "registry" if record is not None else "nothing"
    return Why(
        purl=canonical,
        field=field,
        version=version,
        in_store=record is not None,
        records=records,
        raw=raw,
        declared_in=declared_in,
        normalized=normalized,
        confidence=confidence,
        note=note,
        curations=steps,
        effective=effective,
        effective_from=effective_from,
    )
