"""Curations in the store: proposing, reviewing, listing and the effective (curated)
package. The YAML files curations are exchanged in are ``curation_files``; ``why`` a field
has its value is ``curation_why``.

Curations live in their own table and are never derived, so a re-sync or ``ossmeta
normalize`` (which rebuild the ``package*`` tables) leaves them alone; they are applied on
read (``effective_package``). Every function takes the caller's connection, so that a
transaction spanning several (a YAML import, all or nothing) stays in the store; callers
outside the store use ``curation_store.Curations``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from ossmeta.errors import OssmetaError, UsageError
from ossmeta.model import PackageRecord
from ossmeta.normalizers.curation import (
    APPROVED,
    PROPOSED,
    REJECTED,
    STATUSES,
    Curation,
    apply_curations,
    canonical_package_purl,
    check_text,
    check_url,
    field_rule,
    validate,
    validate_selector,
)
from ossmeta.store.chunking import chunks
from ossmeta.store.packages import load_package, load_packages
from ossmeta.store.schema import curations
from ossmeta.times import as_utc

__all__ = [
    "effective_package",
    "effective_packages",
    "get",
    "list_curations",
    "propose",
    "review",
]


def _of(row: Any) -> Curation:
    created = as_utc(row.created_at)
    assert created is not None  # the column is NOT NULL
    return Curation(
        id=row.id,
        purl=row.purl,
        versions=row.versions,
        field=row.field,
        value=row.value,
        reason=row.reason,
        author=row.author,
        evidence=row.evidence,
        status=row.status,
        reviewer=row.reviewer,
        review_note=row.review_note,
        created_at=created,
        reviewed_at=as_utc(row.reviewed_at),
    )


class _Bad(UsageError):
    """A ``UsageError`` that knows which key of a curation it is about (for file lines)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def _required(what: str, value: str, *, one_line: bool = False) -> str:
    text = value.strip()
    if not text:
        raise UsageError(f"a curation needs {what}")
    name = what.split(" ", 1)[-1]
    if one_line and not text.isprintable():
        raise UsageError(f"{name} {text!r} must be one line of text")
    return check_text(text, name)


def _checked(
    purl: str, field: str, value: str, versions: str | None, reason: str, author: str, evidence: str
) -> dict[str, Any]:
    """The columns of a valid curation, canonical; a ``_Bad`` naming the key that is wrong."""

    def check(key: str, step: Callable[[], Any]) -> Any:
        try:
            return step()
        except UsageError as error:
            raise _Bad(key, error.message) from None

    canonical, ecosystem = check("purl", lambda: canonical_package_purl(purl))
    rule = check("field", lambda: field_rule(field))
    if versions is not None and not rule.per_version:
        raise _Bad("versions", f"{field} is a package field; it takes no versions selector")
    return {
        "purl": canonical,
        "versions": None
        if versions is None
        else check("versions", lambda: validate_selector(versions, ecosystem)),
        "field": field,
        "value": check("value", lambda: validate(field, value, ecosystem)),
        "reason": check("reason", lambda: _required("a reason", reason)),
        "author": check("author", lambda: _required("an author", author, one_line=True)),
        "evidence": check("evidence", lambda: check_url(evidence.strip(), "evidence")),
    }


# --------------------------------------------------------------------------- propose / review


def propose(
    connection: Connection,
    purl: str,
    field: str,
    value: str,
    *,
    reason: str,
    author: str,
    evidence: str,
    versions: str | None = None,
    now: datetime | None = None,
) -> int:
    """Store a proposed curation (validated, canonical) and return its id."""
    row = _checked(purl, field, value, versions, reason, author, evidence)
    pending = connection.execute(
        select(curations.c.id).where(
            curations.c.purl == row["purl"],
            curations.c.field == row["field"],
            curations.c.value == row["value"],
            curations.c.status == PROPOSED,
            curations.c.versions.is_(None)
            if row["versions"] is None
            else curations.c.versions == row["versions"],
        )
    ).scalar()
    if pending is not None:
        raise UsageError(f"curation #{pending} already proposes this value; review it instead")
    created = now or datetime.now(UTC)
    new_id: int = connection.execute(
        insert(curations).returning(curations.c.id),
        {**row, "status": PROPOSED, "created_at": created},
    ).scalar_one()
    return new_id


def get(connection: Connection, curation_id: int) -> Curation | None:
    row = connection.execute(select(curations).where(curations.c.id == curation_id)).first()
    return None if row is None else _of(row)


def review(
    connection: Connection,
    curation_id: int,
    approve: bool,
    reviewer: str,
    note: str | None = None,
    now: datetime | None = None,
) -> Curation:
    """Approve or reject a proposed curation. Only proposed ones can be reviewed, and not by
    their author (a review is a second pair of eyes)."""
    found = get(connection, curation_id)
    if found is None:
        raise UsageError(f"no curation #{curation_id}")
    if found.status != PROPOSED:
        raise UsageError(
            f"curation #{curation_id} is already {found.status} by {found.reviewer}; "
            "only proposed curations can be reviewed"
        )
    who = _required("a reviewer", reviewer, one_line=True)
    if who.casefold() == found.author.casefold():
        raise UsageError(f"curation #{curation_id} cannot be reviewed by its author {who}")
    status = APPROVED if approve else REJECTED
    note = check_text(note.strip(), "review note") if note and note.strip() else None
    when = now or datetime.now(UTC)
    values = {"status": status, "reviewer": who, "review_note": note, "reviewed_at": when}
    done = connection.execute(
        update(curations)
        .where(curations.c.id == curation_id, curations.c.status == PROPOSED)
        .values(**values)
    )
    if done.rowcount != 1:  # reviewed by someone else in the meantime
        raise UsageError(f"curation #{curation_id} was reviewed meanwhile; nothing changed")
    return replace(found, status=status, reviewer=who, review_note=note, reviewed_at=when)


def list_curations(
    connection: Connection, purl: str | None = None, status: str | None = None
) -> tuple[Curation, ...]:
    """Curations by id, of one package and/or one status."""
    query = select(curations).order_by(curations.c.id)
    if purl is not None:
        query = query.where(curations.c.purl == _package(purl))
    if status is not None:
        if status not in STATUSES:
            raise UsageError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
        query = query.where(curations.c.status == status)
    return tuple(_of(row) for row in connection.execute(query))


def _package(purl: str) -> str:
    """The canonical spelling of a package purl; the text itself when it does not parse as
    one (a stored purl is looked up as written)."""
    try:
        return canonical_package_purl(purl)[0]
    except OssmetaError:
        return purl


def effective_package(connection: Connection, purl: str) -> PackageRecord | None:
    """The stored package with its approved curations applied, or None."""
    key = _package(purl)
    record = load_package(connection, key)
    if record is None:
        return None
    return apply_curations(record, list_curations(connection, key))


def effective_packages(connection: Connection, purls: Iterable[str]) -> dict[str, PackageRecord]:
    """``effective_package`` of many canonical package purls at once, by purl (those the
    store does not hold are left out): a few queries per few hundred purls."""
    records = load_packages(connection, purls)
    found: dict[str, list[Curation]] = defaultdict(list)
    for part in chunks(sorted(records)):
        query = (
            select(curations)
            .where(curations.c.purl.in_(part), curations.c.status == APPROVED)
            .order_by(curations.c.id)
        )
        for row in connection.execute(query):
            found[row.purl].append(_of(row))
    return {purl: apply_curations(r, found.get(purl, [])) for purl, r in records.items()}


# --------------------------------------------------------------------------- YAML files
